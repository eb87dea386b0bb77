/**
 * Stable error codes of the identity functions. They are part of {@link ErrorCode}; declare each
 * code here once.
 *
 * @module
 */

/** Error codes of the identity functions. */
export const IDENTITY_ERROR_CODES = {} as const;
