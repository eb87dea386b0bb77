/**
 * Finishing a committed perform: the credits still missing, the line items and the final records,
 * whether by the process that began it or by a reader rolling it forward after a crash.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { findMarker, type Marker, operationId, withMarker } from './account-head.js';
import {
  type HeadRead,
  type HeadStepResult,
  prepareHead,
  readHead,
  updateHead,
} from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { lineItemKeys } from './line-items.js';
import {
  type AccountPlan,
  finalRecords,
  legsOf,
  performMarker,
  planAccounts,
} from './perform-plan.js';
import { abortedError } from './perform-refusals.js';
import { expiryKey, transactionKey } from './store-layout.js';
import {
  encodeTransactionRecord,
  type PerformedRecord,
  readTransactionRecord,
} from './transaction-records.js';
import { writeOnce } from './write-once.js';

/** How an attempt to finish someone else's perform ended. */
export type RollForwardAttempt =
  | { readonly kind: 'finished'; readonly records: PerformedRecord[] }
  | { readonly kind: 'not-committed' }
  | { readonly kind: 'blocked'; readonly blockers: readonly Marker[] };

/** Markers in the way of a head update. */
type Blocked = { readonly kind: 'blocked'; readonly blockers: readonly Marker[] };

/** How placing a perform's credits ended. */
export type CreditsOutcome =
  | { readonly kind: 'applied'; readonly markers: ReadonlyMap<string, Marker> }
  | { readonly kind: 'finished' }
  | Blocked;

/** A committed perform's first record, with its version. */
export interface Committed {
  /** The record, `pending`. */
  readonly record: PerformedRecord;
  /** Its store version. */
  readonly version: string;
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
    return { kind: 'finished', records: asPerformed(first.record) };
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
 * @throws AcquireError `TRANSACTION_IN_PROGRESS` when not finished; the refusal of a refused
 *   idempotent perform; `TRANSACTION_ABORTED` for one rolled back
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
    throw abortedError(found.record);
  }
  return asPerformed(found.record);
}

/** A finished batch's records as its perform returned them, before any settlement. */
function asPerformed(first: PerformedRecord): PerformedRecord[] {
  const { settlement: _settlement, ...performed } = first;
  return finalRecords(performed);
}

/**
 * Reads the heads a perform touches.
 *
 * @param runtime - the ledger runtime
 * @param plans - the accounts' plans
 * @param read - how to read each head: as last seen, or afresh
 * @returns the heads by account uid
 */
export async function readHeads(
  runtime: LedgerRuntime,
  plans: readonly AccountPlan[],
  read: (runtime: LedgerRuntime, uid: string) => Promise<HeadRead>,
): Promise<Map<string, HeadRead>> {
  const reads = await Promise.all(plans.map((plan) => read(runtime, plan.uid)));
  return new Map(plans.map((plan, index) => [plan.uid, reads[index] as HeadRead]));
}

/**
 * Places a committed perform's credits on the accounts only paid, skipping those already there.
 *
 * @param runtime - the ledger runtime
 * @param record - the committed first record
 * @param plans - the accounts' plans
 * @param reads - heads read before the record was last seen, used for the first attempts
 * @returns the markers placed or found, `finished` when someone else finished the perform, or
 *   the markers blocking a credit
 */
export async function applyCredits(
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

/**
 * Writes a committed perform's line items, expiry entries and other records, then moves its first
 * record to its final state.
 *
 * @param runtime - the ledger runtime
 * @param committed - the first record, `pending`, with its version
 * @param markers - every account's marker of the perform
 * @returns the batch's records
 */
export async function completePerform(
  runtime: LedgerRuntime,
  committed: Committed,
  markers: ReadonlyMap<string, Marker>,
): Promise<PerformedRecord[]> {
  const { store } = runtime;
  const records = finalRecords(committed.record);
  const writes: Promise<boolean>[] = [];
  for (const [accountUid, marker] of markers) {
    for (const key of lineItemKeys(accountUid, marker.timeMs, marker.items)) {
      writes.push(writeOnce(store, key));
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
