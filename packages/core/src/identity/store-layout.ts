/**
 * Where the identity service keeps its records. Every record is JSON with a schema version `v`.
 * `<name>` is a username's key segment (see {@link parseUsername}); uids are lower-case UUIDs.
 *
 * | key | holds | written by |
 * |---|---|---|
 * | `accounts/<name>` | the {@link UserAccount}; claimed once with write-if-absent, changed by compare-and-swap | register |
 * | `whois/<user uid>` | the username, written before the account is claimed | register |
 * | `sessions/<name>/<session uid>` | live {@link LoginSession}s: unapproved, approved, suspicious | request_login, login |
 * | `expired_sessions/<name>/<session uid>` | ended sessions: logged out, expired, denied, suspicious | logout, pruning |
 * | `requests/<short uid>/<session uid>` | the pending request's owner (`<name>`) and time | request_login |
 * | `otps/<name>/<secret>/<time step>` | a spent one-time code: which session spent it and when; `<secret>` is `account` or a device uid | login |
 * | `devices/<name>/<device uid>` | a remembered device's TOTP secret, sealed to the user's public key | login |
 * | `throttle/users/<name>` | failed logins of one user and when the next attempt is allowed | login, register |
 * | `throttle/addresses/<address>` | failed logins from one source address | login, register |
 *
 * A session's key moves from `sessions/` to `expired_sessions/` when it ends; readers look in
 * both, live first, so a move cut short by a crash is still read correctly and is finished by
 * the next pruning.
 *
 * A verifier of single-use authorisations keeps its spent nonces in its own store, under
 * `authorisation_nonces/<hour>/<session uid>/<nonce>` (see `createAuthorisationVerifier`).
 *
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { KEY_SEGMENT_LENGTH_MAX_BYTES } from '../store/keys.js';

/** ASCII characters kept literally in an escaped segment; every other ASCII character is escaped. */
const LITERAL_ASCII_PATTERN = /^[a-z0-9-]$/;

const ASCII_CODE_POINT_MAX = 0x7f;

/** Marks a segment that is a digest rather than an escape; `~` never survives escaping. */
const DIGEST_SEGMENT_MARK = '~';

/** The secret name used in `otps/` keys for codes of the account's own TOTP secret. */
export const ACCOUNT_SECRET_ID = 'account';

/**
 * Escapes every ASCII character outside `[a-z0-9-]` as `%` and two lower-case hex digits, and
 * keeps every other character. `%` is escaped too, so the mapping is injective. The caller must
 * already have refused control characters and lone surrogates.
 *
 * @param text - the text to escape
 * @returns text that holds no `/`, `.` or ASCII control character
 */
export function escapeKeySegment(text: string): string {
  let escaped = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0) as number;
    escaped +=
      codePoint > ASCII_CODE_POINT_MAX || LITERAL_ASCII_PATTERN.test(character)
        ? character
        : `%${codePoint.toString(16).padStart(2, '0')}`;
  }
  return escaped;
}

/**
 * The key segment of a source address: its escape when that is printable ASCII and fits one
 * segment, otherwise `~` and a SHA-256 digest. The two forms never meet, since `~` is escaped.
 *
 * @param address - a network address as the host reported it
 * @returns a valid key segment
 */
export function addressSegment(address: string): string {
  const printable = /^[\x21-\x7e]+$/.test(address);
  const escaped = printable ? escapeKeySegment(address) : '';
  if (printable && utf8Encode(escaped).length <= KEY_SEGMENT_LENGTH_MAX_BYTES) {
    return escaped;
  }
  return `${DIGEST_SEGMENT_MARK}${base64UrlEncode(sha256(utf8Encode(address)))}`;
}

/**
 * The user record.
 *
 * @param name - the username key segment
 * @returns `accounts/<name>`
 */
export const accountKey = (name: string): string => `accounts/${name}`;

/**
 * The uid-to-name record.
 *
 * @param userUid - the user's uid
 * @returns `whois/<user uid>`
 */
export const whoisKey = (userUid: string): string => `whois/${userUid}`;

/**
 * The prefix of one user's live sessions.
 *
 * @param name - the username key segment
 * @returns `sessions/<name>`
 */
export const liveSessionsPrefix = (name: string): string => `sessions/${name}`;

/**
 * A live session.
 *
 * @param name - the username key segment
 * @param sessionUid - the session uid
 * @returns `sessions/<name>/<session uid>`
 */
export const liveSessionKey = (name: string, sessionUid: string): string =>
  `sessions/${name}/${sessionUid}`;

/**
 * An ended session.
 *
 * @param name - the username key segment
 * @param sessionUid - the session uid
 * @returns `expired_sessions/<name>/<session uid>`
 */
export const expiredSessionKey = (name: string, sessionUid: string): string =>
  `expired_sessions/${name}/${sessionUid}`;

/**
 * The prefix of the pending requests sharing one short uid.
 *
 * @param shortUid - the short uid
 * @returns `requests/<short uid>`
 */
export const requestsPrefix = (shortUid: string): string => `requests/${shortUid}`;

/**
 * A pending request.
 *
 * @param shortUid - the session's short uid
 * @param sessionUid - the session uid
 * @returns `requests/<short uid>/<session uid>`
 */
export const requestKey = (shortUid: string, sessionUid: string): string =>
  `requests/${shortUid}/${sessionUid}`;

/**
 * The prefix of one secret's spent codes.
 *
 * @param name - the username key segment
 * @param secretId - {@link ACCOUNT_SECRET_ID} or a device uid
 * @returns `otps/<name>/<secret>`
 */
export const spentCodesPrefix = (name: string, secretId: string): string =>
  `otps/${name}/${secretId}`;

/**
 * One spent code, by its TOTP time step.
 *
 * @param name - the username key segment
 * @param secretId - {@link ACCOUNT_SECRET_ID} or a device uid
 * @param step - the RFC 6238 time step the code belongs to
 * @returns `otps/<name>/<secret>/<step>`
 */
export const spentCodeKey = (name: string, secretId: string, step: number): string =>
  `otps/${name}/${secretId}/${step}`;

/**
 * The prefix of one user's remembered devices.
 *
 * @param name - the username key segment
 * @returns `devices/<name>`
 */
export const devicesPrefix = (name: string): string => `devices/${name}`;

/**
 * A remembered device.
 *
 * @param name - the username key segment
 * @param deviceUid - the device uid
 * @returns `devices/<name>/<device uid>`
 */
export const deviceKey = (name: string, deviceUid: string): string =>
  `devices/${name}/${deviceUid}`;

/**
 * Failed logins of one user.
 *
 * @param name - the username key segment
 * @returns `throttle/users/<name>`
 */
export const userThrottleKey = (name: string): string => `throttle/users/${name}`;

/**
 * Failed logins from one source address.
 *
 * @param address - the address as the host reported it
 * @returns `throttle/addresses/<address segment>`
 */
export const addressThrottleKey = (address: string): string =>
  `throttle/addresses/${addressSegment(address)}`;
