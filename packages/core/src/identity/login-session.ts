/**
 * Login sessions: a client's key pair waiting for, holding or having held a user's approval.
 *
 * States: `unapproved` → `approved` → `logged_out`; an `unapproved` session can also become
 * `denied` (refused, or its request expired), and any session whose one-time code was reused
 * becomes `suspicious`. The transitions here are pure; callers write them with
 * compare-and-swap. The encryption key is dropped when a session ends; the certificate is kept
 * after logout so that signatures made before it can still be judged, and dropped on denial.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { SHORT_UID_PATTERN, shortUidOf, UID_PATTERN } from './uids.js';

/** The current layout of a stored {@link LoginSession}; a new layout gets a new number. */
export const LOGIN_SESSION_VERSION = 1;

/** A request not approved within 30 minutes expires: long enough to find a phone, short enough to limit guessing. */
export const SESSION_REQUEST_TTL_MS: number = 30 * 60 * 1000;

/** An approved session lasts 7 days, after which the client must log in again. */
export const SESSION_TTL_MS: number = 7 * 24 * 60 * 60 * 1000;

/** At most 10 live sessions per user, so nobody can fill the store with requests for one name. */
export const SESSIONS_OPEN_MAX = 10;

/** Where a session is in its life. */
export type LoginSessionStatus = 'unapproved' | 'approved' | 'logged_out' | 'denied' | 'suspicious';

/** A login session as stored at `sessions/<name>/<uid>` or `expired_sessions/<name>/<uid>`. */
export interface LoginSession {
  /** Layout version, {@link LOGIN_SESSION_VERSION}. */
  readonly v: 1;
  /** The session's uid. */
  readonly sessionUid: string;
  /** The first 8 characters of the uid, shown in the login URL. */
  readonly shortUid: string;
  /** The user the session belongs to. */
  readonly userUid: string;
  /** Where the session is in its life. */
  readonly status: LoginSessionStatus;
  /** The client's X25519 public key as `x25519:<base64url>`; dropped when the session ends. */
  readonly publicKey?: string;
  /** The client's Ed25519 public key as `ed25519:<base64url>`; dropped when denied. */
  readonly certificate?: string;
  /** When the client asked for the session, in ms since the epoch. */
  readonly requestTimeMs: number;
  /** When the user approved it, in ms since the epoch. */
  readonly loginTimeMs?: number;
  /** When it logged out or expired, in ms since the epoch. */
  readonly logoutTimeMs?: number;
  /** When it was found suspicious, in ms since the epoch. */
  readonly suspiciousTimeMs?: number;
  /** The address the client said it had, as it said it. */
  readonly ipAddress?: string;
  /** The host name the client said it had. */
  readonly hostname?: string;
  /** A note from the client to show the user on the login page. */
  readonly message?: string;
  /** The remembered device whose code approved the session. */
  readonly deviceUid?: string;
}

/** What a client supplies to open a session. */
export interface NewLoginSession {
  /** A fresh uid. */
  readonly sessionUid: string;
  /** The owner. */
  readonly userUid: string;
  /** The client's X25519 public key text. */
  readonly publicKey: string;
  /** The client's Ed25519 public key text. */
  readonly certificate: string;
  /** Now, in ms since the epoch. */
  readonly requestTimeMs: number;
  /** The address the client reports. */
  readonly ipAddress?: string;
  /** The host name the client reports. */
  readonly hostname?: string;
  /** The client's note. */
  readonly message?: string;
}

const TIME_MS_SCHEMA = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const LOGIN_SESSION_SCHEMA = v.object({
  v: v.literal(LOGIN_SESSION_VERSION),
  sessionUid: v.pipe(v.string(), v.regex(UID_PATTERN)),
  shortUid: v.pipe(v.string(), v.regex(SHORT_UID_PATTERN)),
  userUid: v.pipe(v.string(), v.regex(UID_PATTERN)),
  status: v.picklist(['unapproved', 'approved', 'logged_out', 'denied', 'suspicious']),
  publicKey: v.optional(v.pipe(v.string(), v.startsWith('x25519:'))),
  certificate: v.optional(v.pipe(v.string(), v.startsWith('ed25519:'))),
  requestTimeMs: TIME_MS_SCHEMA,
  loginTimeMs: v.optional(TIME_MS_SCHEMA),
  logoutTimeMs: v.optional(TIME_MS_SCHEMA),
  suspiciousTimeMs: v.optional(TIME_MS_SCHEMA),
  ipAddress: v.optional(v.string()),
  hostname: v.optional(v.string()),
  message: v.optional(v.string()),
  deviceUid: v.optional(v.pipe(v.string(), v.regex(UID_PATTERN))),
});

/**
 * Checks the shape of a stored session; pass it to `readJson` so a bad record becomes
 * `CORRUPT_RECORD`.
 *
 * @param value - parsed JSON
 * @returns the session
 * @throws ValiError when the record does not have the {@link LoginSession} shape
 */
export function parseLoginSession(value: unknown): LoginSession {
  const session = v.parse(LOGIN_SESSION_SCHEMA, value);
  if (session.shortUid !== shortUidOf(session.sessionUid)) {
    throw new TypeError('session short uid does not match its uid');
  }
  return session;
}

