/**
 * The call envelope: what a caller POSTs to a service.
 *
 * ```json
 * { "v": 1, "function": "get_status", "args": "<base64url sealed box>",
 *   "replyKey": "x25519:…", "signReply": true,
 *   "nonce": "<base64url>", "timestampMs": 1767225600000 }
 * ```
 *
 * `args` is the canonical JSON of the arguments sealed to the service's X25519 key, so only the
 * service reads them. With `replyKey` the reply is sealed to that key; with `signReply` it is
 * signed together with the caller's `nonce` and `timestampMs`, so an old reply cannot be passed
 * off as the answer to a new call.
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { decodePublicKey } from '../crypto/public-key.js';
import { randomBytes } from '../crypto/random.js';
import { openSealedBox, sealToPublicKey } from '../crypto/sealed-box.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { canonicalJson } from './request-resource.js';
import type { ServiceKeyPairs } from './service-identity.js';
import { PROTOCOL_VERSION } from './service-info.js';

/**
 * Largest request body a service reads: 1 MiB. Arguments are small records; anything bigger is
 * a mistake or an attack, refused before parsing.
 */
export const REQUEST_BODY_BYTES_MAX: number = 1024 * 1024;

/** Longest function name; wire names are short snake_case words. */
export const FUNCTION_NAME_LENGTH_MAX_CHARS = 64;

/** Random bytes in a call nonce: 128 bits, so no two calls share one. */
export const CALL_NONCE_BYTES = 16;

/** A call as sent on the wire. */
export interface CallEnvelope {
  /** Protocol version, {@link PROTOCOL_VERSION}. */
  readonly v: number;
  /** The function's wire name. */
  readonly function: string;
  /** base64url sealed box of the canonical JSON arguments. */
  readonly args: string;
  /** `x25519:<base64url>`: seal the reply to this key. */
  readonly replyKey?: string;
  /** Sign the reply together with `nonce` and `timestampMs`. */
  readonly signReply?: boolean;
  /** base64url random bytes that the signed reply must carry. */
  readonly nonce?: string;
  /** The caller's time of sending, in ms since the epoch, covered by the reply signature. */
  readonly timestampMs?: number;
}

/** A call envelope the service has checked, with its reply options decoded. */
export interface ParsedCall {
  /** The function's wire name. */
  readonly functionName: string;
  /** The sealed arguments, still sealed. */
  readonly sealedArgs: string;
  /** The key to seal the reply to, if any. */
  readonly replyKey: Uint8Array | undefined;
  /** Whether to sign the reply. */
  readonly signReply: boolean;
  /** The caller's nonce, if sent. */
  readonly nonce: string | undefined;
  /** The caller's timestamp, if sent. */
  readonly timestampMs: number | undefined;
}

const NONCE_SCHEMA = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,64}$/));

const ENVELOPE_SCHEMA = v.strictObject({
  v: v.literal(PROTOCOL_VERSION),
  function: v.pipe(
    v.string(),
    v.maxLength(FUNCTION_NAME_LENGTH_MAX_CHARS),
    v.regex(/^[a-z][a-z0-9_]*$/),
  ),
  args: v.pipe(v.string(), v.minLength(1)),
  replyKey: v.optional(v.pipe(v.string(), v.maxLength(64))),
  signReply: v.optional(v.boolean()),
  nonce: v.optional(NONCE_SCHEMA),
  timestampMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});

/** Reply options a caller chooses for {@link sealCall}. */
export interface SealCallOptions {
  /** The caller's X25519 public key to seal the reply to. */
  readonly replyKey?: Uint8Array;
  /** Whether to ask for a signed reply. */
  readonly signReply: boolean;
  /** The caller's time, in ms since the epoch. */
  readonly timestampMs: number;
}

/**
 * Builds a call envelope: seals the canonical JSON of `args` to the service's key and adds a
 * fresh nonce.
 *
 * @param functionName - the wire name
 * @param args - JSON-safe arguments
 * @param serviceEncryptionKey - the service's X25519 public key
 * @param options - reply key, signing wish and time
 * @returns the envelope to POST
 * @throws TypeError when `args` holds values JSON cannot represent
 */
