/**
 * One attempt at a perform, and one attempt at finishing a perform someone else began. The
 * retry loops around them, and what to do when an attempt is blocked, live in `operations.ts`.
 *
 * A perform takes this process's locks on every account it touches, reads their heads, then:
 * 1. places a marker on each paying account, in uid order, each by one CAS that also checks the
 *    account's limits (a refusal undoes the markers already placed);
 * 2. commits by writing the batch's first record, `pending`, with write-if-absent;
 * 3. places a marker on each account only paid;
 * 4. writes line items, expiry entries and the batch's other records, then moves the first
 *    record to `direct` or `provisional` by CAS.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import {
  findMarker,
  limitBreach,
  type Marker,
  operationId,
  withMarker,
  withoutMarker,
} from './account-head.js';
import {
  type HeadRead,
  type HeadStepResult,
  lastKnownHead,
  prepareHead,
  readHead,
  updateHead,
} from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { idempotentUid } from './ledger-uids.js';
import { lineItemKey } from './line-items.js';
import {
  type AccountPlan,
  commitRecord,
  finalRecords,
  legsOf,
  type PerformRequest,
  performMarker,
  planAccounts,
  requestDigest,
} from './perform-plan.js';
import { expiryKey, transactionKey } from './store-layout.js';
import {
  encodeTransactionRecord,
  type PerformedRecord,
  readTransactionRecord,
} from './transaction-records.js';
import { writeOnce } from './write-once.js';

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
  | { readonly kind: 'committed-blocked'; readonly blockers: readonly Marker[] }
  | {
      readonly kind: 'refused';
      readonly code: typeof ErrorCode.INSUFFICIENT_FUNDS | typeof ErrorCode.DAILY_LIMIT_EXCEEDED;
      readonly accountUid: string;
    };

/** How an attempt to finish someone else's perform ended. */
export type RollForwardAttempt =
  | { readonly kind: 'finished'; readonly records: PerformedRecord[] }
  | { readonly kind: 'not-committed' }
  | { readonly kind: 'blocked'; readonly blockers: readonly Marker[] };

type Blocked = { readonly kind: 'blocked'; readonly blockers: readonly Marker[] };

type CreditsOutcome =
  | { readonly kind: 'applied'; readonly markers: ReadonlyMap<string, Marker> }
  | { readonly kind: 'finished' }
  | Blocked;

interface Committed {
  readonly record: PerformedRecord;
  readonly version: string;
}

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
 * @throws AcquireError `TRANSACTION_ABORTED` when a reader judged this perform dead meanwhile
 */
export async function attemptPerform(
  runtime: LedgerRuntime,
  operation: PerformOperation,
): Promise<PerformAttempt> {
  const release = await runtime.lockAccounts(operation.plans.map((plan) => plan.uid));
  let committed: Committed;
  let credits: CreditsOutcome;
  try {
    const reads = await readHeads(runtime, operation.plans, lastKnownHead);
    if (operation.digest !== undefined && (await isRepeat(runtime, operation, reads))) {
      return { kind: 'repeat' };
    }
    const placed = await placeDebits(runtime, operation, reads);
    if (!(placed instanceof Map)) {
      return placed;
    }
    committed = await commit(runtime, operation, placed);
    credits = await applyCredits(runtime, committed.record, operation.plans, reads);
    if (credits.kind === 'applied') {
      credits = { kind: 'applied', markers: new Map([...placed, ...credits.markers]) };
    }
  } finally {
    release();
  }

  if (credits.kind === 'blocked') {
    return { kind: 'committed-blocked', blockers: credits.blockers };
  }
  if (credits.kind === 'finished') {
    return { kind: 'performed', records: await finishedRecords(runtime, operation.batchUid) };
  }
  return { kind: 'performed', records: await completePerform(runtime, committed, credits.markers) };
}

/**
 * Attempts once to finish a committed perform: places the markers still missing, writes what is
 * left and finalises the record.
 *
 * @param runtime - the ledger runtime
 * @param batchUid - the batch uid
 * @returns how the attempt ended
 */
