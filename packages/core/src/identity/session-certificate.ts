/**
 * What the identity service tells others about a session, for approved and logged-out sessions
 * only: its certificate and times, and while it is approved its public encryption key.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import type { SessionCertificate } from '../service/authorisation-verifier.js';
import type { ObjectStore } from '../store/object-store.js';
import { assertSigningStatus, effectiveSession, type LoginSession } from './login-session.js';
import { requireSession } from './session-records.js';

/** An approved session: it signs now, and messages may be sealed to its encryption key. */
export interface ApprovedSessionKeys extends SessionCertificate {
  /** Always `approved`. */
  readonly status: 'approved';
  /** The session's X25519 public key as `x25519:<base64url>`. */
  readonly publicKey: string;
}

/**
 * A logged-out (or expired) session: its certificate still judges signatures made before
 * `logoutTimeMs`, and its encryption key is gone.
 */
export interface LoggedOutSessionKeys extends SessionCertificate {
  /** Always `logged_out`. */
  readonly status: 'logged_out';
  /** When the session ended, in ms since the epoch. */
  readonly logoutTimeMs: number;
}

/** The public keys of a session that has been approved. */
export type SessionKeys = ApprovedSessionKeys | LoggedOutSessionKeys;

type ApprovedCertificate = SessionCertificate & { readonly status: 'approved' };

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
  return certificateOf(effectiveSession(session, nowMs));
}

/**
 * The public keys of a session as it stands at `nowMs` (expiry applied): the certificate and,
 * while approved, the encryption key; once logged out, the certificate and logout time.
 *
 * @param session - the stored session
 * @param nowMs - now
 * @returns the session's keys
 * @throws AcquireError the codes of {@link sessionCertificateOf}, and `CORRUPT_RECORD` when an
 *   approved record lacks its encryption key
 */
export function sessionKeysOf(session: LoginSession, nowMs: number): SessionKeys {
  const effective = effectiveSession(session, nowMs);
  const certificate = certificateOf(effective);
  if (certificate.status === 'logged_out') {
    return certificate;
  }

  if (effective.publicKey === undefined) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, 'approved session lacks its public key');
  }
  return { ...certificate, publicKey: effective.publicKey };
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

/**
 * Reads a user's session and returns its public keys.
 *
 * @param store - the identity store
 * @param name - the username key segment
 * @param sessionUid - the session uid
 * @param nowMs - now
 * @returns the keys as they stand at `nowMs`
 * @throws AcquireError `SESSION_NOT_FOUND`, and the codes of {@link sessionKeysOf}
 */
export async function readSessionKeys(
  store: ObjectStore,
  name: string,
  sessionUid: string,
  nowMs: number,
): Promise<SessionKeys> {
  const { session } = await requireSession(store, name, sessionUid);
  return sessionKeysOf(session, nowMs);
}

/**
 * The certificate of an effective session. A logged-out record without a logout time is
 * treated as ending at its login, so nothing it signed after approval is accepted.
 */
function certificateOf(effective: LoginSession): ApprovedCertificate | LoggedOutSessionKeys {
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