export function sealCall(
  functionName: string,
  args: unknown,
  serviceEncryptionKey: Uint8Array,
  options: SealCallOptions,
): CallEnvelope {
  const sealed = sealToPublicKey(utf8Encode(canonicalJson(args)), serviceEncryptionKey);
  return {
    v: PROTOCOL_VERSION,
    function: functionName,
    args: base64UrlEncode(sealed),
    ...(options.replyKey === undefined
      ? {}
      : { replyKey: `x25519:${base64UrlEncode(options.replyKey)}` }),
    signReply: options.signReply,
    nonce: base64UrlEncode(randomBytes(CALL_NONCE_BYTES)),
    timestampMs: options.timestampMs,
  };
}

/**
 * Checks decoded JSON as a call envelope. The version is judged first, so a caller speaking a
 * newer protocol is told so rather than that its envelope is malformed.
 *
 * @param body - the decoded request body
 * @returns the call
 * @throws AcquireError `UNSUPPORTED_PROTOCOL_VERSION` or `MALFORMED_ENVELOPE`
 */
export function parseCallEnvelope(body: unknown): ParsedCall {
  if (typeof body === 'object' && body !== null && 'v' in body && body.v !== PROTOCOL_VERSION) {
    throw new AcquireError(
      ErrorCode.UNSUPPORTED_PROTOCOL_VERSION,
      `this service speaks protocol version ${PROTOCOL_VERSION}`,
    );
  }

  const result = v.safeParse(ENVELOPE_SCHEMA, body);
  if (!result.success) {
    const paths = result.issues.map((issue) => v.getDotPath(issue) ?? 'body');
    throw malformed(`call envelope is malformed at ${[...new Set(paths)].slice(0, 3).join(', ')}`);
  }

  const envelope = result.output;
  if (
    envelope.signReply === true &&
    (envelope.nonce === undefined || envelope.timestampMs === undefined)
  ) {
    throw malformed('a signed reply needs a nonce and a timestamp');
  }

  return {
    functionName: envelope.function,
    sealedArgs: envelope.args,
    replyKey: envelope.replyKey === undefined ? undefined : decodeReplyKey(envelope.replyKey),
    signReply: envelope.signReply === true,
    nonce: envelope.nonce,
    timestampMs: envelope.timestampMs,
  };
}

/**
 * Opens a call's arguments with the service's current key pairs, then with retired ones still in
 * their grace time.
 *
 * @param call - the parsed call
 * @param keyPairs - the service's key pairs, current first
 * @returns the decoded JSON arguments
 * @throws AcquireError `MALFORMED_ENVELOPE` when `args` is not base64url or not JSON,
 *   `ARGUMENTS_UNDECRYPTABLE` when no key opens it
 */
export function openCallArguments(call: ParsedCall, keyPairs: readonly ServiceKeyPairs[]): unknown {
  let sealed: Uint8Array;
  try {
    sealed = base64UrlDecode(call.sealedArgs, 'args');
  } catch {
    throw malformed('call arguments are not base64url');
  }

  const opened = openWithAny(sealed, keyPairs);
  try {
    return JSON.parse(utf8Decode(opened));
  } catch {
    throw malformed('call arguments are not JSON');
  }
}

function openWithAny(sealed: Uint8Array, keyPairs: readonly ServiceKeyPairs[]): Uint8Array {
  for (const keys of keyPairs) {
    try {
      return openSealedBox(sealed, keys.encryption);
    } catch {
      // Try the next key: the caller may have sealed to a key retired by a recent rotation.
    }
  }
  throw new AcquireError(
    ErrorCode.ARGUMENTS_UNDECRYPTABLE,
    "call arguments do not open with this service's keys",
  );
}

function decodeReplyKey(text: string): Uint8Array {
  try {
    return decodePublicKey('x25519', text);
  } catch {
    throw malformed('replyKey is not an x25519 public key');
  }
}

function malformed(message: string): AcquireError {
  return new AcquireError(ErrorCode.MALFORMED_ENVELOPE, message);
}