export async function attemptRollForwardPerform(
  runtime: LedgerRuntime,
  batchUid: string,
): Promise<RollForwardAttempt> {
  const first = await readTransactionRecord(runtime.store, batchUid);
  if (first === undefined || first.record.state === 'aborted') {
    return { kind: 'not-committed' };
  }
  if (first.record.state !== 'pending') {
    return { kind: 'finished', records: finalRecords(first.record) };
  }

  const plans = planAccounts(batchUid, legsOf(first.record), first.record.provisional);
  const release = await runtime.lockAccounts(plans.map((plan) => plan.uid));
  let committed: Committed;
  let credits: CreditsOutcome;
  try {
    const reads = await readHeads(runtime, plans, readHead);
    const found = await readTransactionRecord(runtime.store, batchUid);
    if (found === undefined || found.record.state !== 'pending') {
      return { kind: 'finished', records: await finishedRecords(runtime, batchUid) };
    }
    committed = found as Committed;
    credits = await applyCredits(runtime, committed.record, plans, reads);
    if (credits.kind === 'applied') {
      credits = {
        kind: 'applied',
        markers: new Map([...debitMarkers(plans, reads, batchUid), ...credits.markers]),
      };
    }
  } finally {
    release();
  }

  if (credits.kind === 'blocked') {
    return credits;
  }
  if (credits.kind === 'finished') {
    return { kind: 'finished', records: await finishedRecords(runtime, batchUid) };
  }
  return { kind: 'finished', records: await completePerform(runtime, committed, credits.markers) };
}

/**
 * Marks an uncommitted perform as aborted, so that it can never commit and its markers are
 * undone by the next update of each account.
 *
 * @param runtime - the ledger runtime
 * @param batchUid - the batch uid
 * @param digest - the request digest from its marker, when it had one
 */
export async function abandonPerform(
  runtime: LedgerRuntime,
  batchUid: string,
  digest: string | undefined,
): Promise<void> {
  const tombstone = {
    uid: batchUid,
    state: 'aborted' as const,
    timeMs: runtime.clock.now(),
    reason: 'interrupted before it took effect, and rolled back',
    ...(digest === undefined ? {} : { requestDigest: digest }),
  };
  if (
    await writeOnce(runtime.store, transactionKey(batchUid), encodeTransactionRecord(tombstone))
  ) {
    runtime.logger.warn({ batchUid }, 'rolled back an interrupted perform');
  }
}

/**
 * The records of a finished batch, as the perform returned them.
 *
 * @param runtime - the ledger runtime
 * @param batchUid - the batch uid
 * @returns the records
 * @throws AcquireError `TRANSACTION_ABORTED` or `TRANSACTION_IN_PROGRESS` when not finished
 */
export async function finishedRecords(
  runtime: LedgerRuntime,
  batchUid: string,
): Promise<PerformedRecord[]> {
  const found = await readTransactionRecord(runtime.store, batchUid);
  if (found === undefined || found.record.state === 'pending') {
    throw new AcquireError(
      ErrorCode.TRANSACTION_IN_PROGRESS,
      `transaction ${batchUid} is under way`,
    );
  }
  if (found.record.state === 'aborted') {
    throw new AcquireError(
      ErrorCode.TRANSACTION_ABORTED,
      `transaction ${batchUid} was rolled back`,
    );
  }
  const { settlement: _settlement, ...first } = found.record;
  return finalRecords(first);
}

async function readHeads(
  runtime: LedgerRuntime,
  plans: readonly AccountPlan[],
  read: (runtime: LedgerRuntime, uid: string) => Promise<HeadRead>,
): Promise<Map<string, HeadRead>> {
  const reads = await Promise.all(plans.map((plan) => read(runtime, plan.uid)));
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

async function placeDebits(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  reads: ReadonlyMap<string, HeadRead>,
): Promise<Map<string, Marker> | Exclude<PerformAttempt, { kind: 'performed' }>> {
  const placed = new Map<string, Marker>();
  for (const plan of operation.plans) {
    if (!plan.pays) {
      continue;
    }
    const { result } = await updateHead(runtime, plan.uid, reads.get(plan.uid), (head) =>
      debitStep(runtime, operation, plan, head),
    );
    if ('op' in result) {
      placed.set(plan.uid, result);
      continue;
    }
    await undoMarkers(runtime, operation.batchUid, placed);
    return result;
  }
  return placed;
}

async function debitStep(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  plan: AccountPlan,
  head: HeadRead['head'],
): Promise<HeadStepResult<Marker | Exclude<PerformAttempt, { kind: 'performed' }>>> {
  if (findMarker(head, 'perform', operation.batchUid) !== undefined) {
    return { stop: { kind: 'repeat' } };
  }
  const prepared = await prepareHead(runtime, head, operation.timeMs);
  if (!prepared.ready) {
    return { stop: { kind: 'blocked', blockers: prepared.blockers } };
  }

  const placedMs = runtime.clock.now();
  const marker = performMarker(
    plan,
    operation.batchUid,
    placedMs,
    prepared.timeMs,
    operation.digest,
  );
  const next = withMarker(prepared.head, marker);
  const breach = limitBreach(next);
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
  for (const uid of placed.keys()) {
    await updateHead(runtime, uid, undefined, async (head) => {
      const marker = findMarker(head, 'perform', batchUid);
      return marker === undefined
        ? { stop: undefined }
        : { next: withoutMarker(head, marker, true), result: undefined };
    });
  }
}

async function commit(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  placed: ReadonlyMap<string, Marker>,
): Promise<Committed> {
  const record = commitRecord(
    operation.batchUid,
    operation.request,
    operation.timeMs,
    operation.digest,
  );
  const key = transactionKey(operation.batchUid);
  const bytes = encodeTransactionRecord(record);
  const version = await runtime.store.writeIfAbsent(key, bytes).catch(async (error: unknown) => {
    if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw error;
    }
    // Only this process places this batch's markers, so a record already there is the
    // tombstone of a reader that judged this perform dead while it was paused.
    await undoMarkers(runtime, operation.batchUid, placed);
    throw new AcquireError(
      ErrorCode.TRANSACTION_ABORTED,
      `transaction ${operation.batchUid} was rolled back while it was being performed`,
    );
  });
  return { record, version };
}

