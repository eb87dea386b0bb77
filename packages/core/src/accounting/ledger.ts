/**
 * An exact double-entry ledger on nothing but an object store.
 *
 * ## Layout
 * Each account has a head (`account_heads/<uid>`): running totals, limits, the opening totals
 * of its current day, and a marker for every operation that changed it and is not yet known to
 * be finished. Line items (`accounts/<uid>/<day>/…`) are immutable and carry kind and value in
 * their keys; transaction records (`transactions/<uid>`) carry each transfer's state. See
 * `store-layout.ts` for every key.
 *
 * ## Protocol
 * A **perform** locks its accounts in this process, reads their heads, and then:
 * 1. on every account at once, one CAS applies its change together with a marker
 *    `perform:<batch>`; on a paying account that CAS also checks the limits, and a refusal
 *    undoes the markers already placed; expiry entries of provisional transfers are written
 *    alongside;
 * 2. commits by writing the batch's first record, `direct` or `provisional`, with
 *    write-if-absent;
 * 3. writes line items and the batch's other records (write-if-absent), all derived from that
 *    first record, so that whoever finds the perform committed can write what is missing.
 *
 * A **settlement** (receipt, release, refund) places the marker `settle:<transaction>` on its
 * anchor account (the payer for receipts and releases, the payee for refunds) by one CAS, moves
 * the record to `receipting`, `releasing` or `refunding` by CAS, applies the other account's
 * side with its marker, writes line items, and moves the record to its final state by CAS.
 *
 * A marker stays on its head until some later CAS of that head finds its operation finished:
 * it is then dropped (for a committed perform, once its line items are written), or, for an
 * aborted perform, undone in that same CAS.
 *
 * ## Invariants
 * - **One decision per perform.** A perform commits exactly when its first record is written,
 *   which happens only after every account carries its change; a perform without that record
 *   is aborted by whoever writes the `aborted` record first (the driver, on finding it, undoes
 *   its markers). Write-if-absent makes the two outcomes exclusive.
 * - **Applied at most once.** A marker on a head means the operation's change is in that
 *   head's totals; a marker is removed only in the CAS that finds the operation finished.
 *   Anyone applying a change that is not theirs alone reads the head, then the record, then
 *   CASes that head version: a change finished and tidied before the head read shows in the
 *   record; one made after it fails the CAS.
 * - **Limits under races.** A debit's limit check and the debit are one CAS on the head, so
 *   no interleaving can overdraw an account; the check counts nothing an uncommitted perform
 *   adds, since it may yet be rolled back. Only refunds may take an account below its overdraft
 *   limit, by design.
 * - **Settled once.** The settlement marker on the anchor is placed by CAS after reading the
 *   record: of racing settlements one places it, and later ones find it or the settled record.
 * - **Exact days.** A head starts a new day only when none of its markers might still be rolled
 *   back, and each change takes effect no earlier than the previous one, so the stored opening
 *   totals of each day equal the sum of all earlier line items.
 * - **Crash safety.** After a crash at any write, a marker older than the in-flight timeout is
 *   rolled forward when its perform committed or its settlement began, and rolled back when its
 *   perform did not commit, by the next operation it blocks or by {@link Ledger.reconcile}.
 *   After that the sum of all balances is zero and every head equals the sum of its line items.
 *
 * Timeouts only decide *when* a reader steps in, never whether a change applies twice. The
 * per-process locks and caches (see `ledger-runtime.ts`) only save work: every decision above is
 * a conditional write to the store, so any number of processes may share one ledger.
 *
 * @module
 */

import type { Logger } from '../logging.js';
import { silentLogger } from '../logging.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import {
  type Account,
  type AccountName,
  type CreateAccountOptions,
  createAccount,
  ensureAccount,
  findAccount,
  getAccount,
  listAccounts,
  setDailyLimit,
  setOverdraftLimit,
} from './accounts.js';
import {
  type BalanceStatus,
  balanceAt,
  type PastBalance,
  readBalance,
  type StatementItem,
  type StatementOptions,
  type StatementPage,
  type StatementPageOptions,
  statement,
  statementPage,
} from './balances.js';
import type { ReceiptOptions, RefundOptions } from './ledger-inputs.js';
import {
  checkAccountUid,
  checkIdempotencyKey,
  checkPerform,
  checkTransactionUid,
  type PerformOptions,
  type TransactionInput,
} from './ledger-inputs.js';
import { type TransactionRecord, transactionRecord } from './ledger-records.js';
import { createLedgerRuntime, type LedgerRuntime } from './ledger-runtime.js';
import { type MoneyInput, TRANSACTION_VALUE_MAX, toMoney } from './money.js';
import {
  performWithRetries,
  releaseDue,
  rollForwardSettle,
  settleWithRetries,
} from './operations.js';
import { type ReconcileReport, reconcile } from './reconcile.js';
import { readPerformed } from './settle-finish.js';
import type { PerformedRecord } from './transaction-records.js';

