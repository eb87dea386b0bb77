/**
 * Usernames: how a typed name becomes the one store key segment that identifies its user.
 *
 * A name is normalised (Unicode NFKC, trimmed, whitespace runs made one space), checked (3–50
 * characters, no control, format, private-use or unassigned characters), case-folded, and then
 * escaped: every ASCII character outside `[a-z0-9-]` becomes `%` and two hex digits, and every
 * other character stays as it is. The escape is injective, so two different folded names never
 * share a key (`a b` is `a%20b`, `a_b` is `a%5fb`), and the result never contains `/`, `.` or
 * a control character, so nothing a user types can leave its key prefix.
 *
 * @module
 */

import { utf8Encode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { KEY_SEGMENT_LENGTH_MAX_BYTES } from '../store/keys.js';
import { escapeKeySegment } from './store-layout.js';

/** The shortest name, in characters (code points) after normalisation. */
export const USERNAME_LENGTH_MIN_CHARS = 3;

/** The longest name, in characters after normalisation: long enough for an email address. */
export const USERNAME_LENGTH_MAX_CHARS = 50;

/**
 * Raw input is capped before normalisation, so a caller cannot make the service normalise
 * megabytes; NFKC rarely grows text, so four times the normalised limit loses no real name.
 */
export const USERNAME_INPUT_LENGTH_MAX_CHARS = 200;

/** A username in its two forms. */
export interface Username {
  /** The normalised name as the user wrote it (case kept), shown back to people. */
  readonly name: string;
  /** The case-folded, escaped name: one valid key segment, the same for `Alice` and `alice`. */
  readonly key: string;
}

/** Characters a name may not hold: controls, format, surrogates, private use, unassigned. */
const FORBIDDEN_CHARACTER_PATTERN = /\p{C}/u;

const WHITESPACE_RUN_PATTERN = /\s+/gu;

/**
 * Tells what is wrong with a typed username, without echoing it.
 *
 * @param input - the name as typed
 * @returns a phrase naming the problem, or `undefined` when the name is acceptable
 */
export function usernameProblem(input: string): string | undefined {
  try {
    parseUsername(input);
    return undefined;
  } catch (error) {
    return error instanceof AcquireError ? error.message : 'username is not acceptable';
  }
}

/**
 * Normalises and encodes a typed username.
 *
 * @param input - the name as typed
 * @returns the display name and the key segment
 * @throws AcquireError `INVALID_ARGUMENT` when the name is too short or long, holds control or
 *   other invisible characters, or does not fit one key segment once encoded
 * @example
 * ```ts
 * import { parseUsername } from '@acquire/core';
 *
 * parseUsername('Alice').key === parseUsername('alice').key; // true
 * parseUsername('a b').key; // 'a%20b'
 * ```
 */
export function parseUsername(input: string): Username {
  if (typeof input !== 'string' || input.length > USERNAME_INPUT_LENGTH_MAX_CHARS) {
    throw invalid(`must be a string of at most ${USERNAME_INPUT_LENGTH_MAX_CHARS} characters`);
  }
  if (!input.isWellFormed()) {
    throw invalid('must not contain lone surrogates');
  }

  const compatible = input.normalize('NFKC');
  if (FORBIDDEN_CHARACTER_PATTERN.test(compatible)) {
    throw invalid('must not contain control, format, private-use or unassigned characters');
  }

  const name = compatible.trim().replace(WHITESPACE_RUN_PATTERN, ' ');
  const length = [...name].length;
  if (length < USERNAME_LENGTH_MIN_CHARS || length > USERNAME_LENGTH_MAX_CHARS) {
    throw invalid(
      `must be ${USERNAME_LENGTH_MIN_CHARS} to ${USERNAME_LENGTH_MAX_CHARS} characters ` +
        'after trimming',
    );
  }

  const key = escapeKeySegment(foldCase(name));
  if (utf8Encode(key).length > KEY_SEGMENT_LENGTH_MAX_BYTES) {
    throw invalid(`must fit ${KEY_SEGMENT_LENGTH_MAX_BYTES} bytes once encoded`);
  }
  return { name, key };
}

/**
 * Folds case so that names differing only in case meet. Upper-casing first and then
 * lower-casing approximates Unicode full case folding (`ß` and `SS` meet, and so do the Greek
 * final and medial sigma), which a plain `toLowerCase` does not. One pass is not always
 * stable: capital sharp s upper-cases to itself and lower-cases to `ß`, whose upper case is
 * `SS`; the second pass takes `ẞ` to `ss` too, and leaves every other folded name as it is.
 */
function foldCase(name: string): string {
  return foldOnce(foldOnce(name));
}

function foldOnce(name: string): string {
  return name.toUpperCase().toLowerCase().normalize('NFKC');
}

function invalid(problem: string): AcquireError {
  return new AcquireError(ErrorCode.INVALID_ARGUMENT, `username ${problem}`);
}
