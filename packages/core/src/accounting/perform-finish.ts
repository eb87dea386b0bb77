/**
 * What a committed perform leaves to write, whether by the process that began it or by whoever
 * finds its markers afterwards: the line items, expiry entries and the batch's other records.
 * Each is derived from the batch's first record and written once, so any number of writers may
 * do it at the same time. Also rolling back a perform that never committed.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { operationId } from './account-head.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { lineItemKeys } from './line-items.js';
import { effectiveTimeOn, finalRecords, legsOf, planAccounts } from './perform-plan.js';
import { abortedError } from './perform-refusals.js';
import { expiryKey, transactionKey } from './store-layout.js';
import {
  encodeTransactionRecord,
  type PerformedRecord,
  readTransactionRecord,
} from './transaction-records.js';
import { writeOnce } from './write-once.js';

/**
 * Finishes a committed perform: writes what it left to write, once, and remembers it as done.
 * When this process is finishing it already, waits for that instead, and writes only when that
 * finishing failed.
 *
 * @param runtime - the ledger runtime
 * @param first - the batch's first record, in any state but `aborted`
 * @returns the batch's records as the perform returned them
 */
export async function completePerform(
  runtime: LedgerRuntime,
  first: PerformedRecord,
): Promise<PerformedRecord[]> {
  const id = operationId('perform', first.batchUid);
  const underWay = runtime.finishing(id);
  if (underWay !== undefined) {
    await underWay.catch(() => undefined);
    if (runtime.finishedOutcome(id) === 'done') {
      return asPerformed(first);
    }
  }
  const finishing = writeWhatIsLeft(runtime, first);
  runtime.rememberFinishing(id, finishing);
  return finishing;
}

async function writeWhatIsLeft(
  runtime: LedgerRuntime,
  first: PerformedRecord,
): Promise<PerformedRecord[]> {
  const { store } = runtime;
  const records = asPerformed(first);
  const writes: Promise<boolean>[] = [];
  for (const plan of planAccounts(first.batchUid, legsOf(first), first.provisional)) {
    for (const key of lineItemKeys(plan.uid, effectiveTimeOn(first, plan.uid), plan.items)) {
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

  runtime.rememberFinished(operationId('perform', first.batchUid), 'done');
  return records;
}

/**
 * Finishes a perform found committed, or reports how it ended otherwise.
 *
 * @param runtime - the ledger runtime
 * @param batchUid - the batch uid
 * @returns the batch's records
 * @throws AcquireError `TRANSACTION_IN_PROGRESS` when not committed; the refusal of a refused
 *   idempotent perform; `TRANSACTION_ABORTED` for one rolled back
 */
export async function rollForwardPerform(
  runtime: LedgerRuntime,
  batchUid: string,
): Promise<PerformedRecord[]> {
  const found = await readTransactionRecord(runtime.store, batchUid);
  if (found === undefined) {
    throw new AcquireError(
      ErrorCode.TRANSACTION_IN_PROGRESS,
      `transaction ${batchUid} is under way`,
    );
  }
  if (found.record.state === 'aborted') {
    throw abortedError(found.record);
  }
  return completePerform(runtime, found.record);
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

/** A finished batch's records as its perform returned them, before any settlement. */
function asPerformed(first: PerformedRecord): PerformedRecord[] {
  const { settlement: _settlement, ...performed } = first;
  return finalRecords(performed);
}
