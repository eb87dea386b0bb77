/**
 * Argument schemas shared by the identity functions, with the length limits they enforce.
 * Every string is length-limited and must be well-formed Unicode (no lone surrogates, which
 * would otherwise turn two different inputs into the same UTF-8).
 *
 * @module
 */

import * as v from 'valibot';
import { PASSWORD_LENGTH_MAX_CHARS } from '../crypto/password-seal.js';
import { decodePublicKey, type KeyAlgorithm } from '../crypto/public-key.js';
import { TOTP_DIGITS } from '../crypto/totp.js';
import { SHORT_UID_PATTERN, UID_PATTERN } from './uids.js';
import { USERNAME_INPUT_LENGTH_MAX_CHARS, usernameProblem } from './usernames.js';

/** The longest textual IP address: an IPv6 address with an IPv4 tail and a zone id. */
export const IP_ADDRESS_LENGTH_MAX_CHARS = 64;

/** The longest DNS host name (RFC 1035 §2.3.4). */
export const HOSTNAME_LENGTH_MAX_CHARS = 253;

/** A note to show on the login page: a sentence or two. */
export const LOGIN_MESSAGE_LENGTH_MAX_CHARS = 500;

/** `x25519:` or `ed25519:` and 43 base64url characters; a little slack for the longer label. */
export const PUBLIC_KEY_TEXT_LENGTH_MAX_CHARS = 64;

/** One uid: 36 characters. */
const UID_LENGTH_CHARS = 36;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const CONTROL_CHARACTER_PATTERN = /[\u0000-\u001f\u007f-\u009f]/;

const isWellFormed = (text: string): boolean => text.isWellFormed();

const hasNoControlCharacters = (text: string): boolean => !CONTROL_CHARACTER_PATTERN.test(text);

/** A username as typed: normalised and checked later by `parseUsername`. */
export const USERNAME_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.maxLength(USERNAME_INPUT_LENGTH_MAX_CHARS),
  v.check((text) => usernameProblem(text) === undefined, 'username is not acceptable'),
);

/** A password: any well-formed text, 1 to `PASSWORD_LENGTH_MAX_CHARS` characters. */
export const PASSWORD_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(PASSWORD_LENGTH_MAX_CHARS),
  v.check(isWellFormed, 'password must be well-formed Unicode'),
);

/** A uid as Acquire writes it. */
export const UID_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.length(UID_LENGTH_CHARS),
  v.regex(UID_PATTERN, 'uid must be a lower-case UUID'),
);

/** A session's short uid. */
export const SHORT_UID_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.regex(SHORT_UID_PATTERN, 'short uid must be 8 lower-case hex digits'),
);

/** A one-time code as an authenticator app shows it. */
export const CODE_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.regex(new RegExp(`^[0-9]{${TOTP_DIGITS}}$`), `code must be ${TOTP_DIGITS} digits`),
);

/**
 * A public key in text form of one algorithm.
 *
 * @param algorithm - the algorithm the key must have
 * @returns a schema accepting `<algorithm>:<base64url of 32 bytes>`
 */
export function publicKeySchema(algorithm: KeyAlgorithm): v.GenericSchema<string> {
  return v.pipe(
    v.string(),
    v.maxLength(PUBLIC_KEY_TEXT_LENGTH_MAX_CHARS),
    v.check((text) => isPublicKeyText(algorithm, text), `must be an ${algorithm} public key`),
  );
}

/**
 * Optional single-line text: well-formed, no control characters, at most `maxChars`.
 *
 * @param maxChars - the length limit
 * @returns the schema
 */
export function lineSchema(maxChars: number): v.GenericSchema<string> {
  return v.pipe(
    v.string(),
    v.maxLength(maxChars),
    v.check(isWellFormed),
    v.check(hasNoControlCharacters, 'must not contain control characters'),
  );
}

/** Free text such as a login message: well-formed, limited, line breaks allowed. */
export const MESSAGE_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.maxLength(LOGIN_MESSAGE_LENGTH_MAX_CHARS),
  v.check(isWellFormed, 'message must be well-formed Unicode'),
);

function isPublicKeyText(algorithm: KeyAlgorithm, text: string): boolean {
  try {
    decodePublicKey(algorithm, text);
    return true;
  } catch {
    return false;
  }
}