async function applyCredits(
  runtime: LedgerRuntime,
  record: PerformedRecord,
  plans: readonly AccountPlan[],
  reads: ReadonlyMap<string, HeadRead>,
): Promise<CreditsOutcome> {
  const markers = new Map<string, Marker>();
  for (const plan of plans) {
    if (plan.pays) {
      continue;
    }
    const { result } = await updateHead(runtime, plan.uid, reads.get(plan.uid), (head, fresh) =>
      creditStep(runtime, record, plan, head, fresh),
    );
    if (!('op' in result)) {
      return result;
    }
    markers.set(plan.uid, result);
  }
  return { kind: 'applied', markers };
}

async function creditStep(
  runtime: LedgerRuntime,
  record: PerformedRecord,
  plan: AccountPlan,
  head: HeadRead['head'],
  fresh: boolean,
): Promise<HeadStepResult<Marker | { readonly kind: 'finished' } | Blocked>> {
  const existing = findMarker(head, 'perform', record.batchUid);
  if (existing !== undefined) {
    return { stop: existing };
  }
  // A marker can be missing because it was never placed, or because the perform finished and
  // the marker was tidied away; only the record, read after this head, tells which.
  if (fresh) {
    const found = await readTransactionRecord(runtime.store, record.batchUid);
    if (found?.record.state !== 'pending') {
      return { stop: { kind: 'finished' } };
    }
  }
  const prepared = await prepareHead(runtime, head, record.timeMs);
  if (!prepared.ready) {
    return { stop: { kind: 'blocked', blockers: prepared.blockers } };
  }
  const marker = performMarker(
    plan,
    record.batchUid,
    runtime.clock.now(),
    prepared.timeMs,
    undefined,
  );
  return { next: withMarker(prepared.head, marker), result: marker };
}

function debitMarkers(
  plans: readonly AccountPlan[],
  reads: ReadonlyMap<string, HeadRead>,
  batchUid: string,
): Map<string, Marker> {
  const markers = new Map<string, Marker>();
  for (const plan of plans.filter((candidate) => candidate.pays)) {
    const marker = findMarker((reads.get(plan.uid) as HeadRead).head, 'perform', batchUid);
    if (marker === undefined) {
      throw new AcquireError(
        ErrorCode.CORRUPT_RECORD,
        `transaction ${batchUid} is committed but account ${plan.uid} lacks its debit`,
      );
    }
    markers.set(plan.uid, marker);
  }
  return markers;
}

async function completePerform(
  runtime: LedgerRuntime,
  committed: Committed,
  markers: ReadonlyMap<string, Marker>,
): Promise<PerformedRecord[]> {
  const { store } = runtime;
  const records = finalRecords(committed.record);
  const writes: Promise<boolean>[] = [];
  for (const [accountUid, marker] of markers) {
    for (const item of marker.items) {
      writes.push(writeOnce(store, lineItemKey({ ...item, accountUid, timeMs: marker.timeMs })));
    }
  }
  for (const record of records) {
    if (record.expiresAtMs !== undefined) {
      writes.push(
        writeOnce(store, expiryKey(record.debitAccountUid, record.expiresAtMs, record.uid)),
      );
    }
    if (record.batchIndex > 0) {
      writes.push(writeOnce(store, transactionKey(record.uid), encodeTransactionRecord(record)));
    }
  }
  await Promise.all(writes);

  const first = records[0] as PerformedRecord;
  await store
    .writeIfVersion(transactionKey(first.uid), encodeTransactionRecord(first), committed.version)
    .catch(async (error: unknown) => {
      // Someone rolling this perform forward finished it first; anything else is a real failure.
      const found = await readTransactionRecord(store, first.uid);
      if (
        !AcquireError.is(error, ErrorCode.PRECONDITION_FAILED) ||
        found?.record.state === 'pending'
      ) {
        throw error;
      }
    });
  runtime.rememberFinished(operationId('perform', first.uid), 'done');
  return records;
}
