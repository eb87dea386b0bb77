/**
 * One-time codes are spent once per user. A code belongs to one RFC 6238 time step; spending
 * it claims `otps/<name>/<secret>/<step>` with write-if-absent, so of two logins racing with
 * one code exactly one wins, and the loser learns which session spent it first.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { readJson, updateJson, writeJsonIfAbsent } from '../store/json.js';
import { listKeys } from '../store/listing.js';
import type { ObjectStore } from '../store/object-store.js';
import { type LoginSession, markSuspicious, parseLoginSession } from './login-session.js';
import { readSession } from './session-records.js';
import { spentCodeKey, spentCodesPrefix } from './store-layout.js';
import { UID_PATTERN } from './uids.js';

/**
 * A spent code is remembered for 10 minutes. A code verifies for at most three 30-second steps
 * (its own and one either side), so this outlasts every chance of reuse with a wide margin.
 */
export const SPENT_CODE_RETENTION_MS: number = 10 * 60 * 1000;

/** At most this many spent codes are looked at per pruning pass, to bound the work per login. */
export const SPENT_CODE_PRUNE_SCAN_MAX = 50;

/** The current layout of a spent-code record. */
const SPENT_CODE_VERSION = 1;

interface SpentCode {
  readonly v: 1;
  /** The session whose login spent the code. */
  readonly sessionUid: string;
  /** When, in ms since the epoch. */
  readonly spentMs: number;
}

const SPENT_CODE_SCHEMA = v.object({
  v: v.literal(SPENT_CODE_VERSION),
  sessionUid: v.pipe(v.string(), v.regex(UID_PATTERN)),
  spentMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
});

const parseSpentCode = (value: unknown): SpentCode => v.parse(SPENT_CODE_SCHEMA, value);

/**
 * Spends a code for a session.
 *
 * @param store - the identity store
 * @param name - the username key segment
 * @param secretId - `account` or the device uid whose secret made the code
 * @param step - the time step the code matched
 * @param sessionUid - the session being approved
 * @param nowMs - now
 * @returns `undefined` when this call spent the code, or the uid of the session that spent it
 *   first
 */
export async function spendCode(
  store: ObjectStore,
  name: string,
  secretId: string,
  step: number,
  sessionUid: string,
  nowMs: number,
): Promise<string | undefined> {
  const key = spentCodeKey(name, secretId, step);
  const record: SpentCode = { v: SPENT_CODE_VERSION, sessionUid, spentMs: nowMs };
  try {
    await writeJsonIfAbsent(store, key, record);
    return undefined;
  } catch (error) {
    if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw error;
    }
  }

  const first = await readJson(store, key, parseSpentCode);
  return first?.value.sessionUid ?? sessionUid;
}

/**
 * Forgets spent codes older than {@link SPENT_CODE_RETENTION_MS}.
 *
 * @param store - the identity store
 * @param name - the username key segment
 * @param secretId - `account` or a device uid
 * @param nowMs - now
 */
export async function pruneSpentCodes(
  store: ObjectStore,
  name: string,
  secretId: string,
  nowMs: number,
): Promise<void> {
  let scanned = 0;
  for await (const key of listKeys(store, spentCodesPrefix(name, secretId))) {
    if (++scanned > SPENT_CODE_PRUNE_SCAN_MAX) {
      return;
    }
    const spent = await readJson(store, key, parseSpentCode);
    if (spent !== undefined && nowMs - spent.value.spentMs > SPENT_CODE_RETENTION_MS) {
      await store.delete(key);
    }
  }
}

/**
 * Marks a session suspicious wherever it is (live or ended), by compare-and-swap.
 *
 * @param store - the identity store
 * @param name - the username key segment
 * @param sessionUid - the session
 * @param nowMs - now
 * @returns the session as now stored, or `undefined` when there is none
 */
export async function markSessionSuspicious(
  store: ObjectStore,
  name: string,
  sessionUid: string,
  nowMs: number,
): Promise<LoginSession | undefined> {
  const found = await readSession(store, name, sessionUid);
  if (found === undefined) {
    return undefined;
  }
  return updateJson<LoginSession>(
    store,
    found.key,
    (current) => (current === undefined ? undefined : suspiciousOrSame(current, nowMs)),
    { parse: parseLoginSession },
  );
}

/** `updateJson` writes nothing when the change returns `undefined`. */
function suspiciousOrSame(session: LoginSession, nowMs: number): LoginSession | undefined {
  const next = markSuspicious(session, nowMs);
  return next === session ? undefined : next;
}
