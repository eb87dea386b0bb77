/**
 * Small helpers for Node file-system errors: reading their `code`, and wrapping them in
 * {@link AcquireError}s with stable codes.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';

/**
 * Reads the POSIX error name (`ENOENT`, `EEXIST`…) of a Node file-system error.
 *
 * @param error - anything thrown
 * @returns the code, or `undefined` when the error has none
 */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Tells whether an error says a path does not exist (or a parent of it is not a directory,
 * which for this store means the same: nothing is stored there).
 *
 * @param error - anything thrown
 * @returns true for `ENOENT` and `ENOTDIR`
 */
export function isMissing(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Wraps an unexpected failure as `STORE_UNAVAILABLE`, and passes {@link AcquireError}s through.
 *
 * @param error - anything thrown
 * @param operation - what the store was doing, for example `write`
 * @param key - the key or prefix involved
 * @returns the error to throw
 */
export function toStoreError(error: unknown, operation: string, key: string): AcquireError {
  if (error instanceof AcquireError) {
    return error;
  }
  const code = errnoCode(error) ?? 'unknown error';
  return new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    `fs store ${operation} of ${key} failed (${code})`,
    {
      cause: error,
      details: { key, errno: code },
    },
  );
}

/**
 * Makes the error for a symbolic link found inside the store's root, which the store never
 * follows.
 *
 * @param where - names the link's place, as a key or prefix
 * @returns a `CORRUPT_RECORD` error
 */
export function symlinkRefused(where: string): AcquireError {
  return new AcquireError(
    ErrorCode.CORRUPT_RECORD,
    `fs store found a symbolic link or foreign file at ${where}; it is not followed`,
    { details: { key: where } },
  );
}

/**
 * Makes the error for a failed condition.
 *
 * @param key - the key
 * @param what - what was found, for example `already exists`
 * @returns a `PRECONDITION_FAILED` error
 */
export function preconditionFailed(key: string, what: string): AcquireError {
  return new AcquireError(ErrorCode.PRECONDITION_FAILED, `object ${key} ${what}`, {
    details: { key },
  });
}
