/**
 * A service's public info, served at `GET /`: what another party needs to call it (its
 * encryption key) and to believe its replies (its signing key), plus the keys it used before a
 * rotation, each endorsed by the key it replaced so that a caller who pinned an old key can
 * follow the rotation.
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlDecode, utf8Encode } from '../crypto/encoding.js';
import { decodePublicKey, fingerprint } from '../crypto/public-key.js';
import { isValidSignature } from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { canonicalJson } from './request-resource.js';
import { SERVICE_TYPES, type ServiceType } from './service-url.js';

/** The wire protocol version this runtime speaks, in envelopes and public info. */
export const PROTOCOL_VERSION = 1;

/** At most this many retired key sets are published; older ones are dropped at rotation. */
export const RETIRED_KEYS_MAX = 4;

/** A key set a service used before a rotation, still honoured until `graceEndsMs`. */
export interface RetiredServiceKeys {
  /** The retired X25519 key as `x25519:<base64url>`. */
  readonly encryptionKey: string;
  /** The retired Ed25519 key as `ed25519:<base64url>`. */
  readonly signingKey: string;
  /** Fingerprint of the retired signing key. */
  readonly signingKeyFingerprint: string;
  /** Fingerprint of the retired encryption key. */
  readonly encryptionKeyFingerprint: string;
  /** When the keys were replaced, in ms since the epoch. */
  readonly retiredMs: number;
  /** Until when the keys are still honoured, in ms since the epoch. */
  readonly graceEndsMs: number;
  /** base64url signature by the retired signing key over the keys that replaced it. */
  readonly endorsement: string;
}

/** What `GET /` of a service returns. */
export interface ServicePublicInfo {
  /** The wire protocol version, {@link PROTOCOL_VERSION}. */
  readonly protocolVersion: number;
  /** The kind of service. */
  readonly type: ServiceType;
  /** The service's canonical URL. */
  readonly url: string;
  /** The service's uid; absent until an admin has set the service up. */
  readonly uid?: string;
  /** Whether an admin has set the service up. Before, only `setup` can be called. */
  readonly setUp: boolean;
  /** The X25519 key arguments are sealed to, as `x25519:<base64url>`. */
  readonly encryptionKey: string;
  /** The Ed25519 key replies are signed with, as `ed25519:<base64url>`. */
  readonly signingKey: string;
  /** Fingerprint of {@link ServicePublicInfo.encryptionKey}. */
  readonly encryptionKeyFingerprint: string;
  /** Fingerprint of {@link ServicePublicInfo.signingKey}. */
  readonly signingKeyFingerprint: string;
  /** Keys used before rotations, newest first, each endorsing its successor. */
  readonly previousKeys: readonly RetiredServiceKeys[];
}

/** The fingerprints a caller pinned for a service; the service's info must match them. */
export interface PinnedServiceKeys {
  /** Fingerprint of the pinned signing key. */
  readonly signingKeyFingerprint: string;
  /** Fingerprint of the pinned encryption key. */
  readonly encryptionKeyFingerprint: string;
}

const FINGERPRINT_SCHEMA = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}$/));
const KEY_TEXT_SCHEMA = v.pipe(v.string(), v.maxLength(64));

const RETIRED_KEYS_SCHEMA = v.object({
  encryptionKey: KEY_TEXT_SCHEMA,
  signingKey: KEY_TEXT_SCHEMA,
  signingKeyFingerprint: FINGERPRINT_SCHEMA,
  encryptionKeyFingerprint: FINGERPRINT_SCHEMA,
  retiredMs: v.number(),
  graceEndsMs: v.number(),
  endorsement: v.pipe(v.string(), v.maxLength(128)),
});

const PUBLIC_INFO_SCHEMA = v.object({
  protocolVersion: v.number(),
  type: v.picklist(SERVICE_TYPES),
  url: v.pipe(v.string(), v.maxLength(512)),
  uid: v.optional(v.pipe(v.string(), v.maxLength(128))),
  setUp: v.boolean(),
  encryptionKey: KEY_TEXT_SCHEMA,
  signingKey: KEY_TEXT_SCHEMA,
  encryptionKeyFingerprint: FINGERPRINT_SCHEMA,
  signingKeyFingerprint: FINGERPRINT_SCHEMA,
  previousKeys: v.pipe(v.array(RETIRED_KEYS_SCHEMA), v.maxLength(RETIRED_KEYS_MAX)),
});

