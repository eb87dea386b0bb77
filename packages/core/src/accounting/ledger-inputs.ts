/**
 * Checks of what callers pass to the ledger. Every check runs before anything is written, and
 * every failure is an {@link AcquireError} naming the argument, never echoing its value.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { LEDGER_UID_PATTERN, TRANSACTION_UID_PATTERN } from './ledger-uids.js';
import { type MoneyInput, toTransactionValue } from './money.js';
import type { PerformRequest } from './perform-plan.js';
import { KEY_TIME_MS_MAX } from './store-layout.js';

/**
 * Transfers in one perform. All of them happen or none, and each account touched is locked and
 * marked, so the bound keeps one perform's work and its markers small.
 */
export const PERFORM_TRANSACTIONS_MAX = 32;

/** A transaction description is a line for people. */
export const TRANSACTION_DESCRIPTION_LENGTH_MAX_CHARS = 500;

/** Idempotency keys are caller-chosen tokens; 200 characters fit any UUID or request id. */
export const IDEMPOTENCY_KEY_LENGTH_MAX_CHARS = 200;

/** One transfer, as callers describe it. */
export interface TransactionInput {
  /** The paying account's uid. */
  readonly debitAccountUid: string;
  /** The paid account's uid. */
  readonly creditAccountUid: string;
  /** A positive value up to {@link TRANSACTION_VALUE_MAX}. */
  readonly value: MoneyInput;
  /** What it is for. @default '' */
  readonly description?: string;
}

/** Options of a perform. */
export interface PerformOptions {
  /** Hold the values as provisional, to be receipted later, rather than pay them. @default false */
  readonly provisional?: boolean;
  /**
   * Repeating a call with the same key returns the first result and moves nothing more; a
   * refusal for the accounts' limits is repeated too. The key binds to the arguments it was
   * first used with; other arguments get `IDEMPOTENCY_KEY_REUSED`.
   */
  readonly idempotencyKey?: string;
  /** For provisional performs: when unreceipted values are released, in ms since the epoch. */
  readonly expiresAtMs?: number;
}

/** Options for a receipt. */
export interface ReceiptOptions {
  /** The value to pay, from 0 up to the provisional value. @default the provisional value */
  readonly value?: MoneyInput;
  /** Repeating a receipt with the same key returns the first result. */
  readonly idempotencyKey?: string;
}

/** Options for a refund. */
export interface RefundOptions {
  /** Repeating a refund with the same key returns the first result. */
  readonly idempotencyKey?: string;
}

/**
 * Checks a perform.
 *
 * @param transactions - the transfers
 * @param options - provisional, idempotency key and expiry
 * @param nowMs - the current time, which an expiry must be after
 * @returns the checked request
 * @throws AcquireError `INVALID_ARGUMENT` or `INVALID_MONEY`
 */
export function checkPerform(
  transactions: readonly TransactionInput[],
  options: PerformOptions,
  nowMs: number,
): PerformRequest {
  if (
    !Array.isArray(transactions) ||
    transactions.length < 1 ||
    transactions.length > PERFORM_TRANSACTIONS_MAX
  ) {
    throw invalid(`transactions must be a list of 1 to ${PERFORM_TRANSACTIONS_MAX} transfers`);
  }
  const legs = transactions.map((transaction, index) => {
    const label = `transactions[${index}]`;
    if (typeof transaction !== 'object' || transaction === null) {
      throw invalid(`${label} must be a transfer`);
    }
    const debitAccountUid = checkAccountUid(
      transaction.debitAccountUid,
      `${label}.debitAccountUid`,
    );
    const creditAccountUid = checkAccountUid(
      transaction.creditAccountUid,
      `${label}.creditAccountUid`,
    );
    if (debitAccountUid === creditAccountUid) {
      throw invalid(`${label} must move value between two different accounts`);
    }
    const description = transaction.description ?? '';
    if (
      typeof description !== 'string' ||
      description.length > TRANSACTION_DESCRIPTION_LENGTH_MAX_CHARS
    ) {
      throw invalid(
        `${label}.description must be at most ` +
          `${TRANSACTION_DESCRIPTION_LENGTH_MAX_CHARS} characters`,
      );
    }
    const value = toTransactionValue(transaction.value, `${label}.value`).micro;
    return { debitAccountUid, creditAccountUid, value, description };
  });

  const provisional = options.provisional ?? false;
  if (typeof provisional !== 'boolean') {
    throw invalid('provisional must be true or false');
  }
  const { expiresAtMs } = options;
  if (expiresAtMs !== undefined) {
    const valid =
      provisional &&
      Number.isSafeInteger(expiresAtMs) &&
      expiresAtMs > nowMs &&
      expiresAtMs <= KEY_TIME_MS_MAX;
    if (!valid) {
      throw invalid(
        'expiresAtMs must be a future time in ms, and only for provisional transactions',
      );
    }
  }
  return {
    legs,
    provisional,
    ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
    ...checkIdempotencyKey(options.idempotencyKey),
  };
}

/**
 * Checks an optional idempotency key.
 *
 * @param key - the key, or undefined
 * @returns `{ idempotencyKey }` when given, else `{}`
 * @throws AcquireError `INVALID_ARGUMENT` unless 1 to 200 characters of well-formed text
 */
export function checkIdempotencyKey(key: unknown): { readonly idempotencyKey?: string } {
  if (key === undefined) {
    return {};
  }
  if (
    typeof key !== 'string' ||
    key.length < 1 ||
    key.length > IDEMPOTENCY_KEY_LENGTH_MAX_CHARS ||
    !key.isWellFormed()
  ) {
    throw invalid(`idempotencyKey must be 1 to ${IDEMPOTENCY_KEY_LENGTH_MAX_CHARS} characters`);
  }
  return { idempotencyKey: key };
}

/**
 * Checks an account uid.
 *
 * @param uid - the uid
 * @param label - names it in errors
 * @returns the uid
 * @throws AcquireError `INVALID_ARGUMENT` unless it has the form of an account uid
 */
export function checkAccountUid(uid: unknown, label = 'accountUid'): string {
  if (typeof uid !== 'string' || !LEDGER_UID_PATTERN.test(uid)) {
    throw invalid(`${label} is not an account uid`);
  }
  return uid;
}

/**
 * Checks a transaction uid.
 *
 * @param uid - the uid
 * @returns the uid
 * @throws AcquireError `INVALID_ARGUMENT` unless it has the form of a transaction uid
 */
export function checkTransactionUid(uid: unknown): string {
  if (typeof uid !== 'string' || !TRANSACTION_UID_PATTERN.test(uid)) {
    throw invalid('transactionUid is not a transaction uid');
  }
  return uid;
}

function invalid(message: string): AcquireError {
  return new AcquireError(ErrorCode.INVALID_ARGUMENT, message);
}
