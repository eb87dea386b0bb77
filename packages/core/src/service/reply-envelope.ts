/**
 * Replies. A plain reply is `{ status: 'ok', message, result }` or
 * `{ status: 'error', code, message }`. When the caller sent a reply key or asked for a signature,
 * the plain reply's canonical JSON travels wrapped:
 *
 * ```json
 * { "v": 1, "function": "get_keys", "nonce": "<caller's nonce>", "sealed": true,
 *   "reply": "<base64url: sealed box, or the JSON bytes>",
 *   "signature": "<base64url Ed25519>", "signingKeyFingerprint": "<fingerprint>" }
 * ```
 *
 * The signature covers the service URL, the function, the caller's nonce and timestamp, and the
 * exact `reply` text, so it cannot be moved to another call or another service.
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { type EncryptionKeyPair, openSealedBox, sealToPublicKey } from '../crypto/sealed-box.js';
import { isValidSignature, sign } from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import type { ParsedCall } from './call-envelope.js';
import { canonicalJson } from './request-resource.js';
import type { ServiceKeyPairs } from './service-identity.js';
import { PROTOCOL_VERSION } from './service-info.js';

/** Longest error message kept from another service's reply. */
export const REPLY_MESSAGE_LENGTH_MAX_CHARS = 500;

/** A successful reply: `status`, `message` and the function's result, kept apart from both. */
export interface OkReply {
  /** Always `ok`. */
  readonly status: 'ok';
  /** Always `ok`; callers read `result`. */
  readonly message: string;
  /** The function's result object. */
  readonly result: Readonly<Record<string, unknown>>;
}

/** A refusal or failure. */
export interface ErrorReply {
  /** Always `error`. */
  readonly status: 'error';
  /** The stable error code. */
  readonly code: string;
  /** A sentence for people; never a stack trace or a secret. */
  readonly message: string;
}

/** A reply before any sealing or signing. */
export type PlainReply = OkReply | ErrorReply;

/** A service's signing key as a caller knows it. */
export interface ReplySigningKey {
  /** The Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Its fingerprint, compared with the one the reply names. */
  readonly fingerprint: string;
}

/** A reply wrapped for sealing, signing or both. */
export interface WrappedReply {
  /** Protocol version. */
  readonly v: number;
  /** The function answered. */
  readonly function: string;
  /** The caller's nonce, echoed. */
  readonly nonce?: string;
  /** Whether `reply` is a sealed box (else the plain reply's JSON bytes). */
  readonly sealed: boolean;
  /** base64url of the sealed box or JSON bytes. */
  readonly reply: string;
  /** base64url Ed25519 signature, when asked for. */
  readonly signature?: string;
  /** Fingerprint of the key that signed. */
  readonly signingKeyFingerprint?: string;
}

/** What the signature of a wrapped reply covers. */
export interface ReplySignatureInput {
  /** The service's canonical URL. */
  readonly url: string;
  /** The function answered. */
  readonly functionName: string;
  /** The caller's nonce. */
  readonly nonce: string;
  /** The caller's timestamp. */
  readonly timestampMs: number;
  /** Whether the reply is sealed. */
  readonly sealed: boolean;
  /** The `reply` text exactly as sent. */
  readonly reply: string;
}

/**
 * The bytes a service signs for a wrapped reply.
 *
 * @param input - the URL, call and reply being bound together
 * @returns the message to sign or verify
 */
export function replySignatureMessage(input: ReplySignatureInput): Uint8Array {
  return utf8Encode(
    canonicalJson({
      purpose: 'acquire/reply/v1',
      url: input.url,
      function: input.functionName,
      nonce: input.nonce,
      timestampMs: input.timestampMs,
      sealed: input.sealed,
      reply: input.reply,
    }),
  );
}

/**
 * Wraps a plain reply as the call asked: sealed to its reply key, signed, both, or neither.
 *
 * @param plain - the plain reply
 * @param call - the call being answered
 * @param keys - the service's current key pairs
 * @param service - the service's canonical URL and signing-key fingerprint
 * @returns the body to send
 */
export function packReply(
  plain: PlainReply,
  call: ParsedCall,
  keys: ServiceKeyPairs,
  service: { readonly url: string; readonly signingKeyFingerprint: string },
): PlainReply | WrappedReply {
  if (call.replyKey === undefined && !call.signReply) {
    return plain;
  }

  const bytes = utf8Encode(canonicalJson(plain));
  const sealed = call.replyKey !== undefined;
  const reply = base64UrlEncode(
    sealed ? sealToPublicKey(bytes, call.replyKey as Uint8Array) : bytes,
  );
  const wrapped: WrappedReply = {
    v: PROTOCOL_VERSION,
    function: call.functionName,
    ...(call.nonce === undefined ? {} : { nonce: call.nonce }),
    sealed,
    reply,
  };
  if (!call.signReply || call.nonce === undefined || call.timestampMs === undefined) {
    return wrapped;
  }

  const message = replySignatureMessage({
    url: service.url,
    functionName: call.functionName,
    nonce: call.nonce,
    timestampMs: call.timestampMs,
    sealed,
    reply,
  });
  return {
    ...wrapped,
    signature: base64UrlEncode(sign(message, keys.signing.secretKey)),
    signingKeyFingerprint: service.signingKeyFingerprint,
  };
}

