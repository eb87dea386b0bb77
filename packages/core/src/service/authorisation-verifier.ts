/**
 * The contract between services that need to know who is calling (accounting, access) and the
 * identity half that can tell them. A verifier checks a signed authorisation for one resource
 * and says whose it is, or throws.
 *
 * @module
 */

/** What a successfully verified authorisation proves. */
export interface VerifiedAuthorisation {
  /** The user who signed, as their stable uid. */
  readonly userUid: string;
  /** The login session whose key signed. */
  readonly sessionUid: string;
  /** The identity service that vouches for the session. */
  readonly identityUrl: string;
  /** The resource the authorisation was signed for. */
  readonly resource: string;
}

/** What the verifier must check besides the signature. */
export interface AuthorisationRequirements {
  /** The resource the caller must have signed for; anything else is refused. */
  readonly resource: string;
  /** Refuse a second use of the same authorisation (its nonce is claimed once). @default false */
  readonly singleUse?: boolean;
}

/**
 * Checks an authorisation. Throws an AcquireError with a stable code when the input is
 * malformed, the signature or resource is wrong, it is stale, the session is logged out or
 * suspicious, or the identity service is not trusted.
 */
export type AuthorisationVerifier = (
  authorisation: unknown,
  requirements: AuthorisationRequirements,
) => Promise<VerifiedAuthorisation>;

/** What an identity service says about one login session, enough to judge its signatures. */
export interface SessionCertificate {
  /** The user the session belongs to. */
  readonly userUid: string;
  /** The session. */
  readonly sessionUid: string;
  /** `approved` sessions sign now; `logged_out` ones signed only before `logoutTimeMs`. */
  readonly status: 'approved' | 'logged_out';
  /** The session's Ed25519 public key as `ed25519:<base64url>`. */
  readonly certificate: string;
  /** When the session was approved, in ms since the epoch. */
  readonly loginTimeMs: number;
  /** When the session logged out, in ms since the epoch; present when `status` is `logged_out`. */
  readonly logoutTimeMs?: number;
}

/**
 * Finds a session's certificate at an identity service: in-process for an embedded identity
 * service, or over HTTP (`get_keys`) for a remote trusted one. Throws an AcquireError when the
 * session is unknown, was never approved, or is suspicious.
 */
export type SessionCertificateResolver = (
  identityUrl: string,
  userUid: string,
  sessionUid: string,
) => Promise<SessionCertificate>;
