/**
 * The steps of a settlement after its claim on the anchor account: the record moved to
 * `receipting`, `releasing` or `refunding`, the other account's side, the line items and the
 * final state, whether by the process that began it or by a reader rolling it forward.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import {
  type AccountHead,
  findMarker,
  type Marker,
  operationId,
  withMarker,
} from './account-head.js';
import {
  type HeadRead,
  type HeadStepResult,
  prepareHead,
  readHead,
  updateHead,
} from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { batchUidOf } from './ledger-uids.js';
import { type LineItemEntry, lineItemEffect, lineItemKeys } from './line-items.js';
import { completePerform } from './perform-finish.js';
import { expiryKey, transactionKey } from './store-layout.js';
import {
  encodeTransactionRecord,
  isSettled,
  type PerformedRecord,
  readTransactionRecord,
  type Settlement,
  settlementStates,
} from './transaction-records.js';
import { writeOnce } from './write-once.js';

/** A settled transaction. */
export type Settled = { readonly kind: 'settled'; readonly record: PerformedRecord };

/** Markers in the way of one side of a settlement. */
export type SettleBlocked = { readonly kind: 'blocked'; readonly blockers: readonly Marker[] };

/** Markers in the way of the other side, after the settlement took hold. */
export type CommittedBlocked = {
  readonly kind: 'committed-blocked';
  readonly blockers: readonly Marker[];
};

/** The accounts a settlement changes. */
export interface Parties {
  /** The account claimed first: the payer for receipts and releases, the payee for refunds. */
  readonly anchorUid: string;
  /** The other account. */
  readonly counterUid: string;
}

/** A settlement with both sides applied, ready to be completed. */
export interface Progress {
  /** The record, in its settling state. */
  readonly record: PerformedRecord;
  /** Its store version. */
  readonly version: string;
  /** The anchor account's marker. */
  readonly anchor: Marker;
  /** The other account's marker. */
  readonly counter: Marker;
}

/** A performed record with its version. */
export type Found = { readonly record: PerformedRecord; readonly version: string };

/** A settlement someone else already finished. */
export type Finished = { readonly kind: 'finished' };

/** How continuing a settlement ended. */
export type Continued = Progress | Finished | CommittedBlocked;

/**
 * Attempts once to finish a settlement someone else began.
 *
 * @param runtime - the ledger runtime
 * @param transactionUid - the transaction
 * @returns `settled`, `blocked`, or `retry` when no settlement was under way
 */
export async function attemptRollForwardSettle(
  runtime: LedgerRuntime,
  transactionUid: string,
): Promise<Settled | SettleBlocked | { readonly kind: 'retry' }> {
  const parties = partiesOf((await readPerformed(runtime, transactionUid)).record);
  const release = await runtime.lockAccounts([parties.anchorUid, parties.counterUid]);
  let progress: Continued;
  try {
    const reads = await readBoth(runtime, parties, readHead);
    const found = await readPerformed(runtime, transactionUid);
    if (isSettled(found.record.state)) {
      return { kind: 'settled', record: found.record };
    }
    const anchor = findMarker(
      (reads.get(parties.anchorUid) as HeadRead).head,
      'settle',
      transactionUid,
    );
    const settlement = found.record.settlement ?? anchor?.settlement;
    if (anchor === undefined || settlement === undefined) {
      return { kind: 'retry' };
    }
    progress = await continueSettle(runtime, found, settlement, anchor, reads);
  } finally {
    release();
  }
  const outcome = await finish(runtime, transactionUid, progress);
  return outcome.kind === 'committed-blocked'
    ? { kind: 'blocked', blockers: outcome.blockers }
    : outcome;
}

/**
 * Completes a settlement whose sides are applied, or reports why it could not be.
 *
 * @param runtime - the ledger runtime
 * @param uid - the transaction
 * @param progress - how continuing it ended
 * @returns the settled record, or the markers blocking it
 */
export async function finish(
  runtime: LedgerRuntime,
  uid: string,
  progress: Continued,
): Promise<Settled | CommittedBlocked> {
  if (!('anchor' in progress)) {
    return progress.kind === 'finished'
      ? { kind: 'settled', record: (await readPerformed(runtime, uid)).record }
      : progress;
  }
  return { kind: 'settled', record: await completeSettle(runtime, progress) };
}

