/**
 * One attempt at a perform. Finishing a committed perform lives in `perform-finish.ts`; the
 * retry loops, and what to do when an attempt is blocked, in `operations.ts`.
 *
 * A perform takes this process's locks on every account it touches, reads their heads, then:
 * 1. places a marker on every account at once, each by one CAS; on a paying account the same
 *    CAS checks its limits, and a refusal undoes the markers already placed;
 * 2. commits by writing the batch's first record, `direct` or `provisional`, with
 *    write-if-absent;
 * 3. writes the line items, expiry entries and the batch's other records.
 * Until the commit, a marker may still be rolled back, so no limit check counts what another
 * perform's uncommitted marker adds to an account.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { findMarker, limitBreach, type Marker, withMarker, withoutMarker } from './account-head.js';
import {
  type HeadRead,
  type HeadStepResult,
  lastKnownHead,
  prepareHead,
  updateHead,
} from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { idempotentUid } from './ledger-uids.js';
import { completePerform } from './perform-finish.js';
import {
  type AccountPlan,
  commitRecord,
  type PerformRequest,
  performMarker,
  planAccounts,
  requestDigest,
} from './perform-plan.js';
import { abortedError, type Refusal } from './perform-refusals.js';
import { transactionKey } from './store-layout.js';
import {
  encodeTransactionRecord,
  type PerformedRecord,
  readTransactionRecord,
} from './transaction-records.js';

/** A perform ready to be attempted. */
export interface PerformOperation {
  /** The batch uid: random, or derived from the idempotency key. */
  readonly batchUid: string;
  /** The request. */
  readonly request: PerformRequest;
  /** When it was performed. */
  readonly timeMs: number;
  /** The digest of an idempotent request. */
  readonly digest: string | undefined;
  /** Each account's change, in uid order. */
  readonly plans: readonly AccountPlan[];
}

/** How an attempt ended. */
export type PerformAttempt =
  | { readonly kind: 'performed'; readonly records: PerformedRecord[] }
  | { readonly kind: 'repeat' }
  | { readonly kind: 'blocked'; readonly blockers: readonly Marker[] }
  | ({ readonly kind: 'refused' } & Refusal);

/**
 * Gives a request its batch uid, time and plan.
 *
 * @param runtime - the ledger runtime
 * @param request - a checked request
 * @returns the operation
 */
export function preparePerform(runtime: LedgerRuntime, request: PerformRequest): PerformOperation {
  const key = request.idempotencyKey;
  const batchUid = key === undefined ? runtime.newUid() : idempotentUid(`perform\n${key}`);
  return {
    batchUid,
    request,
    timeMs: runtime.clock.now(),
    digest: key === undefined ? undefined : requestDigest(request),
    plans: planAccounts(batchUid, request.legs, request.provisional),
  };
}

/**
 * Attempts a perform once.
 *
 * @param runtime - the ledger runtime
 * @param operation - the prepared perform
 * @returns how the attempt ended
 * @throws AcquireError `TRANSACTION_ABORTED` when a reader judged this perform dead meanwhile, or
 *   the refusal a repeat of it recorded meanwhile
 */
export async function attemptPerform(
  runtime: LedgerRuntime,
  operation: PerformOperation,
): Promise<PerformAttempt> {
  const release = await runtime.lockAccounts(operation.plans.map((plan) => plan.uid));
  let committed: PerformedRecord;
  try {
    const reads = await readHeads(runtime, operation.plans);
    if (operation.digest !== undefined && (await isRepeat(runtime, operation, reads))) {
      return { kind: 'repeat' };
    }
    const placed = await placeMarkers(runtime, operation, reads);
    if (!(placed instanceof Map)) {
      return placed;
    }
    const record = await commit(runtime, operation, placed);
    if (record === undefined) {
      return { kind: 'repeat' };
    }
    committed = record;
  } finally {
    release();
  }
  return { kind: 'performed', records: await completePerform(runtime, committed) };
}

async function readHeads(
  runtime: LedgerRuntime,
  plans: readonly AccountPlan[],
): Promise<Map<string, HeadRead>> {
  const reads = await Promise.all(plans.map((plan) => lastKnownHead(runtime, plan.uid)));
  return new Map(plans.map((plan, index) => [plan.uid, reads[index] as HeadRead]));
}

async function isRepeat(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  reads: ReadonlyMap<string, HeadRead>,
): Promise<boolean> {
  const anchor = operation.plans.find((plan) => plan.pays) as AccountPlan;
  const anchorHead = (reads.get(anchor.uid) as HeadRead).head;
  return (
    findMarker(anchorHead, 'perform', operation.batchUid) !== undefined ||
    (await readTransactionRecord(runtime.store, operation.batchUid)) !== undefined
  );
}

