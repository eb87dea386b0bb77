/**
 * JSON-safe results of the accounting service functions: money as decimal text, times as
 * milliseconds, absent values left out.
 *
 * @module
 */

import type { Account, AccountName } from './accounts.js';
import type { BalanceStatus, StatementItem } from './balances.js';
import type { TransactionRecord } from './ledger-records.js';
import type { LineItemKind } from './line-items.js';
import type { SettlementKind, TransactionState } from './transaction-records.js';

/** An account in a service result. */
export interface AccountView {
  /** The account uid. */
  readonly uid: string;
  /** Its name in the owner's group. */
  readonly name: string;
  /** What it is for. */
  readonly description: string;
  /** Its overdraft limit, as decimal text. */
  readonly overdraftLimit: string;
  /** Its daily spending limit as decimal text, or null when unlimited. */
  readonly dailyLimit: string | null;
  /** When it was created, in ms since the epoch. */
  readonly createdMs: number;
}

/** Balances in a service result, as decimal text. */
export interface BalanceView {
  /** Settled value. */
  readonly balance: string;
  /** Value held by provisional debits. */
  readonly liability: string;
  /** Value due from provisional credits. */
  readonly receivable: string;
  /** Debits made today (UTC). */
  readonly spentToday: string;
  /** What the account may still spend. */
  readonly available: string;
}

/** A transaction in a service result. */
export interface TransactionView {
  /** The transaction uid. */
  readonly uid: string;
  /** The uid of its batch. */
  readonly batchUid: string;
  /** Its state. */
  readonly state: TransactionState;
  /** The paying account. */
  readonly debitAccountUid: string;
  /** The paid account. */
  readonly creditAccountUid: string;
  /** The value, as decimal text. */
  readonly value: string;
  /** What it is for. */
  readonly description: string;
  /** Whether the value is held rather than paid. */
  readonly provisional: boolean;
  /** When it was performed, in ms since the epoch. */
  readonly timeMs: number;
  /** When an unreceipted provisional value is released, in ms since the epoch. */
  readonly expiresAtMs?: number;
  /** Its settlement, once begun. */
  readonly settlement?: {
    /** Receipt, release or refund. */
    readonly kind: SettlementKind;
    /** The value settled, as decimal text. */
    readonly value: string;
    /** The value paid, as decimal text. */
    readonly receiptedValue: string;
    /** When it was settled, in ms since the epoch. */
    readonly timeMs: number;
  };
}

/** A statement line in a service result. */
export interface StatementItemView {
  /** When it took effect, in ms since the epoch. */
  readonly timeMs: number;
  /** The transaction. */
  readonly transactionUid: string;
  /** What happened. */
  readonly kind: LineItemKind;
  /** The value, as decimal text. */
  readonly value: string;
  /** For receipts: the value paid, as decimal text. */
  readonly receiptedValue?: string;
}

/** Result of `create_account`. */
export interface CreateAccountResult {
  /** The new account. */
  readonly account: AccountView;
}

/** Result of `get_account_uids`. */
export interface GetAccountUidsResult {
  /** The caller's accounts by name. */
  readonly accounts: readonly AccountName[];
}

/** Result of `get_info`. */
export interface GetInfoResult {
  /** The account. */
  readonly account: AccountView;
  /** Its balances now. */
  readonly balance: BalanceView;
}

/** Result of `deposit`. */
export interface DepositResult {
  /** The transactions from `billing` to `deposits`. */
  readonly transactions: readonly TransactionView[];
  /** Set when `billing` fell below the invoice threshold: the user to invoice. */
  readonly invoiceUser?: string;
  /** Set with `invoiceUser`: the billing balance, as decimal text. */
  readonly invoiceValue?: string;
}

/** Result of `perform`. */
export interface PerformResult {
  /** One record per transfer, in order. */
  readonly transactions: readonly TransactionView[];
}

/** Result of `receipt` and `refund`. */
export interface SettleResult {
  /** The settled transaction. */
  readonly transaction: TransactionView;
}

/** Result of `get_transactions`. */
export interface GetTransactionsResult {
  /** The statement lines, oldest first. */
  readonly items: readonly StatementItemView[];
  /** Pass as `pageToken` to get the next page; absent on the last page. */
  readonly nextPageToken?: string;
}

/**
 * An account as a service result.
 *
 * @param account - an account
 * @returns its JSON-safe view
 */
export function accountView(account: Account): AccountView {
  return {
    uid: account.uid,
    name: account.name,
    description: account.description,
    overdraftLimit: account.overdraftLimit.toString(),
    dailyLimit: account.dailyLimit === undefined ? null : account.dailyLimit.toString(),
    createdMs: account.createdMs,
  };
}

/**
 * Balances as a service result.
 *
 * @param status - balances
 * @returns their JSON-safe view
 */
export function balanceView(status: BalanceStatus): BalanceView {
  return {
    balance: status.balance.toString(),
    liability: status.liability.toString(),
    receivable: status.receivable.toString(),
    spentToday: status.spentToday.toString(),
    available: status.available.toString(),
  };
}

/**
 * A transaction as a service result.
 *
 * @param record - a transaction
 * @returns its JSON-safe view
 */
export function transactionView(record: TransactionRecord): TransactionView {
  const { settlement } = record;
  return {
    uid: record.uid,
    batchUid: record.batchUid,
    state: record.state,
    debitAccountUid: record.debitAccountUid,
    creditAccountUid: record.creditAccountUid,
    value: record.value.toString(),
    description: record.description,
    provisional: record.provisional,
    timeMs: record.timeMs,
    ...(record.expiresAtMs === undefined ? {} : { expiresAtMs: record.expiresAtMs }),
    ...(settlement === undefined
      ? {}
      : {
          settlement: {
            kind: settlement.kind,
            value: settlement.value.toString(),
            receiptedValue: settlement.receiptedValue.toString(),
            timeMs: settlement.timeMs,
          },
        }),
  };
}

/**
 * A statement line as a service result.
 *
 * @param item - a statement line
 * @returns its JSON-safe view
 */
export function statementItemView(item: StatementItem): StatementItemView {
  return {
    timeMs: item.timeMs,
    transactionUid: item.transactionUid,
    kind: item.kind,
    value: item.value.toString(),
    ...(item.receiptedValue === undefined
      ? {}
      : { receiptedValue: item.receiptedValue.toString() }),
  };
}
