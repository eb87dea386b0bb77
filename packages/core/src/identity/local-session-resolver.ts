/**
 * A session-certificate resolver that reads the identity store directly, for services embedded
 * in the same process as the identity service, and for tests.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import type { SessionCertificateResolver } from '../service/authorisation-verifier.js';
import type { ServiceContext } from '../service/service-function.js';
import { readSessionCertificate } from './session-certificate.js';
import { UID_PATTERN } from './uids.js';
import { requireUserByUid } from './user-lookup.js';

/** What the local resolver needs: the identity service's store, clock and URL. */
export type LocalSessionResolverContext = Pick<ServiceContext, 'store' | 'clock' | 'serviceUrl'>;

/**
 * Creates a resolver that answers for one identity service from its store.
 *
 * @param context - the identity service's store, clock and canonical URL
 * @returns a resolver; it throws AcquireError `UNTRUSTED_IDENTITY` for any other identity URL,
 *   `USER_NOT_FOUND` or `SESSION_NOT_FOUND` for unknown users and sessions, and
 *   `SESSION_NOT_APPROVED`, `SESSION_DENIED` or `SESSION_SUSPICIOUS` for sessions that yield
 *   no keys
 * @example
 * ```ts
 * import { createAuthorisationVerifier, createLocalSessionResolver } from '@acquire/core';
 *
 * const verify = createAuthorisationVerifier({
 *   clock: identityContext.clock,
 *   resolveSession: createLocalSessionResolver(identityContext),
 * });
 * ```
 */
export function createLocalSessionResolver(
  context: LocalSessionResolverContext,
): SessionCertificateResolver {
  return async (identityUrl, userUid, sessionUid) => {
    if (identityUrl !== context.serviceUrl) {
      throw new AcquireError(
        ErrorCode.UNTRUSTED_IDENTITY,
        'this resolver answers only for its own identity service',
      );
    }
    if (!UID_PATTERN.test(userUid) || !UID_PATTERN.test(sessionUid)) {
      throw new AcquireError(ErrorCode.SESSION_NOT_FOUND, 'no such session for this user');
    }

    const { username } = await requireUserByUid(context.store, userUid);
    return readSessionCertificate(context.store, username.key, sessionUid, context.clock.now());
  };
}
