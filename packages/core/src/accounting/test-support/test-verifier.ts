/**
 * Test support: real authorisations for the accounting functions without an identity service.
 * Each test user has an Ed25519 session key (RFC 8032); an authorisation is that key's signature
 * over the canonical JSON of its other fields. The verifier checks the shape, the signature, the
 * resource, the age against the clock and, when asked, that the nonce is used once.
 *
 * @module
 */

import { base64UrlDecode, base64UrlEncode, utf8Encode } from '../../crypto/encoding.js';
import { randomBytes } from '../../crypto/random.js';
import {
  generateSigningKeyPair,
  isValidSignature,
  type SigningKeyPair,
  sign,
} from '../../crypto/signing.js';
import { AcquireError, ErrorCode } from '../../errors.js';
import type { AuthorisationVerifier } from '../../service/authorisation-verifier.js';
import { canonicalJson, requestResource } from '../../service/request-resource.js';
import type { Clock } from '../../time/clock.js';
import { createLedgerUid } from '../ledger-uids.js';

/** The identity service the test users' sessions belong to. */
export const TEST_IDENTITY_URL = 'https://identity.test';

/** Authorisations older than two hours are stale, the default the product promises. */
export const TEST_AUTHORISATION_STALE_MS: number = 2 * 60 * 60 * 1000;

/** A user with one approved session. */
export interface TestUser {
  /** The user's uid, also the group of their accounts. */
  readonly userUid: string;
  /** The session's uid. */
  readonly sessionUid: string;
  /** The session's signing keys. */
  readonly keys: SigningKeyPair;
}

/**
 * Makes a test user with a fresh session key.
 *
 * @returns the user
 */
export function createTestUser(): TestUser {
  return {
    userUid: createLedgerUid(),
    sessionUid: createLedgerUid(),
    keys: generateSigningKeyPair(),
  };
}

/**
 * Signs an authorisation for a resource.
 *
 * @param user - the signer
 * @param resource - what it authorises
 * @param clock - the signer's clock
 * @returns the authorisation
 */
export function signAuthorisation(
  user: TestUser,
  resource: string,
  clock: Clock,
): Record<string, unknown> {
  const fields = {
    userUid: user.userUid,
    sessionUid: user.sessionUid,
    identityUrl: TEST_IDENTITY_URL,
    resource,
    timestampMs: clock.now(),
    nonce: base64UrlEncode(randomBytes(16)),
  };
  const signature = sign(utf8Encode(canonicalJson(fields)), user.keys.secretKey);
  return { ...fields, signature: base64UrlEncode(signature) };
}

/**
 * Adds an authorisation for exactly these arguments of a function.
 *
 * @param user - the caller
 * @param functionName - the wire name
 * @param args - the other arguments
 * @param clock - the caller's clock
 * @returns the arguments with `authorisation`
 */
export function authorised<T extends Record<string, unknown>>(
  user: TestUser,
  functionName: string,
  args: T,
  clock: Clock,
): T & { readonly authorisation: Record<string, unknown> } {
  return {
    ...args,
    authorisation: signAuthorisation(user, requestResource(functionName, args), clock),
  };
}

/**
 * A verifier that knows the test users' session keys.
 *
 * @param users - the users whose sessions are approved
 * @param clock - the verifier's clock
 * @returns the verifier
 */
export function createTestVerifier(
  users: readonly TestUser[],
  clock: Clock,
): AuthorisationVerifier {
  const keys = new Map(
    users.map((user) => [`${user.userUid}/${user.sessionUid}`, user.keys.publicKey]),
  );
  const spentNonces = new Set<string>();

  return async (authorisation, requirements) => {
    const fields = parseFields(authorisation);
    const publicKey = keys.get(`${fields.userUid}/${fields.sessionUid}`);
    const { signature, ...signed } = fields;
    const valid =
      publicKey !== undefined &&
      fields.identityUrl === TEST_IDENTITY_URL &&
      isValidSignature(
        base64UrlDecode(signature, 'signature'),
        utf8Encode(canonicalJson(signed)),
        publicKey,
      );
    if (!valid) {
      throw refused('the authorisation signature is not valid');
    }
    if (fields.resource !== requirements.resource) {
      throw refused('the authorisation is for another request');
    }
    const ageMs = clock.now() - fields.timestampMs;
    if (ageMs > TEST_AUTHORISATION_STALE_MS || ageMs < 0) {
      throw refused('the authorisation is stale');
    }
    if (requirements.singleUse === true) {
      if (spentNonces.has(fields.nonce)) {
        throw refused('the authorisation was already used');
      }
      spentNonces.add(fields.nonce);
    }
    return {
      userUid: fields.userUid,
      sessionUid: fields.sessionUid,
      identityUrl: fields.identityUrl,
      resource: fields.resource,
    };
  };
}

interface Fields {
  readonly userUid: string;
  readonly sessionUid: string;
  readonly identityUrl: string;
  readonly resource: string;
  readonly timestampMs: number;
  readonly nonce: string;
  readonly signature: string;
}

function parseFields(value: unknown): Fields {
  const record =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const texts = ['userUid', 'sessionUid', 'identityUrl', 'resource', 'nonce', 'signature'];
  const valid =
    texts.every((name) => typeof record[name] === 'string') &&
    Number.isSafeInteger(record.timestampMs) &&
    Object.keys(record).length === texts.length + 1;
  if (!valid) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'authorisation is malformed');
  }
  return record as unknown as Fields;
}

function refused(message: string): AcquireError {
  return new AcquireError(ErrorCode.INVALID_SIGNATURE, message);
}
