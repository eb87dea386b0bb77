/**
 * Stable error codes of the service runtime: the wire protocol, service set-up, trust between
 * services and calls to other services. They are part of {@link ErrorCode}; declare each code
 * here once.
 *
 * @module
 */

/** Error codes of the service runtime. */
export const SERVICE_ERROR_CODES = {
  /** The request body is larger than the service accepts. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** The request body is not a well-formed call envelope (bad JSON, missing or mistyped fields). */
  MALFORMED_ENVELOPE: 'MALFORMED_ENVELOPE',
  /** The envelope names a protocol version this service does not speak. */
  UNSUPPORTED_PROTOCOL_VERSION: 'UNSUPPORTED_PROTOCOL_VERSION',
  /** The sealed arguments do not open with this service's keys: sealed to another, or altered. */
  ARGUMENTS_UNDECRYPTABLE: 'ARGUMENTS_UNDECRYPTABLE',
  /** The envelope names a function this service does not have. */
  UNKNOWN_FUNCTION: 'UNKNOWN_FUNCTION',
  /** The function only answers with a sealed reply, and the caller sent no reply key. */
  REPLY_KEY_REQUIRED: 'REPLY_KEY_REQUIRED',
  /** No route answers this path. */
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  /** The route exists but does not take this HTTP method. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** The service failed in a way it does not explain to callers; the log has the details. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  /** The service has not been set up by an admin yet. */
  SERVICE_NOT_SET_UP: 'SERVICE_NOT_SET_UP',
  /** The service was already set up; the first set-up stands. */
  SERVICE_ALREADY_SET_UP: 'SERVICE_ALREADY_SET_UP',
  /** The stored service identity is of another type or URL than the host configured. */
  SERVICE_IDENTITY_MISMATCH: 'SERVICE_IDENTITY_MISMATCH',
  /** The admin password or one-time code is wrong, or the code was already used. */
  ADMIN_AUTHENTICATION_FAILED: 'ADMIN_AUTHENTICATION_FAILED',
  /** Too many failed admin attempts lately; wait before trying again. */
  ADMIN_THROTTLED: 'ADMIN_THROTTLED',
  /** The other service is not in this service's trusted list. */
  SERVICE_NOT_TRUSTED: 'SERVICE_NOT_TRUSTED',
  /** Another service's public info does not match its URL, type or pinned keys. */
  SERVICE_INFO_MISMATCH: 'SERVICE_INFO_MISMATCH',
  /** Another service could not be reached, or answered with something that is not a reply. */
  SERVICE_UNREACHABLE: 'SERVICE_UNREACHABLE',
  /** A call to another service took longer than its time limit. */
  CALL_TIMEOUT: 'CALL_TIMEOUT',
  /** A reply is not valid JSON, has the wrong shape, or does not open with the reply key. */
  REPLY_MALFORMED: 'REPLY_MALFORMED',
  /** A reply's signature is missing or does not verify under the service's signing key. */
  REPLY_INVALID_SIGNATURE: 'REPLY_INVALID_SIGNATURE',
  /** A reply answers another call than the one made (its nonce differs): a replay. */
  REPLY_REPLAYED: 'REPLY_REPLAYED',
  /** The identity service answered without the session certificate that was asked for. */
  SESSION_CERTIFICATE_UNAVAILABLE: 'SESSION_CERTIFICATE_UNAVAILABLE',
} as const;