/**
 * Checks that untrusted JSON is a well-formed public info whose fingerprints match its keys.
 *
 * @param value - decoded JSON from `GET /`
 * @returns the public info
 * @throws AcquireError `SERVICE_INFO_MISMATCH` when the shape, protocol version, keys or
 *   fingerprints are wrong
 */
export function parseServicePublicInfo(value: unknown): ServicePublicInfo {
  const result = v.safeParse(PUBLIC_INFO_SCHEMA, value);
  if (!result.success) {
    throw mismatch('service public info has the wrong shape');
  }
  const info = result.output;
  if (info.protocolVersion !== PROTOCOL_VERSION) {
    throw mismatch(`service speaks protocol version ${info.protocolVersion}`);
  }

  const keySets = [info, ...info.previousKeys];
  for (const keys of keySets) {
    try {
      const encryption = decodePublicKey('x25519', keys.encryptionKey);
      const signing = decodePublicKey('ed25519', keys.signingKey);
      if (
        fingerprint('x25519', encryption) !== keys.encryptionKeyFingerprint ||
        fingerprint('ed25519', signing) !== keys.signingKeyFingerprint
      ) {
        throw mismatch('service key fingerprints do not match its keys');
      }
    } catch (cause) {
      throw AcquireError.is(cause, ErrorCode.SERVICE_INFO_MISMATCH)
        ? cause
        : mismatch('service public info holds a malformed key');
    }
  }
  return info;
}

/**
 * The bytes a retiring signing key signs to endorse the keys that replace it.
 *
 * @param url - the service's canonical URL
 * @param encryptionKey - the new encryption key text
 * @param signingKey - the new signing key text
 * @param retiredMs - when the old keys were retired
 * @returns the message to sign or verify
 */
export function rotationEndorsementMessage(
  url: string,
  encryptionKey: string,
  signingKey: string,
  retiredMs: number,
): Uint8Array {
  return utf8Encode(
    canonicalJson({
      purpose: 'acquire/key-rotation/v1',
      url,
      encryptionKey,
      signingKey,
      retiredMs,
    }),
  );
}

/**
 * Checks a service's public info against pinned fingerprints. The current keys match when
 * their fingerprints equal the pins. Otherwise the pinned keys must be among the previous keys,
 * still in their grace time, and every rotation from them to the current keys must be endorsed
 * by the key it replaced.
 *
 * @param info - public info from {@link parseServicePublicInfo}
 * @param pinned - the fingerprints the caller trusts
 * @param nowMs - the current time, to judge grace times
 * @throws AcquireError `SERVICE_INFO_MISMATCH` when the info cannot be linked to the pins
 */
export function assertInfoMatchesPins(
  info: ServicePublicInfo,
  pinned: PinnedServiceKeys,
  nowMs: number,
): void {
  if (matchesPins(info, pinned)) {
    return;
  }

  const start = info.previousKeys.findIndex((keys) => matchesPins(keys, pinned));
  if (start < 0 || (info.previousKeys[start] as RetiredServiceKeys).graceEndsMs <= nowMs) {
    throw mismatch('service keys do not match the pinned keys');
  }

  // previousKeys is newest first: entry i was replaced by entry i-1, and entry 0 by the current
  // keys. Walk from the pinned entry towards the current keys, checking each endorsement.
  for (let index = start; index >= 0; index--) {
    const retired = info.previousKeys[index] as RetiredServiceKeys;
    const successor = index === 0 ? info : (info.previousKeys[index - 1] as RetiredServiceKeys);
    const message = rotationEndorsementMessage(
      info.url,
      successor.encryptionKey,
      successor.signingKey,
      retired.retiredMs,
    );
    if (!isEndorsementValid(retired, message)) {
      throw mismatch('service key rotation is not endorsed by the pinned key');
    }
  }
}

function isEndorsementValid(retired: RetiredServiceKeys, message: Uint8Array): boolean {
  try {
    const signature = base64UrlDecode(retired.endorsement, 'endorsement');
    return isValidSignature(signature, message, decodePublicKey('ed25519', retired.signingKey));
  } catch {
    return false;
  }
}

function matchesPins(keys: PinnedServiceKeys, pinned: PinnedServiceKeys): boolean {
  return (
    keys.signingKeyFingerprint === pinned.signingKeyFingerprint &&
    keys.encryptionKeyFingerprint === pinned.encryptionKeyFingerprint
  );
}

function mismatch(message: string): AcquireError {
  return new AcquireError(ErrorCode.SERVICE_INFO_MISMATCH, message);
}
