/**
 * The rules every object-store key follows, checked the same way by every store.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';

/** Keys stay well under S3's 1,024-byte limit, leaving room for a store prefix. */
export const KEY_LENGTH_MAX_BYTES = 900;

/** One segment fits in one file name on common file systems (255 bytes), with room to spare. */
export const KEY_SEGMENT_LENGTH_MAX_BYTES = 200;

/** C0 controls, DEL and C1 controls: they corrupt logs and file names. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const CONTROL_CHARACTER_PATTERN = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a key: `/`-separated, non-empty segments that are not `.` or `..`, no control
 * characters, no lone surrogates, and within the length limits.
 *
 * @param key - the key to check
 * @param label - names the value in the error
 * @throws AcquireError `INVALID_KEY` naming the rule that was broken
 */
export function assertValidKey(key: string, label = 'key'): void {
  const problem = keyProblem(key);
  if (problem !== undefined) {
    throw new AcquireError(ErrorCode.INVALID_KEY, `${label} ${problem}`);
  }
}

/**
 * Checks a listing prefix: the empty string or a valid key.
 *
 * @param prefix - the prefix to check
 * @throws AcquireError `INVALID_KEY` when the prefix is not `''` and not a valid key
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix !== '') {
    assertValidKey(prefix, 'prefix');
  }
}

/**
 * Tells whether a string is a valid key.
 *
 * @param key - any value
 * @returns true when {@link assertValidKey} would accept it
 */
export function isValidKey(key: unknown): key is string {
  return keyProblem(key) === undefined;
}

function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') {
    return 'must be a string';
  }
  if (key.length === 0) {
    return 'must not be empty';
  }
  if (!key.isWellFormed()) {
    return 'must not contain lone surrogates';
  }
  if (CONTROL_CHARACTER_PATTERN.test(key)) {
    return 'must not contain control characters';
  }
  if (utf8Length(key, 0, key.length) > KEY_LENGTH_MAX_BYTES) {
    return `must be at most ${KEY_LENGTH_MAX_BYTES} bytes of UTF-8`;
  }

  for (let start = 0; start <= key.length; ) {
    const slash = key.indexOf('/', start);
    const end = slash === -1 ? key.length : slash;
    const problem = segmentProblem(key, start, end);
    if (problem !== undefined) {
      return problem;
    }
    start = end + 1;
  }
  return undefined;
}

function segmentProblem(key: string, start: number, end: number): string | undefined {
  if (end === start) {
    return 'must not have empty segments (leading, trailing or doubled "/")';
  }
  const segment = end - start <= 2 ? key.slice(start, end) : '';
  if (segment === '.' || segment === '..') {
    return 'must not have "." or ".." segments';
  }
  if (utf8Length(key, start, end) > KEY_SEGMENT_LENGTH_MAX_BYTES) {
    return `must not have segments over ${KEY_SEGMENT_LENGTH_MAX_BYTES} bytes of UTF-8`;
  }
  return undefined;
}

/**
 * The UTF-8 length of part of a well-formed string, counted from its UTF-16 units rather than by
 * encoding it: keys are checked on every store operation, and encoding them was a large share of
 * a fast store's time. A unit below U+0080 is one byte, below U+0800 two, a surrogate two (a
 * pair makes one four-byte character), anything else three.
 */
function utf8Length(text: string, start: number, end: number): number {
  let bytes = end - start;
  for (let index = start; index < end; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0x80) {
      bytes += unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 1 : 2;
    }
  }
  return bytes;
}

/**
 * Orders keys by Unicode code point, which is the order of their UTF-8 bytes and so the order
 * S3 lists in. (JavaScript's `<` compares UTF-16 units and differs for characters past U+FFFF.)
 *
 * @param left - a key
 * @param right - another key
 * @returns negative, zero or positive, as for `Array.prototype.sort`
 */
export function compareKeys(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const a = left.charCodeAt(i);
    const b = right.charCodeAt(i);
    if (a !== b) {
      return codePointRank(a) - codePointRank(b);
    }
  }
  return left.length - right.length;
}

/**
 * Surrogates (U+D800–DFFF) stand for code points above U+FFFF, so they rank above
 * U+E000–FFFF.
 */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
}

/**
 * Tells whether a key lies under a listing prefix, by whole segments.
 *
 * @param key - a valid key
 * @param prefix - `''` or a valid key
 * @returns true when `key` starts with `prefix + '/'`, or the prefix is empty
 */
export function isKeyUnderPrefix(key: string, prefix: string): boolean {
  return prefix === '' || key.startsWith(`${prefix}/`);
}
