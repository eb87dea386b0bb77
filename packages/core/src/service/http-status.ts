/**
 * Which HTTP status a failed call gets. The status is a hint for proxies, logs and people; callers
 * branch on the error code in the body.
 *
 * @module
 */

import { ErrorCode } from '../errors.js';

/** HTTP status codes the runtime uses (RFC 9110 section 15). */
export const HttpStatus = {
  /** The call succeeded. */
  OK: 200,
  /** A pre-flight answered. */
  NO_CONTENT: 204,
  /** The request is wrong. */
  BAD_REQUEST: 400,
  /** Credentials or a signature were refused. */
  UNAUTHORIZED: 401,
  /** The caller is known but not allowed. */
  FORBIDDEN: 403,
  /** No such route, function or record. */
  NOT_FOUND: 404,
  /** The route does not take this method. */
  METHOD_NOT_ALLOWED: 405,
  /** The state does not allow it now. */
  CONFLICT: 409,
  /** The body is over the limit. */
  CONTENT_TOO_LARGE: 413,
  /** The body has the wrong content type. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Throttled; try later. */
  TOO_MANY_REQUESTS: 429,
  /** The service failed. */
  INTERNAL_SERVER_ERROR: 500,
  /** Another service failed or misbehaved. */
  BAD_GATEWAY: 502,
  /** A dependency is down. */
  SERVICE_UNAVAILABLE: 503,
  /** Another service took too long. */
  GATEWAY_TIMEOUT: 504,
} as const;

/** Statuses of the codes this runtime and the foundation declare. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ErrorCode.INVALID_ARGUMENT]: HttpStatus.BAD_REQUEST,
  [ErrorCode.INVALID_KEY]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MALFORMED_DATA]: HttpStatus.BAD_REQUEST,
  [ErrorCode.DECRYPTION_FAILED]: HttpStatus.BAD_REQUEST,
  [ErrorCode.INVALID_SIGNATURE]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.WRONG_PASSWORD]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.PRECONDITION_FAILED]: HttpStatus.CONFLICT,
  [ErrorCode.CORRUPT_RECORD]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.STORE_UNSUPPORTED]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.STORE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.BODY_TOO_LARGE]: HttpStatus.CONTENT_TOO_LARGE,
  [ErrorCode.MALFORMED_ENVELOPE]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UNSUPPORTED_PROTOCOL_VERSION]: HttpStatus.BAD_REQUEST,
  [ErrorCode.ARGUMENTS_UNDECRYPTABLE]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UNKNOWN_FUNCTION]: HttpStatus.NOT_FOUND,
  [ErrorCode.REPLY_KEY_REQUIRED]: HttpStatus.BAD_REQUEST,
  [ErrorCode.ROUTE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.METHOD_NOT_ALLOWED]: HttpStatus.METHOD_NOT_ALLOWED,
  [ErrorCode.INTERNAL_ERROR]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.SERVICE_NOT_SET_UP]: HttpStatus.CONFLICT,
  [ErrorCode.SERVICE_ALREADY_SET_UP]: HttpStatus.CONFLICT,
  [ErrorCode.SERVICE_IDENTITY_MISMATCH]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.ADMIN_AUTHENTICATION_FAILED]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.ADMIN_THROTTLED]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.SERVICE_NOT_TRUSTED]: HttpStatus.FORBIDDEN,
  [ErrorCode.SERVICE_INFO_MISMATCH]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.SERVICE_UNREACHABLE]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.CALL_TIMEOUT]: HttpStatus.GATEWAY_TIMEOUT,
  [ErrorCode.REPLY_MALFORMED]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.REPLY_INVALID_SIGNATURE]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.REPLY_REPLAYED]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.SESSION_CERTIFICATE_UNAVAILABLE]: HttpStatus.BAD_GATEWAY,
};

/**
 * Codes declared by other layers (identity, accounting, access) are judged by the words in their
 * names, in this order, so a layer's new code gets a sensible status without a table entry here.
 */
const STATUS_BY_CODE_WORDS: readonly (readonly [RegExp, number])[] = [
  [/THROTTLED|TOO_MANY|RATE_LIMIT/, HttpStatus.TOO_MANY_REQUESTS],
  [/NOT_FOUND|UNKNOWN/, HttpStatus.NOT_FOUND],
  [
    /UNAUTHORI[SZ]ED|CREDENTIALS|LOGIN_FAILED|AUTHENTICATION|STALE|EXPIRED|SIGNATURE/,
    HttpStatus.UNAUTHORIZED,
  ],
  [/FORBIDDEN|NOT_TRUSTED|NOT_ALLOWED|DENIED|SUSPICIOUS|PERMISSION/, HttpStatus.FORBIDDEN],
  [/ALREADY|CONFLICT|EXISTS|TAKEN|AMBIGUOUS|INSUFFICIENT|LIMIT|BUSY/, HttpStatus.CONFLICT],
  [/UNAVAILABLE/, HttpStatus.SERVICE_UNAVAILABLE],
];

/**
 * The HTTP status for an error code: from the runtime's table, else from the words in the code,
 * else 400 (a failure the function knew about is a problem with the request).
 *
 * @param code - an AcquireError code
 * @returns the HTTP status
 */
export function httpStatusForCode(code: string): number {
  const known = STATUS_BY_CODE[code];
  if (known !== undefined) {
    return known;
  }
  for (const [pattern, status] of STATUS_BY_CODE_WORDS) {
    if (pattern.test(code)) {
      return status;
    }
  }
  return HttpStatus.BAD_REQUEST;
}
