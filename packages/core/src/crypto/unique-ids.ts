/**
 * Unique ids made cheaply: a random prefix drawn once and a counter. Drawing 16 fresh random
 * bytes for every id costs more than the rest of the work of a small write; a generator draws
 * them once per 2^32 ids, and its 96-bit prefix keeps two generators' ids apart as well as wholly
 * random ids would. The ids are unique, not secret: they tell nobody anything, and guessing the
 * next one is easy.
 *
 * @module
 */

import { base64UrlEncode } from './encoding.js';
import { randomBytes } from './random.js';

/** A generator's ids share 96 random bits, which keep two generators' ids apart. */
const PREFIX_BYTES = 12;

/** The other 32 bits count up; a generator draws a new prefix before the count wraps. */
const COUNT_MAX = 2 ** 32;

/** Makes unique ids: 22 base64url characters each. */
export type UniqueIdGenerator = () => string;

/**
 * Makes a generator of unique ids for one process.
 *
 * @returns the generator
 * @example
 * ```ts
 * const nextId = createUniqueIdGenerator();
 * const [first, second] = [nextId(), nextId()]; // differ, and share their first 16 characters
 * ```
 */
export function createUniqueIdGenerator(): UniqueIdGenerator {
  // 12 bytes are exactly 16 base64url characters, so the prefix's text is made once.
  let prefix = '';
  let count = COUNT_MAX;
  const counter = new Uint8Array(4);
  const view = new DataView(counter.buffer);

  return () => {
    if (count === COUNT_MAX) {
      prefix = base64UrlEncode(randomBytes(PREFIX_BYTES));
      count = 0;
    }
    view.setUint32(0, count);
    count++;
    return prefix + base64UrlEncode(counter);
  };
}
