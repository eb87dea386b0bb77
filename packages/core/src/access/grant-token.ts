/**
 * Grant tokens: the compact, signed statement "user U may use prefix P in mode M until T" that
 * the access service hands out and its storage functions honour.
 *
 * A token is three dot-separated parts, in the manner of a JWS compact serialisation
 * (RFC 7515 §7.1) but with one fixed algorithm so nothing in the token chooses how it is
 * checked:
 *
 * ```text
 * acquire-grant-v1.<base64url canonical JSON claims>.<base64url Ed25519 signature>
 * ```
 *
 * The signature (RFC 8032) covers the ASCII text of the first two parts, so the version cannot be
 * swapped without breaking it. A grant is a bearer credential: whoever holds the token has the
 * access, so it is never logged.
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { isValidSignature, SIGNATURE_BYTES, sign } from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { canonicalJson } from '../service/request-resource.js';
import { isValidKey } from '../store/keys.js';
import type { Clock } from '../time/clock.js';
import { ACCESS_MODES, type AccessMode } from './access-permissions.js';

/** The token format this code writes and the only one it reads. */
export const GRANT_TOKEN_VERSION = 1;

/**
 * Tokens longer than this are refused before any decoding. A version-1 token with the longest
 * possible prefix (900 bytes of key, every character JSON-escaped) stays below it.
 */
export const GRANT_TOKEN_LENGTH_MAX_CHARS = 4096;

/** Grant ids are at most this long; the access service makes 22-character ones. */
export const GRANT_ID_LENGTH_MAX_CHARS = 64;

const GRANT_TOKEN_HEADER = `acquire-grant-v${GRANT_TOKEN_VERSION}`;

/** Any version's header, so a token of another version gets its own error code. */
const GRANT_TOKEN_HEADER_PATTERN = /^acquire-grant-v[0-9]{1,6}$/;

const GRANT_TOKEN_PARTS = 3;

/** What a grant says. Times are ms since the Unix epoch. */
export interface GrantClaims {
  /** A random id, for logs and audit; never a secret. */
  readonly grantId: string;
  /** The user the grant was issued to. */
  readonly userUid: string;
  /** The key prefix (whole segments) the grant covers. */
  readonly prefix: string;
  /** What the grant allows under the prefix. */
  readonly mode: AccessMode;
  /** When the grant was issued. */
  readonly issuedAtMs: number;
  /** The first instant at which the grant is no longer honoured. */
  readonly expiresAtMs: number;
}

/** Options for {@link verifyGrant}. */
export interface VerifyGrantOptions {
  /** The access service's Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** The clock that decides expiry. */
  readonly clock: Clock;
}

const GRANT_PAYLOAD_SCHEMA = v.strictObject({
  v: v.literal(GRANT_TOKEN_VERSION),
  grantId: v.pipe(v.string(), v.nonEmpty(), v.maxLength(GRANT_ID_LENGTH_MAX_CHARS)),
  userUid: v.pipe(v.string(), v.nonEmpty()),
  prefix: v.pipe(
    v.string(),
    v.check((prefix: string) => isValidKey(prefix)),
  ),
  mode: v.picklist(ACCESS_MODES),
  issuedAtMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  expiresAtMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
});

/**
 * Signs grant claims into a token.
 *
 * @param claims - what the grant says
 * @param secretKey - the access service's 32-byte Ed25519 seed
 * @returns the token text
 * @throws AcquireError `MALFORMED_DATA` when the secret key is not 32 bytes
 * @example
 * ```ts
 * import { signGrant, verifyGrant } from '@acquire/core';
 *
 * const token = signGrant(claims, serviceKeys.secretKey);
 * const checked = verifyGrant(token, { publicKey: serviceKeys.publicKey, clock });
 * ```
 */
