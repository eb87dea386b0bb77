/**
 * Reading and compare-and-swapping account heads, and tidying them: markers of operations known
 * to be finished are dropped (and those of rolled-back operations undone) in the same write as
 * the next change, and a new day is started only when no marker on the head might still be
 * rolled back, so that the totals at the start of each day stay exact.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { backOff, CAS_ATTEMPTS_MAX, encodeJson } from '../store/json.js';
import {
  type AccountHead,
  availableGain,
  decodeAccountHead,
  effectiveTime,
  encodeAccountHead,
  type Marker,
  type MarkerKind,
  operationId,
  rolledOver,
  withoutMarker,
} from './account-head.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { totalsToJson } from './line-items.js';
import { rollForwardPerform } from './perform-finish.js';
import { accountHeadKey, daySnapshotKey, utcDay } from './store-layout.js';
import { isSettled, readTransactionRecord } from './transaction-records.js';
import { writeOnce } from './write-once.js';

/**
 * A head holds at most this many unfinished operations. Each marker is a few hundred bytes and
 * may cost a read to tidy, so the bound keeps every head update cheap; beyond it, new
 * operations wait for old ones to finish.
 */
export const HEAD_MARKERS_MAX = 64;

/**
 * Updates leave the markers of performs this process is still finishing only on heads holding
 * fewer markers than this, so that a busy account's head stays small and never fills up.
 */
export const MARKERS_LEFT_MAX: number = HEAD_MARKERS_MAX / 2;

/** A head as read, with the version to compare-and-swap against. */
export interface HeadRead {
  /** The head. */
  readonly head: AccountHead;
  /** Its store version. */
  readonly version: string;
}

/**
 * Where an operation stands: `uncommitted` may still be rolled back, `committed` will be
 * completed, `done` and `aborted` are final. A committed perform has changed every account it
 * touches, but its line items and other derived objects may not all be written yet.
 */
export type OperationStatus = 'uncommitted' | 'committed' | 'done' | 'aborted';

/** A head made ready for a new change, or the markers that keep it from being ready. */
export type PreparedHead =
  | {
      readonly ready: true;
      /** The tidied head, on the day of the change. */
      readonly head: AccountHead;
      /** When the change takes effect. */
      readonly timeMs: number;
    }
  | {
      readonly ready: false;
      /** Unfinished markers in the way, some perhaps left by a crashed process. */
      readonly blockers: readonly Marker[];
    };

/** A step of {@link updateHead}: the next head and a result, or a result and no write. */
export type HeadStepResult<T> =
  | { readonly next: AccountHead; readonly result: T }
  | { readonly stop: T };

/**
 * Reads an account head.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @returns the head and its version
 * @throws AcquireError `ACCOUNT_NOT_FOUND` when the account has no head
 */
export async function readHead(runtime: LedgerRuntime, uid: string): Promise<HeadRead> {
  const key = accountHeadKey(uid);
  const stored = await runtime.store.read(key);
  if (stored === undefined) {
    throw new AcquireError(ErrorCode.ACCOUNT_NOT_FOUND, `no account has uid ${uid}`, {
      details: { accountUid: uid },
    });
  }
  const read = { head: decodeAccountHead(stored.value, key), version: stored.version };
  runtime.rememberHead(uid, read);
  return read;
}

/**
 * The head as this process last saw it, or as read now when not remembered. An update that
 * starts from a remembered head fails its compare-and-swap if the head changed since, and then
 * reads it afresh; so a remembered head costs nothing when it is current, and one failed write
 * when it is not.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @returns the head and its version
 * @throws AcquireError `ACCOUNT_NOT_FOUND` when the account has no head
 */
export async function lastKnownHead(runtime: LedgerRuntime, uid: string): Promise<HeadRead> {
  return runtime.lastHead(uid) ?? readHead(runtime, uid);
}

/**
 * Finds where an operation stands, from the cache of finished operations or its record.
 *
 * @param runtime - the ledger runtime
 * @param kind - the marker kind
 * @param op - the operation uid
 * @returns its status
 */
export async function operationStatus(
  runtime: LedgerRuntime,
  kind: MarkerKind,
  op: string,
): Promise<OperationStatus> {
  const id = operationId(kind, op);
  const known = runtime.finishedOutcome(id);
  if (known !== undefined) {
    return known;
  }

  const found = await readTransactionRecord(runtime.store, op);
  const state = found?.record.state;
  const status: OperationStatus =
    kind === 'perform'
      ? state === undefined
        ? 'uncommitted'
        : state === 'aborted'
          ? 'aborted'
          : 'committed'
      : state !== undefined && isSettled(state)
        ? 'done'
        : 'committed';

  if (status === 'done' || status === 'aborted') {
    runtime.rememberFinished(id, status);
  }
  return status;
}

/**
 * Drops the markers of finished operations, undoing those that were rolled back. A committed
 * perform's marker is dropped too, once what the perform left to write has been written.
 *
 * For an update, the marker of a perform this process is still finishing is left for a later
 * update to drop, unless the update pays from the account and the marker adds to what it may
 * spend, or the head already holds {@link MARKERS_LEFT_MAX} markers; then the update waits for
 * the finishing. Other callers (balances, limit changes, reconcile) always wait, so that what
 * they count is complete.
 *
 * @param runtime - the ledger runtime
 * @param head - the head as read
 * @param update - for an update, whether it pays from the account; absent for a read
 * @returns the tidied head and the markers of operations that might still be rolled back
 */
