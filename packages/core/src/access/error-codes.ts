/**
 * Stable error codes of the access functions. They are part of {@link ErrorCode}; declare each
 * code here once.
 *
 * @module
 */

/** Error codes of the access functions. */
export const ACCESS_ERROR_CODES = {
  /** The permission list does not give this user the requested mode or lifetime. */
  ACCESS_NOT_PERMITTED: 'ACCESS_NOT_PERMITTED',
  /**
   * An object is larger than the limit that applies: the access service's for a value it stores,
   * or the caller's for an object downloaded through a pre-signed URL.
   */
  ACCESS_OBJECT_TOO_LARGE: 'ACCESS_OBJECT_TOO_LARGE',
  /** The configured presigner failed or returned URLs that do not fit the grant. */
  ACCESS_PRESIGNER_FAILED: 'ACCESS_PRESIGNER_FAILED',
  /**
   * The access service has no presigner that signs URLs for single objects. It is a fact of the
   * deployment, not a passing failure, so it is named to be answered 400 rather than a retried 503.
   */
  ACCESS_PRESIGNING_NOT_OFFERED: 'ACCESS_PRESIGNING_NOT_OFFERED',
  /** The storage refused a request on a pre-signed URL: expired, altered, or a storage failure. */
  ACCESS_URL_REFUSED: 'ACCESS_URL_REFUSED',
  /** A grant token is not a well-formed grant (wrong shape, encoding or fields). */
  GRANT_MALFORMED: 'GRANT_MALFORMED',
  /** A grant token is of a version this code does not read. */
  GRANT_VERSION_UNSUPPORTED: 'GRANT_VERSION_UNSUPPORTED',
  /** A grant token's signature does not verify under the access service's key. */
  GRANT_FORGED: 'GRANT_FORGED',
  /** A grant token's lifetime has ended. */
  GRANT_EXPIRED: 'GRANT_EXPIRED',
  /** A read-only grant was used to change storage. */
  GRANT_READ_ONLY: 'GRANT_READ_ONLY',
  /** A key would reach outside the granted prefix, or names an object the grant may not change. */
  GRANT_OUT_OF_SCOPE: 'GRANT_OUT_OF_SCOPE',
} as const;
