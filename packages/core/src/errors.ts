/**
 * The one error class of Acquire and the stable codes it carries.
 *
 * Callers branch on {@link AcquireError.code}; the message is for people and may change.
 * Messages never contain secrets: they name the argument or record at fault, not its value.
 *
 * @module
 */

import { ACCESS_ERROR_CODES } from './access/error-codes.js';
import { ACCOUNTING_ERROR_CODES } from './accounting/error-codes.js';
import { IDENTITY_ERROR_CODES } from './identity/error-codes.js';
import { SERVICE_ERROR_CODES } from './service/error-codes.js';

/** Codes of the store, encoding and crypto layers. */
const FOUNDATION_ERROR_CODES = {
  /** An argument is missing, of the wrong type, or outside its allowed range. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** An object-store key breaks the key rules. */
  INVALID_KEY: 'INVALID_KEY',
  /** A conditional write or delete found a different version (or an object where none was wanted). */
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  /** The object store failed for a reason other than a precondition. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** The store cannot give the guarantees Acquire needs (for example conditional writes). */
  STORE_UNSUPPORTED: 'STORE_UNSUPPORTED',
  /** A record read from the store does not have the expected shape. */
  CORRUPT_RECORD: 'CORRUPT_RECORD',
  /** Sealed data failed authentication: it was altered, or sealed to another key. */
  DECRYPTION_FAILED: 'DECRYPTION_FAILED',
  /** A password did not unlock the data sealed under it. */
  WRONG_PASSWORD: 'WRONG_PASSWORD',
  /** A signature does not verify under the given public key. */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** Encoded data (base64url, serialised keys, sealed blobs) is malformed. */
  MALFORMED_DATA: 'MALFORMED_DATA',
} as const;

/**
 * Every stable error code, each declared once in its layer's file. A code never changes meaning
 * once published.
 */
export const ErrorCode: typeof FOUNDATION_ERROR_CODES &
  typeof IDENTITY_ERROR_CODES &
  typeof ACCOUNTING_ERROR_CODES &
  typeof SERVICE_ERROR_CODES &
  typeof ACCESS_ERROR_CODES = {
  ...FOUNDATION_ERROR_CODES,
  ...IDENTITY_ERROR_CODES,
  ...ACCOUNTING_ERROR_CODES,
  ...SERVICE_ERROR_CODES,
  ...ACCESS_ERROR_CODES,
};

/** One of the stable error codes in {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options accepted by the {@link AcquireError} constructor. */
export interface AcquireErrorOptions {
  /** The lower-level error that led to this one, kept for debugging; never sent to callers. */
  cause?: unknown;
  /** Extra machine-readable facts about the failure. Must never contain secrets. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The error every Acquire function throws for a failure it knows about.
 *
 * @example
 * ```ts
 * import { AcquireError, ErrorCode } from '@acquire/core';
 *
 * try {
 *   await store.writeIfAbsent('accounts/alice', bytes);
 * } catch (error) {
 *   if (AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
 *     // someone else claimed the name first
 *   }
 * }
 * ```
 */
export class AcquireError extends Error {
  /** The stable code to branch on. */
  readonly code: string;

  /** Extra machine-readable facts; never secrets. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  /**
   * @param code - the stable code, normally one of {@link ErrorCode}
   * @param message - a sentence for people, naming what is wrong but never a secret value
   * @param options - an optional cause and details
   */
  constructor(code: string, message: string, options: AcquireErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AcquireError';
    this.code = code;
    this.details = options.details;
  }

  /**
   * Tells whether `error` is an {@link AcquireError}, optionally with a given code.
   *
   * @param error - anything caught
   * @param code - the code to match; any code matches when left out
   * @returns true when `error` is an AcquireError with that code
   */
  static is(error: unknown, code?: string): error is AcquireError {
    return error instanceof AcquireError && (code === undefined || error.code === code);
  }
}
