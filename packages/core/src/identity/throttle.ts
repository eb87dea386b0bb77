/**
 * Throttling of failed password checks, per user and per source address. The counters live in
 * the object store and change only by compare-and-swap, so they hold across any number of
 * stateless service instances sharing the store. Attempts are counted when admitted, before the
 * credentials are checked.
 *
 * The first {@link LOGIN_FAILURES_FREE} failures cost nothing; each one after that blocks
 * further attempts for a doubling time, from {@link LOGIN_BACKOFF_BASE_MS} up to
 * {@link LOGIN_BACKOFF_MAX_MS}. A success clears the user's counter, but takes only its own
 * attempt back from the address's counter: otherwise a guesser with an account of their own
 * could log into it between guesses at other users and never be throttled. A blocked attempt is
 * refused before any credential is looked at, so it teaches the caller nothing.
 *
 * Per-user throttling lets anyone who knows a username delay that user's logins by up to
 * {@link LOGIN_BACKOFF_MAX_MS} at a time; that is the price of stopping password guessing
 * spread over many addresses.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { readJson, updateJson } from '../store/json.js';
import type { ObjectStore } from '../store/object-store.js';
import { deleteIfUnchanged } from './session-records.js';
import { addressThrottleKey, userThrottleKey } from './store-layout.js';

/** Five failures are free: enough for typos and a clock-skewed authenticator. */
export const LOGIN_FAILURES_FREE = 5;

/** The first back-off after the free failures is one second, then it doubles. */
export const LOGIN_BACKOFF_BASE_MS = 1000;

/** Back-off stops doubling at 15 minutes, so a locked-out user can always try again soon. */
export const LOGIN_BACKOFF_MAX_MS: number = 15 * 60 * 1000;

/** A counter idle for a day starts over, so old typos are not held against a user. */
export const LOGIN_FAILURES_FORGET_MS: number = 24 * 60 * 60 * 1000;

/** The current layout of a throttle record. */
const THROTTLE_RECORD_VERSION = 1;

/** A throttle record as stored at `throttle/users/<name>` or `throttle/addresses/<address>`. */
interface ThrottleRecord {
  readonly v: 1;
  readonly failures: number;
  readonly lastFailureMs: number;
  readonly blockedUntilMs: number;
}

const COUNT_SCHEMA = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const THROTTLE_RECORD_SCHEMA = v.object({
  v: v.literal(THROTTLE_RECORD_VERSION),
  failures: COUNT_SCHEMA,
  lastFailureMs: COUNT_SCHEMA,
  blockedUntilMs: COUNT_SCHEMA,
});

const parseThrottleRecord = (value: unknown): ThrottleRecord =>
  v.parse(THROTTLE_RECORD_SCHEMA, value);

/** The throttle records that apply to one attempt. */
export interface ThrottleKeys {
  /** The user's record. */
  readonly user: string;
  /** The source address's record, when the host knows the address. */
  readonly address?: string;
}

/**
 * The throttle records that apply to one attempt.
 *
 * @param name - the username key segment
 * @param remoteAddress - the caller's address, when the host knows it
 * @returns the keys of the user's and the address's records
 */
export function throttleKeys(name: string, remoteAddress: string | undefined): ThrottleKeys {
  return remoteAddress === undefined || remoteAddress === ''
    ? { user: userThrottleKey(name) }
    : { user: userThrottleKey(name), address: addressThrottleKey(remoteAddress) };
}

function keyList(keys: ThrottleKeys): string[] {
  return keys.address === undefined ? [keys.user] : [keys.user, keys.address];
}

/**
 * Admits one attempt or refuses it. Every admitted attempt is counted as a failure before any
 * credential is checked, by compare-and-swap, and {@link recordLoginSuccess} takes it back
 * when the credentials turn out right. Counting first means a burst of parallel guesses is
 * throttled as surely as a sequence: once the free attempts are admitted, the rest are refused.
 *
 * @param store - the identity store
 * @param keys - from {@link throttleKeys}
 * @param nowMs - now
 * @throws AcquireError `LOGIN_THROTTLED` with `details.retryAfterMs`
 */
export async function admitAttempt(
  store: ObjectStore,
  keys: ThrottleKeys,
  nowMs: number,
): Promise<void> {
  let retryAfterMs = 0;
  for (const key of keyList(keys)) {
    const record = await readJson(store, key, parseThrottleRecord);
    retryAfterMs = Math.max(retryAfterMs, waitMs(record?.value, nowMs));
  }

  for (const key of keyList(keys)) {
    if (retryAfterMs > 0) {
      break;
    }
    await updateJson<ThrottleRecord>(
      store,
      key,
      (current) => {
        retryAfterMs = waitMs(current, nowMs);
        return retryAfterMs > 0 ? undefined : nextRecord(current, nowMs);
      },
      { parse: parseThrottleRecord },
    );
  }

  if (retryAfterMs > 0) {
    throw new AcquireError(ErrorCode.LOGIN_THROTTLED, 'too many failed attempts; try again later', {
      details: { retryAfterMs },
    });
  }
}

/**
 * Settles an admitted attempt whose credentials were right: clears the user's record, and takes
 * this one attempt back from the address's record. A failure recorded meanwhile is kept.
 *
 * @param store - the identity store
 * @param keys - from {@link throttleKeys}
 */
export async function recordLoginSuccess(store: ObjectStore, keys: ThrottleKeys): Promise<void> {
  const stored = await store.read(keys.user);
  if (stored !== undefined) {
    await deleteIfUnchanged(store, keys.user, stored.version);
  }

  if (keys.address !== undefined) {
    await updateJson<ThrottleRecord>(
      store,
      keys.address,
      (current) => (current === undefined ? undefined : withoutOneFailure(current)),
      { parse: parseThrottleRecord },
    );
  }
}

/** A record with one admitted attempt taken back; below the free failures nothing is blocked. */
function withoutOneFailure(record: ThrottleRecord): ThrottleRecord {
  const failures = Math.max(0, record.failures - 1);
  const blockedUntilMs = failures < LOGIN_FAILURES_FREE ? 0 : record.blockedUntilMs;
  return { ...record, failures, blockedUntilMs };
}

function waitMs(record: ThrottleRecord | undefined, nowMs: number): number {
  return record === undefined ? 0 : Math.max(0, record.blockedUntilMs - nowMs);
}

function nextRecord(current: ThrottleRecord | undefined, nowMs: number): ThrottleRecord {
  const forgotten =
    current === undefined || nowMs - current.lastFailureMs > LOGIN_FAILURES_FORGET_MS;
  const failures = forgotten ? 1 : current.failures + 1;
  const blockedUntilMs =
    failures < LOGIN_FAILURES_FREE ? 0 : nowMs + backOffMs(failures - LOGIN_FAILURES_FREE);

  return { v: THROTTLE_RECORD_VERSION, failures, lastFailureMs: nowMs, blockedUntilMs };
}

/** Doubling from the base, capped; the exponent is capped first so it cannot overflow. */
function backOffMs(excessFailures: number): number {
  const doublingsMax = Math.ceil(Math.log2(LOGIN_BACKOFF_MAX_MS / LOGIN_BACKOFF_BASE_MS));
  return Math.min(
    LOGIN_BACKOFF_MAX_MS,
    LOGIN_BACKOFF_BASE_MS * 2 ** Math.min(excessFailures, doublingsMax),
  );
}