export async function tidyMarkers(
  runtime: LedgerRuntime,
  head: AccountHead,
  update?: { readonly pays: boolean },
): Promise<{ readonly head: AccountHead; readonly uncommitted: readonly Marker[] }> {
  const known = head.markers.map((marker) =>
    runtime.finishedOutcome(operationId(marker.kind, marker.op)),
  );
  const statuses: readonly (OperationStatus | undefined)[] = known.every(
    (status) => status !== undefined,
  )
    ? known
    : await Promise.all(
        head.markers.map((marker) =>
          settledStatus(runtime, marker, mayLeave(head, marker, update)),
        ),
      );

  let tidied = head;
  const uncommitted: Marker[] = [];
  head.markers.forEach((marker, index) => {
    const status = statuses[index];
    if (status === 'done' || status === 'aborted') {
      tidied = withoutMarker(tidied, marker, status === 'aborted');
    } else if (status === 'uncommitted') {
      uncommitted.push(marker);
    }
  });
  return { head: tidied, uncommitted };
}

/** Whether an update may leave the marker of a perform still finishing; see `tidyMarkers`. */
function mayLeave(
  head: AccountHead,
  marker: Marker,
  update: { readonly pays: boolean } | undefined,
): boolean {
  return (
    update !== undefined &&
    head.markers.length < MARKERS_LEFT_MAX &&
    !(update.pays && availableGain(marker) > 0n)
  );
}

/**
 * An operation's status, after finishing it first when it is a committed perform. A perform
 * this process is finishing now is left as `committed` when `leave` allows, and otherwise
 * waited for; when that finishing fails, this call finishes the perform itself.
 */
async function settledStatus(
  runtime: LedgerRuntime,
  marker: Marker,
  leave: boolean,
): Promise<OperationStatus> {
  const id = operationId(marker.kind, marker.op);
  const finishing =
    marker.kind === 'perform' && runtime.finishedOutcome(id) === undefined
      ? runtime.finishing(id)
      : undefined;
  if (finishing !== undefined) {
    if (leave) {
      return 'committed';
    }
    await finishing.catch(() => undefined);
  }

  const status = await operationStatus(runtime, marker.kind, marker.op);
  if (status !== 'committed' || marker.kind !== 'perform') {
    return status;
  }
  await rollForwardPerform(runtime, marker.op);
  return 'done';
}

/**
 * Tidies a head and moves it to the day of a change about to be made.
 *
 * @param runtime - the ledger runtime
 * @param head - the head as read
 * @param timeMs - the time of the operation about to change it
 * @param pays - whether the change may take value from the account
 * @returns the prepared head, or the markers blocking it
 */
export async function prepareHead(
  runtime: LedgerRuntime,
  head: AccountHead,
  timeMs: number,
  pays = true,
): Promise<PreparedHead> {
  const tidy = await tidyMarkers(runtime, head, { pays });
  let tidied = tidy.head;

  const changeTimeMs = effectiveTime(tidied, timeMs);
  const day = utcDay(changeTimeMs);
  if (day > tidied.day) {
    if (tidy.uncommitted.length > 0) {
      return { ready: false, blockers: tidy.uncommitted };
    }
    await writeOnce(
      runtime.store,
      daySnapshotKey(tidied.uid, tidied.day),
      encodeJson(totalsToJson(tidied.opening)),
    );
    tidied = rolledOver(tidied, day);
  }

  if (tidied.markers.length >= HEAD_MARKERS_MAX) {
    return { ready: false, blockers: tidied.markers };
  }
  return { ready: true, head: tidied, timeMs: changeTimeMs };
}

/**
 * Changes a head by compare-and-swap, retrying on conflict with a fresh read. `step` gets the
 * head and whether it was read afresh by this call (rather than passed in as `known`); steps
 * that must not re-apply a finished operation check its record after a fresh read.
 *
 * A step that stops on a head passed in as `known` may have judged a head another process has
 * changed since: a refusal for funds that have come in, or a wait for a marker already gone.
 * A stop stands only once the head is read afresh and found unchanged, or the step stops again
 * on the fresh head.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @param known - the head as read earlier, or undefined to read it now
 * @param step - computes the next head, or stops without writing
 * @returns the step's result and the head now stored
 * @throws AcquireError `LEDGER_BUSY` when every attempt lost a race
 */
export async function updateHead<T>(
  runtime: LedgerRuntime,
  uid: string,
  known: HeadRead | undefined,
  step: (head: AccountHead, fresh: boolean) => Promise<HeadStepResult<T>>,
): Promise<{ readonly result: T; readonly read: HeadRead }> {
  let current = known ?? (await readHead(runtime, uid));
  let fresh = known === undefined;

  for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
    const outcome = await step(current.head, fresh);
    if ('stop' in outcome) {
      const latest = fresh ? current : await readHead(runtime, uid);
      if (latest.version === current.version) {
        return { result: outcome.stop, read: current };
      }
      current = latest;
      fresh = true;
      continue;
    }

    try {
      const bytes = encodeAccountHead(outcome.next);
      const version = await runtime.store.writeIfVersion(
        accountHeadKey(uid),
        bytes,
        current.version,
      );
      const written = { head: outcome.next, version };
      runtime.rememberHead(uid, written);
      return { result: outcome.result, read: written };
    } catch (error) {
      if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
        throw error;
      }
    }
    await backOff(attempt);
    current = await readHead(runtime, uid);
    fresh = true;
  }

  throw new AcquireError(ErrorCode.LEDGER_BUSY, `account ${uid} is too contended; retry later`, {
    details: { accountUid: uid },
  });
}

/**
 * Tells whether an unfinished operation has been in flight past the timeout.
 *
 * @param runtime - the ledger runtime
 * @param marker - its marker
 * @returns true when the next reader should roll it forward or back
 */
export function isStale(runtime: LedgerRuntime, marker: Marker): boolean {
  return runtime.clock.now() - marker.placedMs > runtime.inflightTimeoutMs;
}
