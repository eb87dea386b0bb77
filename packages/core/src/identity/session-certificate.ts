/**
 * What the identity service tells others about a session: its certificate and times, for
 * approved and logged-out sessions only.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import type { SessionCertificate } from '../service/authorisation-verifier.js';
import type { ObjectStore } from '../store/object-store.js';
import { assertSigningStatus, effectiveSession, type LoginSession } from './login-session.js';
import { requireSession } from './session-records.js';

/**
 * The certificate of a session as it stands at `nowMs` (expiry applied).
 *
 * @param session - the stored session
 * @param nowMs - now
 * @returns the certificate with login time, and logout time once logged out
 * @throws AcquireError `SESSION_NOT_APPROVED`, `SESSION_DENIED` or `SESSION_SUSPICIOUS` when the
 *   session yields no keys; `CORRUPT_RECORD` when an approved record lacks its certificate
 */
export function sessionCertificateOf(session: LoginSession, nowMs: number): SessionCertificate {
  const effective = effectiveSession(session, nowMs);
  assertSigningStatus(effective);

  const { certificate, loginTimeMs } = effective;
  if (certificate === undefined || loginTimeMs === undefined) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, 'approved session lacks its certificate');
  }
  const base = {
    userUid: effective.userUid,
    sessionUid: effective.sessionUid,
    certificate,
    loginTimeMs,
  };
  return effective.status === 'approved'
    ? { ...base, status: 'approved' }
    : { ...base, status: 'logged_out', logoutTimeMs: effective.logoutTimeMs ?? loginTimeMs };
}

/**
 * Reads a user's session and returns its certificate.
 *
 * @param store - the identity store
 * @param name - the username key segment
 * @param sessionUid - the session uid
 * @param nowMs - now
 * @returns the certificate as it stands at `nowMs`
 * @throws AcquireError `SESSION_NOT_FOUND`, and the codes of {@link sessionCertificateOf}
 */
export async function readSessionCertificate(
  store: ObjectStore,
  name: string,
  sessionUid: string,
  nowMs: number,
): Promise<SessionCertificate> {
  const { session } = await requireSession(store, name, sessionUid);
  return sessionCertificateOf(session, nowMs);
}