/** A receipt pays from nothing (releasing all that was held) up to a transaction's value. */
const RECEIPT_VALUE_RANGE = {
  max: TRANSACTION_VALUE_MAX,
  maxName: 'TRANSACTION_VALUE_MAX',
} as const;

/** Options for {@link createLedger}. */
export interface LedgerOptions {
  /** Where the ledger lives. */
  readonly store: ObjectStore;
  /** The only source of time. */
  readonly clock: Clock;
  /** Where to log. @default silentLogger */
  readonly logger?: Logger;
  /**
   * How long an operation may stay in flight before readers roll it forward or back.
   * @default LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT
   */
  readonly inflightTimeoutMs?: number;
}

/** The ledger. Every method validates its arguments before it writes anything. */
export interface Ledger {
  /**
   * Creates an account; racing creates of one name have exactly one winner.
   *
   * @param options - group, name, description and limits
   * @returns the account
   * @throws AcquireError `ACCOUNT_EXISTS`, `INVALID_ARGUMENT` or `INVALID_MONEY`
   */
  createAccount(options: CreateAccountOptions): Promise<Account>;
  /**
   * Finds an account by name, creating it when missing.
   *
   * @param options - as for {@link Ledger.createAccount}; limits apply only when created
   * @returns the account
   */
  ensureAccount(options: CreateAccountOptions): Promise<Account>;
  /**
   * Gets an account by uid.
   *
   * @param uid - the account uid
   * @returns the account
   * @throws AcquireError `ACCOUNT_NOT_FOUND`
   */
  getAccount(uid: string): Promise<Account>;
  /**
   * Finds an account by group and name.
   *
   * @param group - the group
   * @param name - the name
   * @returns the account, or undefined
   * @throws AcquireError `INVALID_ARGUMENT` when the group or name could never be a name
   */
  findAccount(group: string, name: string): Promise<Account | undefined>;
  /**
   * Lists a group's accounts.
   *
   * @param group - the group
   * @returns names and uids
   * @throws AcquireError `INVALID_ARGUMENT` when the group could never be a name
   */
  listAccounts(group: string): Promise<AccountName[]>;
  /**
   * Sets the overdraft limit.
   *
   * @param uid - the account uid
   * @param limit - the new limit (≥ 0)
   * @returns the account
   * @throws AcquireError `OVERDRAFT_LIMIT_TOO_LOW` when the balance needs more
   */
  setOverdraftLimit(uid: string, limit: MoneyInput): Promise<Account>;
  /**
   * Sets or removes the daily spending limit.
   *
   * @param uid - the account uid
   * @param limit - the new limit (≥ 0), or undefined for none
   * @returns the account
   */
  setDailyLimit(uid: string, limit: MoneyInput | undefined): Promise<Account>;
  /**
   * Moves value between accounts: all transfers happen, or none.
   *
   * @param transactions - the transfers
   * @param options - provisional, idempotency key, expiry
   * @returns one record per transfer
   * @throws AcquireError `INSUFFICIENT_FUNDS`, `DAILY_LIMIT_EXCEEDED`, `ACCOUNT_NOT_FOUND`,
   *   `IDEMPOTENCY_KEY_REUSED`, `TRANSACTION_ABORTED`, `TRANSACTION_IN_PROGRESS`, `LEDGER_BUSY`
   */
  perform(
    transactions: readonly TransactionInput[],
    options?: PerformOptions,
  ): Promise<TransactionRecord[]>;
  /**
   * Settles a provisional transaction, paying up to its value and releasing the rest.
   *
   * @param transactionUid - the transaction
   * @param options - value and idempotency key
   * @returns the receipted record
   * @throws AcquireError `TRANSACTION_WRONG_KIND`, `TRANSACTION_ALREADY_SETTLED`,
   *   `RECEIPT_EXCEEDS_PROVISIONAL`, `TRANSACTION_EXPIRED`, `TRANSACTION_NOT_FOUND`
   */
  receipt(transactionUid: string, options?: ReceiptOptions): Promise<TransactionRecord>;
  /**
   * Reverses a direct transaction; may take the payee below its overdraft limit.
   *
   * @param transactionUid - the transaction
   * @param options - idempotency key
   * @returns the refunded record
   * @throws AcquireError `TRANSACTION_WRONG_KIND`, `TRANSACTION_ALREADY_SETTLED`,
   *   `TRANSACTION_NOT_FOUND`
   */
  refund(transactionUid: string, options?: RefundOptions): Promise<TransactionRecord>;
  /**
   * Gets a transaction, finishing it first if it was left in flight past the timeout.
   *
   * @param transactionUid - the transaction
   * @returns the record
   * @throws AcquireError `TRANSACTION_NOT_FOUND`
   */
  getTransaction(transactionUid: string): Promise<TransactionRecord>;
  /**
   * An account's balances now; due expiries are released first.
   *
   * @param uid - the account uid
   * @returns the balances
   */
  balance(uid: string): Promise<BalanceStatus>;
  /**
   * An account's balances just before a time.
   *
   * @param uid - the account uid
   * @param timeMs - the time
   * @returns the balances
   */
  balanceAt(uid: string, timeMs: number): Promise<PastBalance>;
  /**
   * An account's line items between two times, read lazily.
   *
   * @param uid - the account uid
   * @param options - the time range
   * @returns the items, oldest first
   */
  statement(uid: string, options: StatementOptions): AsyncIterable<StatementItem>;
  /**
   * One page of an account's statement.
   *
   * @param uid - the account uid
   * @param options - time range, page size and token
   * @returns the page
   */
  statementPage(uid: string, options: StatementPageOptions): Promise<StatementPage>;
  /**
   * Releases an account's provisional debits whose expiry has passed.
   *
   * @param uid - the paying account's uid
   * @returns how many were released
   */
  releaseExpired(uid: string): Promise<number>;
  /**
   * Finishes or rolls back operations left in flight past the timeout, tidies every account
   * head and releases expired provisional transactions. Run it after a crash, or periodically.
   *
   * @returns what was done
   */
  reconcile(): Promise<ReconcileReport>;
}

