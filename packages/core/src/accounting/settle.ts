/**
 * One attempt at settling a transaction (a receipt or release of a provisional one, a refund of
 * a direct one), and one attempt at finishing a settlement someone else began.
 *
 * A transaction is settled at most once. The claim is a marker `settle:<transaction uid>` on
 * the anchor account (the payer for receipts and releases, the payee for refunds), placed by one
 * CAS after reading the head and then the record: two racing settlements cannot both place it,
 * and a later one finds either the marker or the settled record. Then the record moves to
 * `receipting`, `releasing` or `refunding` by CAS, the other account gets its marker, line
 * items are written and the record moves to its final state. A settlement never fails once
 * its marker is placed, so an interrupted one is always rolled forward.
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
  lastKnownHead,
  prepareHead,
  readHead,
  updateHead,
} from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { type LineItemEntry, lineItemEffect, lineItemKey } from './line-items.js';
import { expiryKey, transactionKey } from './store-layout.js';
import {
  encodeTransactionRecord,
  isSettled,
  type PerformedRecord,
  readTransactionRecord,
  type Settlement,
  type SettlementKind,
  settlementStates,
} from './transaction-records.js';
import { writeOnce } from './write-once.js';

/** What a settlement asks for. */
export interface SettleRequest {
  /** Receipt, release or refund. */
  readonly kind: SettlementKind;
  /** The transaction to settle. */
  readonly transactionUid: string;
  /** For receipts: the value to pay, in micro-units, up to the provisional value. */
  readonly receiptedValue?: bigint;
  /** The caller's idempotency key, already scoped to the caller. */
  readonly idempotencyKey?: string;
}

/** How an attempt ended. */
export type SettleAttempt =
  | { readonly kind: 'settled'; readonly record: PerformedRecord }
  | { readonly kind: 'blocked'; readonly blockers: readonly Marker[] }
  | { readonly kind: 'committed-blocked'; readonly blockers: readonly Marker[] }
  | { readonly kind: 'wait'; readonly sinceMs: number; readonly perform: boolean }
  | { readonly kind: 'expired' }
  | { readonly kind: 'retry' };

type Verdict =
  | Exclude<SettleAttempt, { kind: 'blocked' | 'committed-blocked' | 'retry' }>
  | {
      readonly kind: 'go';
      readonly settlement: Settlement;
    };

interface Parties {
  readonly anchorUid: string;
  readonly counterUid: string;
}

interface Progress {
  readonly record: PerformedRecord;
  readonly version: string;
  readonly anchor: Marker;
  readonly counter: Marker;
}

type Found = { readonly record: PerformedRecord; readonly version: string };

type Finished = { readonly kind: 'finished' };

type Continued = Progress | Finished | Extract<SettleAttempt, { kind: 'committed-blocked' }>;

/**
 * Attempts a settlement once.
 *
 * @param runtime - the ledger runtime
 * @param request - the settlement
 * @returns how the attempt ended
 * @throws AcquireError `TRANSACTION_NOT_FOUND`, `TRANSACTION_WRONG_KIND`,
 *   `TRANSACTION_ALREADY_SETTLED`, `RECEIPT_EXCEEDS_PROVISIONAL` or `IDEMPOTENCY_KEY_REUSED`
 */
