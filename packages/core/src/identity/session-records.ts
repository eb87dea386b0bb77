/**
 * Reading, moving and pruning stored login sessions and their pending-request pointers.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { readJson, writeJson } from '../store/json.js';
import { listKeys } from '../store/listing.js';
import type { ObjectStore } from '../store/object-store.js';
import {
  effectiveSession,
  isLiveSession,
  type LoginSession,
  parseLoginSession,
  SESSIONS_OPEN_MAX,
} from './login-session.js';
import {
  expiredSessionKey,
  liveSessionKey,
  liveSessionsPrefix,
  requestKey,
} from './store-layout.js';

/**
 * A user's live-session listing is read at most this far. Live sessions are capped at
 * {@link SESSIONS_OPEN_MAX}, so anything beyond is debris of races and is left to a later pass.
 */
export const SESSION_SCAN_MAX: number = SESSIONS_OPEN_MAX * 4;

/** The current layout of a pending-request pointer. */
const PENDING_REQUEST_VERSION = 1;

/** A pending-request pointer as stored at `requests/<short uid>/<session uid>`. */
export interface PendingRequest {
  /** Layout version. */
  readonly v: 1;
  /** The owner's username key segment. */
  readonly name: string;
  /** When the session was requested, in ms since the epoch. */
  readonly requestTimeMs: number;
}

const PENDING_REQUEST_SCHEMA = v.object({
  v: v.literal(PENDING_REQUEST_VERSION),
  name: v.pipe(v.string(), v.minLength(1)),
  requestTimeMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
});

/**
 * Checks the shape of a stored pending-request pointer.
 *
 * @param value - parsed JSON
 * @returns the pointer
 */
export function parsePendingRequest(value: unknown): PendingRequest {
  return v.parse(PENDING_REQUEST_SCHEMA, value);
}

/**
 * A pending-request pointer for a new session.
 *
 * @param name - the owner's key segment
 * @param requestTimeMs - when the session was requested
 * @returns the pointer record
 */
export function pendingRequest(name: string, requestTimeMs: number): PendingRequest {
  return { v: PENDING_REQUEST_VERSION, name, requestTimeMs };
}

/** A session read from the store, and where it was found. */
export interface StoredSession {
  /** The session as stored. */
  readonly session: LoginSession;
  /** Its key. */
  readonly key: string;
  /** Its version, for compare-and-swap. */
  readonly version: string;
  /** True when found under `sessions/`, false under `expired_sessions/`. */
  readonly live: boolean;
}

/**
 * Reads a session, live first, then ended.
 *
 * @param store - the identity store
 * @param name - the owner's key segment
 * @param sessionUid - the session uid
 * @returns the session and where it was, or `undefined`
 * @throws AcquireError `CORRUPT_RECORD` when the record is damaged
 */
export async function readSession(
  store: ObjectStore,
  name: string,
  sessionUid: string,
): Promise<StoredSession | undefined> {
  for (const [key, live] of [
    [liveSessionKey(name, sessionUid), true],
    [expiredSessionKey(name, sessionUid), false],
  ] as const) {
    const found = await readJson(store, key, parseLoginSession);
    if (found !== undefined) {
      return { session: found.value, key, version: found.version, live };
    }
  }
  return undefined;
}

/**
 * Reads a session and throws when there is none.
 *
 * @param store - the identity store
 * @param name - the owner's key segment
 * @param sessionUid - the session uid
 * @returns the session and where it was
 * @throws AcquireError `SESSION_NOT_FOUND` when absent, `CORRUPT_RECORD` when damaged
 */
export async function requireSession(
  store: ObjectStore,
  name: string,
  sessionUid: string,
): Promise<StoredSession> {
  const found = await readSession(store, name, sessionUid);
  if (found === undefined) {
    throw new AcquireError(ErrorCode.SESSION_NOT_FOUND, 'no such session for this user');
  }
  return found;
}

/**
 * Moves an ended live session to `expired_sessions/` and drops its pending request. The
 * expired copy is written first and the live one deleted only if unchanged, so a concurrent
 * change (for example a suspicious mark) stays visible and a later pass moves it again.
 *
 * @param store - the identity store
 * @param name - the owner's key segment
 * @param session - the ended session to keep
 * @param liveVersion - the version of the live record that was read
 */
export async function retireSession(
  store: ObjectStore,
  name: string,
  session: LoginSession,
  liveVersion: string,
): Promise<void> {
  await writeJson(store, expiredSessionKey(name, session.sessionUid), session);
  await deleteIfUnchanged(store, liveSessionKey(name, session.sessionUid), liveVersion);
  await store.delete(requestKey(session.shortUid, session.sessionUid));
}

/**
 * Moves every ended session of a user out of `sessions/`, applying expiry, and counts the
 * live ones that remain. When the listing is longer than {@link SESSION_SCAN_MAX} the count is
 * reported as at least the cap: this call refuses, and the records it moved make room for the
 * next.
 *
 * @param store - the identity store
 * @param name - the owner's key segment
 * @param nowMs - now
 * @returns how many live sessions the user has
 */
export async function pruneSessions(
  store: ObjectStore,
  name: string,
  nowMs: number,
): Promise<number> {
  let live = 0;
  let scanned = 0;

  for await (const key of listKeys(store, liveSessionsPrefix(name))) {
    if (++scanned > SESSION_SCAN_MAX) {
      return Math.max(live, SESSIONS_OPEN_MAX);
    }
    const found = await readJson(store, key, parseLoginSession);
    if (found === undefined) {
      continue;
    }
    if (isLiveSession(found.value, nowMs)) {
      live++;
    } else {
      await retireSession(store, name, effectiveSession(found.value, nowMs), found.version);
    }
  }
  return live;
}

/**
 * Counts the keys under a user's `sessions/` prefix, up to {@link SESSION_SCAN_MAX}.
 *
 * @param store - the identity store
 * @param name - the owner's key segment
 * @returns the number of live-session records
 */
export async function countSessionRecords(store: ObjectStore, name: string): Promise<number> {
  let count = 0;
  for await (const _key of listKeys(store, liveSessionsPrefix(name))) {
    if (++count > SESSION_SCAN_MAX) {
      break;
    }
  }
  return count;
}

/**
 * Deletes an object only when its version is still the one read; a lost race is not an error.
 *
 * @param store - the store
 * @param key - the key
 * @param version - the version read
 */
export async function deleteIfUnchanged(
  store: ObjectStore,
  key: string,
  version: string,
): Promise<void> {
  try {
    await store.delete(key, { ifVersion: version });
  } catch (error) {
    if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw error;
    }
  }
}
