/**
 * The checks every object store makes on the values, versions and options it is given, beside
 * the key checks of `keys.ts`, so that every store refuses the same bad input with the same code
 * before it touches storage.
 *
 * A value must be a `Uint8Array` (a subclass such as Node's `Buffer` is one). Anything else is
 * refused rather than coerced: a string or an array would otherwise be stored as something other
 * than the bytes the caller meant, and read back differently by each store. Messages name the
 * argument, never its content, which may be a secret.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { resolvePageLimit } from './listing.js';
import type { DeleteOptions, ListPageOptions } from './object-store.js';

/**
 * Checks a value given to a write.
 *
 * @param value - anything a caller passed as the value
 * @param label - names the argument in the error
 * @throws AcquireError `INVALID_ARGUMENT` when it is not a `Uint8Array`
 */
export function assertStoreValue(value: unknown, label = 'value'): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, `${label} must be a Uint8Array`);
  }
}

/**
 * Checks a version given to a conditional write or delete. Stores only ever return non-empty
 * strings, so anything else is a mistake of the caller's, not a version that might not match.
 *
 * @param version - anything a caller passed as the version
 * @param label - names the argument in the error
 * @throws AcquireError `INVALID_ARGUMENT` when it is not a non-empty string
 */
export function assertStoreVersion(version: unknown, label = 'version'): asserts version is string {
  if (typeof version !== 'string' || version.length === 0) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, `${label} must be a non-empty string`);
  }
}

/**
 * Checks the options of a delete.
 *
 * @param options - `undefined`, or an object whose `ifVersion` is absent or a version
 * @throws AcquireError `INVALID_ARGUMENT` for anything else
 */
export function assertDeleteOptions(
  options: unknown,
): asserts options is DeleteOptions | undefined {
  const { ifVersion } = optionsObject(options, 'delete options');
  if (ifVersion !== undefined) {
    assertStoreVersion(ifVersion, 'delete ifVersion');
  }
}

/**
 * Checks the options of a listing.
 *
 * @param options - `undefined`, or an object whose `startAfter` is absent or a string without lone
 *   surrogates and whose `limit` is absent or a page size
 * @throws AcquireError `INVALID_ARGUMENT` for anything else
 */
export function assertListPageOptions(
  options: unknown,
): asserts options is ListPageOptions | undefined {
  const { startAfter, limit } = optionsObject(options, 'list options');
  if (startAfter !== undefined && (typeof startAfter !== 'string' || !startAfter.isWellFormed())) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'list startAfter must be a string without lone surrogates',
    );
  }

  // The page-size rule is kept once, with the listing helpers; only its check is wanted here.
  resolvePageLimit(limit as number | undefined);
}

function optionsObject(options: unknown, label: string): Readonly<Record<string, unknown>> {
  if (options === undefined) {
    return {};
  }
  if (typeof options !== 'object' || options === null) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, `${label} must be an object`);
  }
  return options as Readonly<Record<string, unknown>>;
}
