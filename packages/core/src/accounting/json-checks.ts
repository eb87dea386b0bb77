/**
 * Small checks for JSON read back from the store on hot paths, where a schema library would
 * cost more than the store round trip. Each throws a `TypeError` naming what it expected; the
 * caller turns that into `CORRUPT_RECORD` with the key.
 *
 * @module
 */

const INTEGER_PATTERN = /^-?(0|[1-9]\d{0,30})$/;

/**
 * Checks for a plain object.
 *
 * @param value - parsed JSON
 * @returns the object
 * @throws TypeError for anything else
 */
export function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('expected an object');
  }
  return value as Record<string, unknown>;
}

/**
 * Checks for an array.
 *
 * @param value - parsed JSON
 * @returns the array
 * @throws TypeError for anything else
 */
export function list(value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError('expected an array');
  }
  return value;
}

/**
 * Checks for a string.
 *
 * @param value - parsed JSON
 * @returns the string
 * @throws TypeError for anything else
 */
export function text(value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError('expected a string');
  }
  return value;
}

/**
 * Reads decimal integer text (micro-units) as a bigint.
 *
 * @param value - parsed JSON
 * @returns the integer
 * @throws TypeError for anything but canonical decimal integer text
 */
export function integer(value: unknown): bigint {
  if (typeof value !== 'string' || !INTEGER_PATTERN.test(value)) {
    throw new TypeError('expected decimal integer text');
  }
  return BigInt(value);
}

/**
 * Checks for whole non-negative milliseconds.
 *
 * @param value - parsed JSON
 * @returns the time
 * @throws TypeError for anything else
 */
export function time(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError('expected whole non-negative milliseconds');
  }
  return value;
}