export async function attemptSettle(
  runtime: LedgerRuntime,
  request: SettleRequest,
): Promise<SettleAttempt> {
  const uid = request.transactionUid;
  const parties = partiesOf((await readPerformed(runtime, uid)).record);
  const release = await runtime.lockAccounts([parties.anchorUid, parties.counterUid]);
  let progress: Continued;
  try {
    const reads = await readBoth(runtime, parties, lastKnownHead);
    const found = await readPerformed(runtime, uid);
    const verdict = judge(
      runtime,
      found.record,
      request,
      (reads.get(parties.anchorUid) as HeadRead).head,
    );
    if (verdict.kind !== 'go') {
      return verdict;
    }

    const anchored = await updateHead(
      runtime,
      parties.anchorUid,
      reads.get(parties.anchorUid),
      (head, fresh) => anchorStep(runtime, found, verdict.settlement, head, fresh),
    );
    if (!('op' in anchored.result)) {
      return anchored.result;
    }
    progress = await continueSettle(runtime, found, verdict.settlement, anchored.result, reads);
  } finally {
    release();
  }
  return finish(runtime, uid, progress);
}

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
): Promise<Extract<SettleAttempt, { kind: 'settled' | 'blocked' | 'retry' }>> {
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

async function finish(
  runtime: LedgerRuntime,
  uid: string,
  progress: Continued,
): Promise<Extract<SettleAttempt, { kind: 'settled' | 'committed-blocked' }>> {
  if (!('anchor' in progress)) {
    return progress.kind === 'finished'
      ? { kind: 'settled', record: (await readPerformed(runtime, uid)).record }
      : progress;
  }
  return { kind: 'settled', record: await completeSettle(runtime, progress) };
}

/**
 * Reads a transaction record that was performed.
 *
 * @param runtime - the ledger runtime
 * @param uid - the transaction uid
 * @returns the record and version
 * @throws AcquireError `TRANSACTION_NOT_FOUND` when there is none, or it was rolled back
 */
export async function readPerformed(runtime: LedgerRuntime, uid: string): Promise<Found> {
  const found = await readTransactionRecord(runtime.store, uid);
  if (found === undefined || found.record.state === 'aborted') {
    throw new AcquireError(ErrorCode.TRANSACTION_NOT_FOUND, `no transaction has uid ${uid}`, {
      details: { transactionUid: uid },
    });
  }
  return found as Found;
}

function partiesOf(record: PerformedRecord): Parties {
  return record.provisional
    ? { anchorUid: record.debitAccountUid, counterUid: record.creditAccountUid }
    : { anchorUid: record.creditAccountUid, counterUid: record.debitAccountUid };
}

async function readBoth(
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

function judge(
  runtime: LedgerRuntime,
  record: PerformedRecord,
  request: SettleRequest,
  anchorHead: AccountHead,
): Verdict {
  if (record.state === 'pending') {
    return { kind: 'wait', sinceMs: record.timeMs, perform: true };
  }
  if (record.provisional !== (request.kind !== 'refund')) {
    throw new AcquireError(
      ErrorCode.TRANSACTION_WRONG_KIND,
      request.kind === 'refund'
        ? `transaction ${record.uid} is provisional: receipt it instead of refunding it`
        : `transaction ${record.uid} is direct: only provisional transactions are receipted`,
    );
  }

  const existing = record.settlement ?? findMarker(anchorHead, 'settle', record.uid)?.settlement;
  if (existing !== undefined) {
    return repeatVerdict(record, request, existing);
  }

  const now = runtime.clock.now();
  if (request.kind === 'receipt' && record.expiresAtMs !== undefined && now >= record.expiresAtMs) {
    return { kind: 'expired' };
  }
  const receiptedValue =
    request.kind === 'release'
      ? 0n
      : request.kind === 'refund'
        ? record.value
        : (request.receiptedValue ?? record.value);
  if (receiptedValue > record.value) {
    throw new AcquireError(
      ErrorCode.RECEIPT_EXCEEDS_PROVISIONAL,
      `a receipt of transaction ${record.uid} cannot pay more than its provisional value`,
    );
  }
  const key = request.idempotencyKey;
  return {
    kind: 'go',
    settlement: {
      kind: request.kind,
      value: record.value,
      receiptedValue,
      timeMs: now,
      ...(key === undefined ? {} : { idempotencyKey: key }),
    },
  };
}

function repeatVerdict(
  record: PerformedRecord,
  request: SettleRequest,
  existing: Settlement,
): Verdict {
  const sameKey =
    request.idempotencyKey !== undefined && existing.idempotencyKey === request.idempotencyKey;
  const repeat = existing.kind === request.kind && (request.kind === 'release' || sameKey);
  if (!repeat) {
    throw new AcquireError(
      ErrorCode.TRANSACTION_ALREADY_SETTLED,
      `transaction ${record.uid} was already ${settlementStates(existing.kind).done}`,
      { details: { transactionUid: record.uid, settlement: existing.kind } },
    );
  }
  const asked = request.receiptedValue;
  if (request.kind === 'receipt' && asked !== undefined && asked !== existing.receiptedValue) {
    throw new AcquireError(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      'the idempotency key was used for a receipt of another value',
    );
  }
  return isSettled(record.state)
    ? { kind: 'settled', record }
    : { kind: 'wait', sinceMs: existing.timeMs, perform: false };
}

async function anchorStep(
  runtime: LedgerRuntime,
  found: Found,
  settlement: Settlement,
  head: AccountHead,
  fresh: boolean,
): Promise<HeadStepResult<Marker | Extract<SettleAttempt, { kind: 'blocked' | 'retry' }>>> {
  const uid = found.record.uid;
  if (findMarker(head, 'settle', uid) !== undefined) {
    return { stop: { kind: 'retry' } };
  }
  if (fresh) {
    const again = await readPerformed(runtime, uid);
    if (again.version !== found.version) {
      return { stop: { kind: 'retry' } };
    }
  }
  const prepared = await prepareHead(runtime, head, settlement.timeMs);
  if (!prepared.ready) {
    return { stop: { kind: 'blocked', blockers: prepared.blockers } };
  }
  const marker = settleMarker(runtime, found.record, settlement, 'anchor', prepared.timeMs);
  return { next: withMarker(prepared.head, marker), result: marker };
}

async function continueSettle(
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
): Promise<HeadStepResult<Marker | Finished | Extract<SettleAttempt, { kind: 'blocked' }>>> {
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

function settleMarker(
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
  return marker.items.map((item) =>
    writeOnce(runtime.store, lineItemKey({ ...item, accountUid, timeMs: marker.timeMs })),
  );
}
