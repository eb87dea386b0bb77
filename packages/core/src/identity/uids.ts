/**
 * Unique ids for users, sessions and devices: random version-4 UUIDs (RFC 9562 §5.4) drawn from
 * the randomness module, so seeded tests repeat.
 *
 * @module
 */

import { randomBytes } from '../crypto/random.js';

/** A UUID carries 16 bytes. */
const UUID_BYTES = 16;

/** Lower-case hex UUID, the only form Acquire writes and accepts. */
export const UID_PATTERN: RegExp = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A short uid is the first 8 hex digits of a session uid: short enough to type from a login URL.
 * Two pending requests can share one (a 1 in 2^32 chance per pair), which login detects.
 */
export const SHORT_UID_LENGTH_CHARS = 8;

/** Exactly {@link SHORT_UID_LENGTH_CHARS} lower-case hex digits. */
export const SHORT_UID_PATTERN: RegExp = /^[0-9a-f]{8}$/;

/**
 * Makes a new random uid.
 *
 * @returns a lower-case version-4 UUID
 */
export function createUid(): string {
  const bytes = randomBytes(UUID_BYTES);
  // RFC 9562 §5.4: version 4 in the high nibble of byte 6, variant 0b10 in the top bits of byte 8.
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;

  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The short uid of a session uid.
 *
 * @param sessionUid - a uid from {@link createUid}
 * @returns its first {@link SHORT_UID_LENGTH_CHARS} characters
 */
export function shortUidOf(sessionUid: string): string {
  return sessionUid.slice(0, SHORT_UID_LENGTH_CHARS);
}