/**
 * Reads a transaction record that was performed. A later transaction of a batch whose record is
 * not written yet is written first, from the batch's first record, when the batch committed.
 *
 * @param runtime - the ledger runtime
 * @param uid - the transaction uid
 * @returns the record and its version
 * @throws AcquireError `TRANSACTION_NOT_FOUND` when there is none, or it was rolled back
 */
export async function readPerformed(runtime: LedgerRuntime, uid: string): Promise<Found> {
  let found = await readTransactionRecord(runtime.store, uid);
  const batchUid = batchUidOf(uid);
  if (found === undefined && batchUid !== uid) {
    const first = await readTransactionRecord(runtime.store, batchUid);
    const index = Number(uid.slice(batchUid.length + 1));
    if (first !== undefined && first.record.state !== 'aborted' && index < first.record.batchSize) {
      await completePerform(runtime, first.record);
      found = await readTransactionRecord(runtime.store, uid);
    }
  }
  if (found === undefined || found.record.state === 'aborted') {
    throw new AcquireError(ErrorCode.TRANSACTION_NOT_FOUND, `no transaction has uid ${uid}`, {
      details: { transactionUid: uid },
    });
  }
  return found as Found;
}

/**
 * The anchor and other account of a transaction's settlement.
 *
 * @param record - the transaction
 * @returns the payer first for provisional transactions, the payee first for direct ones
 */
export function partiesOf(record: PerformedRecord): Parties {
  return record.provisional
    ? { anchorUid: record.debitAccountUid, counterUid: record.creditAccountUid }
    : { anchorUid: record.creditAccountUid, counterUid: record.debitAccountUid };
}

/**
 * Reads both heads of a settlement.
 *
 * @param runtime - the ledger runtime
 * @param parties - the accounts
 * @param read - how to read each head: as last seen, or afresh
 * @returns the heads by account uid
 */
export async function readBoth(
  runtime: LedgerRuntime,
  parties: Parties,
  read: (runtime: LedgerRuntime, uid: string) => Promise<HeadRead>,
): Promise<Map<string, HeadRead>> {
  const [anchor, counter] = await Promise.all([
    read(runtime, parties.anchorUid),
    read(runtime, parties.counterUid),
  ]);
  return new Map([
    [parties.anchorUid, anchor],
    [parties.counterUid, counter],
  ]);
}

/**
 * Moves the record to its settling state and applies the other account's side.
 *
 * @param runtime - the ledger runtime
 * @param found - the record as read after the heads
 * @param settlement - the settlement, from the caller or the anchor marker
 * @param anchor - the anchor account's marker
 * @param reads - heads read before the record
 * @returns progress, `finished`, or the markers blocking the other side
 */
export async function continueSettle(
  runtime: LedgerRuntime,
  found: Found,
  settlement: Settlement,
  anchor: Marker,
  reads: ReadonlyMap<string, HeadRead>,
): Promise<Continued> {
  const settling = await markSettling(runtime, found, settlement);
  const { counterUid } = partiesOf(found.record);
  const { result } = await updateHead(runtime, counterUid, reads.get(counterUid), (head, fresh) =>
    counterStep(runtime, settling.record, settlement, head, fresh),
  );
  if ('op' in result) {
    return { ...settling, anchor, counter: result };
  }
  return result.kind === 'finished'
    ? result
    : { kind: 'committed-blocked', blockers: result.blockers };
}

async function markSettling(
  runtime: LedgerRuntime,
  found: Found,
  settlement: Settlement,
): Promise<Found> {
  if (found.record.settlement !== undefined) {
    return found;
  }
  const record: PerformedRecord = {
    ...found.record,
    state: settlementStates(settlement.kind).during as PerformedRecord['state'],
    settlement,
  };
  const key = transactionKey(record.uid);
  try {
    const version = await runtime.store.writeIfVersion(
      key,
      encodeTransactionRecord(record),
      found.version,
    );
    return { record, version };
  } catch (error) {
    if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw error;
    }
  }
  // Someone rolling this settlement forward recorded it first, from this marker's copy.
  const again = await readPerformed(runtime, record.uid);
  if (again.record.settlement?.timeMs !== settlement.timeMs) {
    throw new AcquireError(
      ErrorCode.CORRUPT_RECORD,
      `transaction ${record.uid} changed unexpectedly`,
    );
  }
  return again;
}