export function signGrant(claims: GrantClaims, secretKey: Uint8Array): string {
  const payload = base64UrlEncode(
    utf8Encode(
      canonicalJson({
        v: GRANT_TOKEN_VERSION,
        grantId: claims.grantId,
        userUid: claims.userUid,
        prefix: claims.prefix,
        mode: claims.mode,
        issuedAtMs: claims.issuedAtMs,
        expiresAtMs: claims.expiresAtMs,
      }),
    ),
  );
  const signed = `${GRANT_TOKEN_HEADER}.${payload}`;
  return `${signed}.${base64UrlEncode(sign(utf8Encode(signed), secretKey))}`;
}

/**
 * Checks a grant token: its form, version, signature and expiry, in that order.
 *
 * @param token - the token as received, of any type
 * @param options - the access service's public key and the clock
 * @returns the claims of a valid, unexpired grant
 * @throws AcquireError `GRANT_MALFORMED` when the token is not a well-formed grant,
 *   `GRANT_VERSION_UNSUPPORTED` when it is of another version, `GRANT_FORGED` when its signature
 *   does not verify, `GRANT_EXPIRED` when the clock has reached its expiry
 */
export function verifyGrant(token: unknown, options: VerifyGrantOptions): GrantClaims {
  const [header, payload, signature] = splitToken(token);
  if (header !== GRANT_TOKEN_HEADER) {
    throw new AcquireError(
      ErrorCode.GRANT_VERSION_UNSUPPORTED,
      `grant token is not version ${GRANT_TOKEN_VERSION}`,
    );
  }

  const signatureBytes = decodePart(signature, 'signature bytes');
  if (signatureBytes.length !== SIGNATURE_BYTES) {
    throw malformed(`its signature is not ${SIGNATURE_BYTES} bytes`);
  }
  if (!isValidSignature(signatureBytes, utf8Encode(`${header}.${payload}`), options.publicKey)) {
    throw new AcquireError(ErrorCode.GRANT_FORGED, 'grant token signature does not verify');
  }

  const claims = parseClaims(decodePart(payload, 'claims'));
  if (options.clock.now() >= claims.expiresAtMs) {
    throw new AcquireError(ErrorCode.GRANT_EXPIRED, 'grant has expired', {
      details: { grantId: claims.grantId, expiresAtMs: claims.expiresAtMs },
    });
  }
  return claims;
}

function splitToken(token: unknown): [string, string, string] {
  if (typeof token !== 'string' || token.length > GRANT_TOKEN_LENGTH_MAX_CHARS) {
    throw malformed(`not a string of at most ${GRANT_TOKEN_LENGTH_MAX_CHARS} characters`);
  }
  const parts = token.split('.');
  const [header, payload, signature] = parts;
  if (
    parts.length !== GRANT_TOKEN_PARTS ||
    header === undefined ||
    payload === undefined ||
    signature === undefined ||
    !GRANT_TOKEN_HEADER_PATTERN.test(header)
  ) {
    throw malformed('not three dot-separated parts with an acquire-grant header');
  }
  return [header, payload, signature];
}

function decodePart(text: string, label: string): Uint8Array {
  try {
    return base64UrlDecode(text, `grant ${label}`);
  } catch (cause) {
    throw malformed(`its ${label} are not canonical base64url`, cause);
  }
}

function parseClaims(bytes: Uint8Array): GrantClaims {
  let decoded: unknown;
  try {
    decoded = JSON.parse(utf8Decode(bytes));
  } catch (cause) {
    throw malformed('its claims are not JSON', cause);
  }

  const result = v.safeParse(GRANT_PAYLOAD_SCHEMA, decoded);
  if (!result.success || result.output.expiresAtMs <= result.output.issuedAtMs) {
    throw malformed('its claims are incomplete or expire before they are issued');
  }
  const { v: _version, ...claims } = result.output;
  return claims;
}

function malformed(problem: string, cause?: unknown): AcquireError {
  return new AcquireError(ErrorCode.GRANT_MALFORMED, `grant token is malformed: ${problem}`, {
    cause,
  });
}
