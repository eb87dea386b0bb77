/**
 * Transactions as the ledger returns them: values as {@link Money}, the stored form's
 * micro-units and batch details left out.
 *
 * @module
 */

import { Money } from './money.js';
import type { PerformedRecord, SettlementKind, TransactionState } from './transaction-records.js';

/** A settlement of a transaction as callers see it. */
export interface TransactionSettlement {
  /** Receipt, release (of an expired provisional transaction) or refund. */
  readonly kind: SettlementKind;
  /** The value settled: the provisional value, or the value refunded. */
  readonly value: Money;
  /** The value paid: up to `value` for a receipt, zero for a release. */
  readonly receiptedValue: Money;
  /** When it was settled, in ms since the epoch. */
  readonly timeMs: number;
}

/** A transaction as callers see it. */
export interface TransactionRecord {
  /** The transaction's uid. */
  readonly uid: string;
  /** The uid of its batch (the perform call that made it). */
  readonly batchUid: string;
  /** Its state. */
  readonly state: TransactionState;
  /** The paying account. */
  readonly debitAccountUid: string;
  /** The paid account. */
  readonly creditAccountUid: string;
  /** The value. */
  readonly value: Money;
  /** What it is for. */
  readonly description: string;
  /** Whether the value was held (provisional) rather than paid (direct). */
  readonly provisional: boolean;
  /** When it was performed, in ms since the epoch. */
  readonly timeMs: number;
  /** When an unreceipted provisional value is released. */
  readonly expiresAtMs?: number;
  /** Its settlement, once one has begun. */
  readonly settlement?: TransactionSettlement;
}

/**
 * A stored record as the ledger returns it.
 *
 * @param record - the stored record
 * @returns the transaction
 */
export function transactionRecord(record: PerformedRecord): TransactionRecord {
  const { settlement } = record;
  return {
    uid: record.uid,
    batchUid: record.batchUid,
    state: record.state,
    debitAccountUid: record.debitAccountUid,
    creditAccountUid: record.creditAccountUid,
    value: Money.fromMicro(record.value),
    description: record.description,
    provisional: record.provisional,
    timeMs: record.timeMs,
    ...(record.expiresAtMs === undefined ? {} : { expiresAtMs: record.expiresAtMs }),
    ...(settlement === undefined
      ? {}
      : {
          settlement: {
            kind: settlement.kind,
            value: Money.fromMicro(settlement.value),
            receiptedValue: Money.fromMicro(settlement.receiptedValue),
            timeMs: settlement.timeMs,
          },
        }),
  };
}
