/**
 * Stable error codes of the accounting functions. They are part of {@link ErrorCode}; declare each
 * code here once.
 *
 * @module
 */

/** Error codes of the accounting functions. */
export const ACCOUNTING_ERROR_CODES = {} as const;