/**
 * A new `unapproved` session.
 *
 * @param request - the client's keys and details
 * @returns the session record
 */
export function createLoginSession(request: NewLoginSession): LoginSession {
  return {
    v: LOGIN_SESSION_VERSION,
    sessionUid: request.sessionUid,
    shortUid: shortUidOf(request.sessionUid),
    userUid: request.userUid,
    status: 'unapproved',
    publicKey: request.publicKey,
    certificate: request.certificate,
    requestTimeMs: request.requestTimeMs,
    ipAddress: request.ipAddress,
    hostname: request.hostname,
    message: request.message,
  };
}

/**
 * Approves an `unapproved` session.
 *
 * @param session - the session
 * @param nowMs - now
 * @param deviceUid - the remembered device whose code was used, if any
 * @returns the approved session
 * @throws AcquireError `SESSION_NOT_PENDING` when the session is not `unapproved`
 */
export function approveSession(
  session: LoginSession,
  nowMs: number,
  deviceUid?: string,
): LoginSession {
  if (session.status !== 'unapproved') {
    throw notPending();
  }
  return { ...session, status: 'approved', loginTimeMs: nowMs, deviceUid };
}

/**
 * Marks a session suspicious and drops its encryption key. Denied sessions stay denied.
 *
 * @param session - the session
 * @param nowMs - now
 * @returns the suspicious session, or the same one when there is nothing to change
 */
export function markSuspicious(session: LoginSession, nowMs: number): LoginSession {
  if (session.status === 'denied' || session.status === 'suspicious') {
    return session;
  }
  const { publicKey: _dropped, ...rest } = session;
  return { ...rest, status: 'suspicious', suspiciousTimeMs: nowMs };
}

/**
 * Logs an approved session out: drops its encryption key, keeps its certificate.
 *
 * @param session - the session
 * @param nowMs - now
 * @returns the logged-out session
 * @throws AcquireError `SESSION_NOT_APPROVED`, `SESSION_DENIED` or `SESSION_SUSPICIOUS` when
 *   the session is not approved
 */
export function logOutSession(session: LoginSession, nowMs: number): LoginSession {
  assertSigningStatus(session);
  if (session.status === 'logged_out') {
    return session;
  }
  const { publicKey: _dropped, ...rest } = session;
  return { ...rest, status: 'logged_out', logoutTimeMs: nowMs };
}

/**
 * Denies an `unapproved` session and drops both its keys.
 *
 * @param session - the session
 * @param nowMs - now
 * @returns the denied session
 * @throws AcquireError `SESSION_NOT_PENDING` when the session is not `unapproved`
 */
export function denySession(session: LoginSession, nowMs: number): LoginSession {
  if (session.status !== 'unapproved') {
    throw notPending();
  }
  const { publicKey: _key, certificate: _certificate, ...rest } = session;
  return { ...rest, status: 'denied', logoutTimeMs: nowMs };
}

/**
 * The session as it stands at `nowMs`: an approved session older than {@link SESSION_TTL_MS}
 * is logged out at the moment it expired, and a request older than
 * {@link SESSION_REQUEST_TTL_MS} is denied at the moment it expired. Readers apply this, so
 * expiry holds before any pruning has written it.
 *
 * @param session - the stored session
 * @param nowMs - now
 * @returns the effective session
 */
export function effectiveSession(session: LoginSession, nowMs: number): LoginSession {
  if (session.status === 'approved' && session.loginTimeMs !== undefined) {
    const expiryMs = session.loginTimeMs + SESSION_TTL_MS;
    return nowMs >= expiryMs ? logOutSession(session, expiryMs) : session;
  }
  if (session.status === 'unapproved') {
    const expiryMs = session.requestTimeMs + SESSION_REQUEST_TTL_MS;
    return nowMs >= expiryMs ? denySession(session, expiryMs) : session;
  }
  return session;
}

/**
 * Tells whether a session belongs under `sessions/` (still live) at `nowMs`.
 *
 * @param session - the stored session
 * @param nowMs - now
 * @returns true for unexpired `unapproved` and `approved` sessions
 */
export function isLiveSession(session: LoginSession, nowMs: number): boolean {
  const effective = effectiveSession(session, nowMs);
  return effective.status === 'unapproved' || effective.status === 'approved';
}

/**
 * Throws the code that says why a session cannot sign, unless it is approved or logged out.
 *
 * @param session - the (effective) session
 * @throws AcquireError `SESSION_NOT_APPROVED`, `SESSION_DENIED` or `SESSION_SUSPICIOUS`
 */
export function assertSigningStatus(session: LoginSession): void {
  switch (session.status) {
    case 'approved':
    case 'logged_out':
      return;
    case 'unapproved':
      throw new AcquireError(ErrorCode.SESSION_NOT_APPROVED, 'session has not been approved');
    case 'denied':
      throw new AcquireError(ErrorCode.SESSION_DENIED, 'session was denied or expired unapproved');
    case 'suspicious':
      throw new AcquireError(ErrorCode.SESSION_SUSPICIOUS, 'session is suspicious');
  }
}

function notPending(): AcquireError {
  return new AcquireError(ErrorCode.SESSION_NOT_PENDING, 'session is not waiting for approval');
}