/** What the caller knows about the call it made, to judge the reply. */
export interface ReplyExpectation {
  /** The service's canonical URL. */
  readonly url: string;
  /** The function called. */
  readonly functionName: string;
  /** The nonce sent. */
  readonly nonce: string;
  /** The timestamp sent. */
  readonly timestampMs: number;
  /** The reply key pair, when a sealed reply was asked for. */
  readonly replyKeyPair?: EncryptionKeyPair;
  /** The service's signing key and its fingerprint, when a signed reply was asked for. */
  readonly signingKey?: ReplySigningKey;
}

const WRAPPED_SCHEMA = v.object({
  v: v.number(),
  function: v.string(),
  nonce: v.optional(v.string()),
  sealed: v.boolean(),
  reply: v.string(),
  signature: v.optional(v.string()),
  signingKeyFingerprint: v.optional(v.string()),
});

const PLAIN_SCHEMA = v.union([
  v.object({
    status: v.literal('ok'),
    message: v.string(),
    result: v.record(v.string(), v.unknown()),
  }),
  v.object({ status: v.literal('error'), code: v.string(), message: v.string() }),
]);

/**
 * Tells a wrapped reply (one the service answered after understanding the call, signed when a
 * signature was asked for) from an unwrapped one, which anyone on the way could have made.
 *
 * @param body - the decoded response body
 * @returns true when the body is a wrapped reply
 */
export function isWrappedReply(body: unknown): boolean {
  return v.is(WRAPPED_SCHEMA, body);
}

/**
 * Checks a reply body against the call made and returns the plain reply inside. An unwrapped
 * error reply is accepted even when a signature was asked for: envelope errors are answered
 * before the service knows how to wrap, and a forged error can only make a call fail.
 *
 * @param body - the decoded response body
 * @param expected - what the caller sent
 * @returns the plain reply
 * @throws AcquireError `REPLY_MALFORMED`, `REPLY_REPLAYED` (the nonce is another call's) or
 *   `REPLY_INVALID_SIGNATURE` (missing, unknown key, or not verifying); the last carries
 *   `details.unknownKey` when it was signed by a key the caller does not know yet
 */
export function unpackReply(body: unknown, expected: ReplyExpectation): PlainReply {
  const wrapped = v.safeParse(WRAPPED_SCHEMA, body);
  if (!wrapped.success) {
    const plain = parsePlain(body);
    if (
      plain.status === 'ok' &&
      (expected.signingKey !== undefined || expected.replyKeyPair !== undefined)
    ) {
      throw new AcquireError(
        ErrorCode.REPLY_INVALID_SIGNATURE,
        'reply is not signed or sealed as asked',
      );
    }
    return plain;
  }

  const reply = wrapped.output;
  if (reply.v !== PROTOCOL_VERSION || reply.function !== expected.functionName) {
    throw new AcquireError(ErrorCode.REPLY_MALFORMED, 'reply answers another function or protocol');
  }
  if (reply.nonce !== expected.nonce) {
    throw new AcquireError(ErrorCode.REPLY_REPLAYED, 'reply carries the nonce of another call');
  }
  if (expected.signingKey !== undefined) {
    assertReplySignature(reply, expected, expected.signingKey);
  }
  if (reply.sealed !== (expected.replyKeyPair !== undefined)) {
    throw new AcquireError(ErrorCode.REPLY_MALFORMED, 'reply is not sealed as asked');
  }

  return parsePlain(decodeReplyBytes(reply.reply, expected.replyKeyPair));
}

function assertReplySignature(
  reply: v.InferOutput<typeof WRAPPED_SCHEMA>,
  expected: ReplyExpectation,
  signingKey: ReplySigningKey,
): void {
  if (reply.signature === undefined) {
    throw new AcquireError(ErrorCode.REPLY_INVALID_SIGNATURE, 'reply is not signed');
  }
  if (reply.signingKeyFingerprint !== signingKey.fingerprint) {
    throw new AcquireError(ErrorCode.REPLY_INVALID_SIGNATURE, 'reply is signed by an unknown key', {
      details: { unknownKey: true },
    });
  }

  const message = replySignatureMessage({
    url: expected.url,
    functionName: expected.functionName,
    nonce: expected.nonce,
    timestampMs: expected.timestampMs,
    sealed: reply.sealed,
    reply: reply.reply,
  });
  let signature: Uint8Array;
  try {
    signature = base64UrlDecode(reply.signature, 'signature');
  } catch {
    throw new AcquireError(ErrorCode.REPLY_INVALID_SIGNATURE, 'reply signature is malformed');
  }
  if (!isValidSignature(signature, message, signingKey.publicKey)) {
    throw new AcquireError(ErrorCode.REPLY_INVALID_SIGNATURE, 'reply signature does not verify');
  }
}

function decodeReplyBytes(text: string, replyKeyPair: EncryptionKeyPair | undefined): unknown {
  try {
    const bytes = base64UrlDecode(text, 'reply');
    const opened = replyKeyPair === undefined ? bytes : openSealedBox(bytes, replyKeyPair);
    return JSON.parse(utf8Decode(opened));
  } catch (cause) {
    throw new AcquireError(ErrorCode.REPLY_MALFORMED, 'reply does not open or is not JSON', {
      cause,
    });
  }
}

function parsePlain(body: unknown): PlainReply {
  const result = v.safeParse(PLAIN_SCHEMA, body);
  if (!result.success) {
    throw new AcquireError(ErrorCode.REPLY_MALFORMED, 'reply has the wrong shape');
  }
  return result.output as PlainReply;
}
