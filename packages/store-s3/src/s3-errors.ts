/**
 * Reading the failures the AWS SDK throws, and turning the unexpected ones into
 * `STORE_UNAVAILABLE` errors whose messages name the operation and status but never a credential.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';

/** The facts of an SDK failure that the store acts on. */
export interface S3Failure {
  /** The HTTP status, when the server answered at all. */
  readonly status: number | undefined;
  /** The S3 error code or the error's name, such as `NoSuchKey` or `ECONNREFUSED`. */
  readonly name: string;
  /** How many attempts the SDK made, counting its own retries. */
  readonly attempts: number;
}

/**
 * Reads status, name and attempt count from whatever the SDK threw.
 *
 * @param error - anything caught around `client.send`
 * @returns the facts, with `status` undefined for network failures
 */
export function describeS3Failure(error: unknown): S3Failure {
  const metadata = field(error, '$metadata');
  const status = field(metadata, 'httpStatusCode');
  const attempts = field(metadata, 'attempts');
  const code = field(error, 'Code') ?? field(error, 'code') ?? field(error, 'name');
  return {
    status: typeof status === 'number' ? status : undefined,
    name: typeof code === 'string' ? code : 'Error',
    attempts: typeof attempts === 'number' ? attempts : 1,
  };
}

/**
 * Wraps an unexpected SDK failure as `STORE_UNAVAILABLE`, with the original as `cause`.
 *
 * @param error - what the SDK threw
 * @param operation - the S3 operation, such as `PutObject`
 * @param key - the store key or object key involved, if any; keys are not secret
 * @returns the error to throw
 */
export function storeUnavailable(error: unknown, operation: string, key?: string): AcquireError {
  const failure = describeS3Failure(error);
  const status = failure.status === undefined ? 'no response' : `HTTP ${failure.status}`;
  const subject = key === undefined ? '' : ` for ${key}`;
  return new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    `S3 ${operation}${subject} failed: ${failure.name} (${status})`,
    { cause: error, details: { operation, status: failure.status, name: failure.name, key } },
  );
}

/**
 * Tells whether a `STORE_UNAVAILABLE` error came from a server refusing a request it does not
 * implement (HTTP 501, or S3's `NotImplemented` code).
 *
 * @param error - anything caught
 * @returns true for a not-implemented answer
 */
export function isNotImplemented(error: unknown): boolean {
  if (!AcquireError.is(error, ErrorCode.STORE_UNAVAILABLE)) {
    return false;
  }
  return error.details?.status === 501 || error.details?.name === 'NotImplemented';
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[name]
    : undefined;
}