/**
 * Creates a ledger on a store.
 *
 * @param options - store, clock, logger and in-flight timeout
 * @returns the ledger
 * @example
 * ```ts
 * import { createLedger, createMemoryStore, systemClock } from '@acquire/core';
 *
 * const ledger = createLedger({ store: createMemoryStore(), clock: systemClock });
 * const alice = await ledger.createAccount({
 *   group: 'alice',
 *   name: 'main',
 *   overdraftLimit: '100',
 * });
 * const shop = await ledger.createAccount({ group: 'shop', name: 'main' });
 * await ledger.perform([
 *   { debitAccountUid: alice.uid, creditAccountUid: shop.uid, value: '12.5', description: 'tea' },
 * ]);
 * (await ledger.balance(alice.uid)).available.toString(); // '87.5'
 * ```
 */
export function createLedger(options: LedgerOptions): Ledger {
  const runtime = createLedgerRuntime({ ...options, logger: options.logger ?? silentLogger });

  return {
    createAccount: (account) => createAccount(runtime, account),
    ensureAccount: (account) => ensureAccount(runtime, account),
    getAccount: (uid) => getAccount(runtime, checkAccountUid(uid)),
    findAccount: (group, name) => findAccount(runtime, group, name),
    listAccounts: (group) => listAccounts(runtime, group),
    setOverdraftLimit: (uid, limit) => setOverdraftLimit(runtime, checkAccountUid(uid), limit),
    setDailyLimit: (uid, limit) => setDailyLimit(runtime, checkAccountUid(uid), limit),

    async perform(transactions, performOptions = {}) {
      const request = checkPerform(transactions, performOptions, runtime.clock.now());
      return (await performWithRetries(runtime, request)).map(transactionRecord);
    },
    async receipt(transactionUid, receiptOptions = {}) {
      const value = receiptOptions.value;
      const record = await settleWithRetries(runtime, {
        kind: 'receipt',
        transactionUid: checkTransactionUid(transactionUid),
        ...(value === undefined
          ? {}
          : { receiptedValue: toMoney(value, { label: 'value', ...RECEIPT_VALUE_RANGE }).micro }),
        ...checkIdempotencyKey(receiptOptions.idempotencyKey),
      });
      return transactionRecord(record);
    },
    async refund(transactionUid, refundOptions = {}) {
      const record = await settleWithRetries(runtime, {
        kind: 'refund',
        transactionUid: checkTransactionUid(transactionUid),
        ...checkIdempotencyKey(refundOptions.idempotencyKey),
      });
      return transactionRecord(record);
    },
    getTransaction: async (uid) =>
      transactionRecord(await currentTransaction(runtime, checkTransactionUid(uid))),

    balance: (uid) => readBalance(runtime, checkAccountUid(uid)),
    balanceAt: (uid, timeMs) => balanceAt(runtime, checkAccountUid(uid), timeMs),
    statement: (uid, range) => statement(runtime, checkAccountUid(uid), range),
    statementPage: (uid, page) => statementPage(runtime, checkAccountUid(uid), page),
    releaseExpired: (uid) => releaseDue(runtime, checkAccountUid(uid)),
    reconcile: () => reconcile(runtime),
  };
}

/** Reads a transaction, finishing it first when it was left in flight past the timeout. */
async function currentTransaction(runtime: LedgerRuntime, uid: string): Promise<PerformedRecord> {
  const { record } = await readPerformed(runtime, uid);
  const stale =
    runtime.clock.now() - (record.settlement?.timeMs ?? record.timeMs) > runtime.inflightTimeoutMs;
  if (!stale) {
    return record;
  }
  if (
    record.settlement !== undefined &&
    record.state !== 'receipted' &&
    record.state !== 'released' &&
    record.state !== 'refunded'
  ) {
    return rollForwardSettle(runtime, uid, 0);
  }
  return record;
}