/** Places every account's marker at once; when one cannot be placed, undoes the others. */
async function placeMarkers(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  reads: ReadonlyMap<string, HeadRead>,
): Promise<Map<string, Marker> | Exclude<PerformAttempt, { kind: 'performed' }>> {
  const outcomes = await Promise.allSettled(
    operation.plans.map((plan) =>
      updateHead(runtime, plan.uid, reads.get(plan.uid), (head, fresh) =>
        markerStep(runtime, operation, plan, head, fresh),
      ),
    ),
  );

  const placed = new Map<string, Marker>();
  let stop: Exclude<PerformAttempt, { kind: 'performed' }> | undefined;
  let failure: { readonly reason: unknown } | undefined;
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'rejected') {
      failure ??= outcome;
    } else if ('op' in outcome.value.result) {
      placed.set((operation.plans[index] as AccountPlan).uid, outcome.value.result);
    } else {
      stop ??= outcome.value.result;
    }
  });
  if (failure === undefined && stop === undefined) {
    return placed;
  }

  await undoMarkers(runtime, operation.batchUid, placed);
  if (failure !== undefined) {
    throw failure.reason;
  }
  return stop as Exclude<PerformAttempt, { kind: 'performed' }>;
}

async function markerStep(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  plan: AccountPlan,
  head: HeadRead['head'],
  fresh: boolean,
): Promise<HeadStepResult<Marker | Exclude<PerformAttempt, { kind: 'performed' }>>> {
  if (findMarker(head, 'perform', operation.batchUid) !== undefined) {
    return { stop: { kind: 'repeat' } };
  }
  // An idempotent perform may be repeated by another process, which may have committed and had
  // its markers tidied away since this attempt began; only the record, read after this head,
  // tells. A random batch uid is this attempt's alone.
  if (
    fresh &&
    operation.digest !== undefined &&
    (await readTransactionRecord(runtime.store, operation.batchUid)) !== undefined
  ) {
    return { stop: { kind: 'repeat' } };
  }
  const prepared = await prepareHead(runtime, head, operation.timeMs, plan.pays);
  if (!prepared.ready) {
    return { stop: { kind: 'blocked', blockers: prepared.blockers } };
  }

  const marker = performMarker(
    plan,
    operation.batchUid,
    runtime.clock.now(),
    prepared.timeMs,
    plan.pays ? operation.digest : undefined,
  );
  const next = withMarker(prepared.head, marker);
  const breach = plan.pays ? limitBreach(next, operation.batchUid) : undefined;
  if (breach !== undefined) {
    return { stop: { kind: 'refused', code: breach, accountUid: plan.uid } };
  }
  return { next, result: marker };
}

async function undoMarkers(
  runtime: LedgerRuntime,
  batchUid: string,
  placed: ReadonlyMap<string, Marker>,
): Promise<void> {
  await Promise.all(
    [...placed.keys()].map((uid) =>
      updateHead(runtime, uid, undefined, async (head) => {
        const marker = findMarker(head, 'perform', batchUid);
        return marker === undefined
          ? { stop: undefined }
          : { next: withoutMarker(head, marker, true), result: undefined };
      }),
    ),
  );
}

/** Commits; `undefined` when a repeat of this perform committed first (its markers undone). */
async function commit(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  placed: ReadonlyMap<string, Marker>,
): Promise<PerformedRecord | undefined> {
  const record = commitRecord(
    operation.batchUid,
    operation.request,
    operation.timeMs,
    operation.digest,
    placed,
  );
  const key = transactionKey(operation.batchUid);
  try {
    await runtime.store.writeIfAbsent(key, encodeTransactionRecord(record));
    return record;
  } catch (error) {
    if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw error;
    }
  }

  // A record already there is an `aborted` one when a reader judged this perform dead while it
  // was paused, or a repeat of it was refused meanwhile and made the refusal final; otherwise a
  // repeat committed first.
  await undoMarkers(runtime, operation.batchUid, placed);
  const found = await readTransactionRecord(runtime.store, operation.batchUid);
  if (found === undefined) {
    throw new AcquireError(
      ErrorCode.TRANSACTION_ABORTED,
      `transaction ${operation.batchUid} was rolled back while it was being performed`,
    );
  }
  if (found.record.state === 'aborted') {
    throw abortedError(found.record);
  }
  return undefined;
}
