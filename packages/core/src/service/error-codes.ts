/**
 * Stable error codes of the service functions. They are part of {@link ErrorCode}; declare each
 * code here once.
 *
 * @module
 */

/** Error codes of the service functions. */
export const SERVICE_ERROR_CODES = {} as const;
