/**
 * Stable error codes of the identity functions. They are part of {@link ErrorCode}; declare each
 * code here once.
 *
 * @module
 */

/** Error codes of the identity functions. */
export const IDENTITY_ERROR_CODES = {
  /** `register` without `oldPassword` found the name already claimed. */
  USERNAME_TAKEN: 'USERNAME_TAKEN',
  /** No user has this name or uid. Usernames and uids are public, so this reveals nothing. */
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  /** The user account is disabled and cannot open or approve sessions. */
  USER_DISABLED: 'USER_DISABLED',
  /** Someone changed the user account while a password change was under way; try again. */
  ACCOUNT_CHANGED: 'ACCOUNT_CHANGED',
  /**
   * A login was refused: unknown user, wrong password, wrong or unknown one-time code, unknown
   * device or unknown request. Deliberately one code, so a caller learns nothing about which.
   */
  LOGIN_FAILED: 'LOGIN_FAILED',
  /** Too many failed logins for this user or source address; `details.retryAfterMs` says when. */
  LOGIN_THROTTLED: 'LOGIN_THROTTLED',
  /** Two pending requests of one user share the short uid; the user must request a new login. */
  LOGIN_AMBIGUOUS: 'LOGIN_AMBIGUOUS',
  /** The one-time code was already spent by this user; both sessions involved are suspicious. */
  ONE_TIME_CODE_REUSED: 'ONE_TIME_CODE_REUSED',
  /** The user already has the most open sessions allowed. */
  TOO_MANY_SESSIONS: 'TOO_MANY_SESSIONS',
  /** No session with this uid exists for the user, live or ended. */
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  /** The session is still waiting for approval, so it has no keys to give and cannot sign. */
  SESSION_NOT_APPROVED: 'SESSION_NOT_APPROVED',
  /** The session is no longer waiting for approval (approved, ended or refused meanwhile). */
  SESSION_NOT_PENDING: 'SESSION_NOT_PENDING',
  /** The session was denied or its request expired before approval. */
  SESSION_DENIED: 'SESSION_DENIED',
  /** The session is suspicious (its one-time code was reused) and yields no keys. */
  SESSION_SUSPICIOUS: 'SESSION_SUSPICIOUS',
  /** The authorisation was signed after its session logged out or expired. */
  SESSION_LOGGED_OUT: 'SESSION_LOGGED_OUT',
  /** The authorisation names an identity service that is not trusted here. */
  UNTRUSTED_IDENTITY: 'UNTRUSTED_IDENTITY',
  /** The authorisation was signed for another resource. */
  WRONG_RESOURCE: 'WRONG_RESOURCE',
  /** The authorisation is older than the stale limit, or dated too far in the future. */
  AUTHORISATION_STALE: 'AUTHORISATION_STALE',
  /** A single-use authorisation was presented a second time. */
  AUTHORISATION_REPLAYED: 'AUTHORISATION_REPLAYED',
} as const;
