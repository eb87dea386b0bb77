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
