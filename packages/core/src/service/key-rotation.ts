/**
 * Key rotation: the service gets new key pairs, and the old ones stay published (and the old
 * encryption key keeps opening arguments) for a grace time. The old signing key endorses the new
 * keys, so a caller that pinned the old fingerprints can follow the rotation without an admin.
 *
 * @module
 */

import { base64UrlEncode } from '../crypto/encoding.js';
import { sign } from '../crypto/signing.js';
import type {
  ServiceIdentityRecord,
  ServiceKeyPairs,
  StoredRetiredKeys,
  StoredServiceKeys,
} from './service-identity.js';
import { RETIRED_KEYS_MAX, rotationEndorsementMessage } from './service-info.js';

/**
 * How long retired keys stay valid by default: a week, long enough for every trusting service
 * to refresh its cached info (minutes) and for in-flight work to finish.
 */
export const KEY_ROTATION_GRACE_MS_DEFAULT: number = 7 * 24 * 60 * 60 * 1000;

/** What a rotation needs besides the current record. */
export interface KeyRotation {
  /** The key pairs being retired (the record's current keys, opened). */
  readonly retiring: ServiceKeyPairs;
  /** The new keys as stored. */
  readonly next: StoredServiceKeys;
  /** The rotation time, in ms since the epoch. */
  readonly nowMs: number;
  /** How long the retired keys stay valid. */
  readonly graceMs: number;
}

/**
 * Builds the record after a rotation: new current keys, the old ones first among the previous
 * keys with an endorsement of the new ones, and previous keys past their grace time dropped.
 *
 * @param record - the current record
 * @param rotation - the keys and times
 * @returns the next record
 */
export function rotatedRecord(
  record: ServiceIdentityRecord,
  rotation: KeyRotation,
): ServiceIdentityRecord {
  const message = rotationEndorsementMessage(
    record.url,
    rotation.next.encryptionKey,
    rotation.next.signingKey,
    rotation.nowMs,
  );
  const retired: StoredRetiredKeys = {
    ...record.keys,
    retiredMs: rotation.nowMs,
    graceEndsMs: rotation.nowMs + rotation.graceMs,
    endorsement: base64UrlEncode(sign(message, rotation.retiring.signing.secretKey)),
  };
  const stillValid = record.previousKeys.filter((keys) => keys.graceEndsMs > rotation.nowMs);

  return {
    ...record,
    keys: rotation.next,
    previousKeys: [retired, ...stillValid].slice(0, RETIRED_KEYS_MAX),
  };
}