async function counterStep(
  runtime: LedgerRuntime,
  record: PerformedRecord,
  settlement: Settlement,
  head: AccountHead,
  fresh: boolean,
): Promise<HeadStepResult<Marker | Finished | SettleBlocked>> {
  const existing = findMarker(head, 'settle', record.uid);
  if (existing !== undefined) {
    return { stop: existing };
  }
  // A missing marker was either never placed or tidied away after the settlement finished;
  // only the record, read after this head, tells which.
  if (fresh && isSettled((await readPerformed(runtime, record.uid)).record.state)) {
    return { stop: { kind: 'finished' } };
  }
  const prepared = await prepareHead(runtime, head, settlement.timeMs);
  if (!prepared.ready) {
    return { stop: { kind: 'blocked', blockers: prepared.blockers } };
  }
  const marker = settleMarker(runtime, record, settlement, 'counter', prepared.timeMs);
  return { next: withMarker(prepared.head, marker), result: marker };
}

/**
 * The marker a settlement leaves on one of its accounts.
 *
 * @param runtime - the ledger runtime
 * @param record - the transaction
 * @param settlement - the settlement
 * @param side - the anchor or the other account
 * @param timeMs - when the change takes effect on that account
 * @returns the marker
 */
export function settleMarker(
  runtime: LedgerRuntime,
  record: PerformedRecord,
  settlement: Settlement,
  side: 'anchor' | 'counter',
  timeMs: number,
): Marker {
  const item = settlementItem(record.uid, settlement, side);
  return {
    op: record.uid,
    kind: 'settle',
    placedMs: runtime.clock.now(),
    timeMs,
    delta: lineItemEffect(item),
    spent: 0n,
    items: [item],
    settlement,
  };
}

function settlementItem(
  transactionUid: string,
  settlement: Settlement,
  side: 'anchor' | 'counter',
): LineItemEntry {
  if (settlement.kind === 'refund') {
    return {
      kind: side === 'anchor' ? 'sent_refund' : 'received_refund',
      transactionUid,
      value: settlement.value,
    };
  }
  return {
    kind: side === 'anchor' ? 'sent_receipt' : 'received_receipt',
    transactionUid,
    value: settlement.value,
    receiptedValue: settlement.receiptedValue,
  };
}

async function completeSettle(
  runtime: LedgerRuntime,
  progress: Progress,
): Promise<PerformedRecord> {
  const { store } = runtime;
  const { record } = progress;
  const { anchorUid, counterUid } = partiesOf(record);
  const writes: Promise<unknown>[] = [
    ...itemWrites(runtime, anchorUid, progress.anchor),
    ...itemWrites(runtime, counterUid, progress.counter),
  ];
  if (record.expiresAtMs !== undefined) {
    writes.push(store.delete(expiryKey(record.debitAccountUid, record.expiresAtMs, record.uid)));
  }
  await Promise.all(writes);

  const settlement = record.settlement as Settlement;
  const final: PerformedRecord = {
    ...record,
    state: settlementStates(settlement.kind).done as PerformedRecord['state'],
  };
  if (!isSettled(record.state)) {
    await store
      .writeIfVersion(transactionKey(record.uid), encodeTransactionRecord(final), progress.version)
      .catch(async (error: unknown) => {
        const again = await readPerformed(runtime, record.uid);
        if (
          !AcquireError.is(error, ErrorCode.PRECONDITION_FAILED) ||
          !isSettled(again.record.state)
        ) {
          throw error;
        }
      });
  }
  runtime.rememberFinished(operationId('settle', record.uid), 'done');
  return final;
}

function itemWrites(
  runtime: LedgerRuntime,
  accountUid: string,
  marker: Marker,
): Promise<boolean>[] {
  return lineItemKeys(accountUid, marker.timeMs, marker.items).map((key) =>
    writeOnce(runtime.store, key),
  );
}
