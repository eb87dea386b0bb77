/**
 * Refusals of performs, and how a refusal under an idempotency key is made final. A repeat of an
 * idempotent perform may run while an earlier attempt is still in flight (its caller timed out
 * and tried again). Were the repeat refused while the earlier attempt later committed, the caller
 * would take the refusal for the answer and the transfer would still happen. So a refused
 * idempotent perform writes its batch's record as `aborted`, with the refusal, by
 * write-if-absent: the refusal and a commit race for the same key, exactly one wins, and every
 * later attempt of the batch reads which.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { transactionKey } from './store-layout.js';
import { type AbortedRecord, encodeTransactionRecord } from './transaction-records.js';
import { writeOnce } from './write-once.js';

/** The codes a perform is refused with for its accounts' limits. */
export type RefusalCode =
  | typeof ErrorCode.INSUFFICIENT_FUNDS
  | typeof ErrorCode.DAILY_LIMIT_EXCEEDED;

/** A perform refused by an account's limits. */
export interface Refusal {
  /** Why. */
  readonly code: RefusalCode;
  /** The paying account whose limit refused it. */
  readonly accountUid: string;
}

/**
 * The error a refusal is reported with.
 *
 * @param refusal - the code and the account
 * @returns the error
 */
export function refusalError(refusal: Refusal): AcquireError {
  const message =
    refusal.code === ErrorCode.DAILY_LIMIT_EXCEEDED
      ? `the debit would take account ${refusal.accountUid} past its daily spending limit`
      : `the debit would take account ${refusal.accountUid} below its overdraft limit`;
  return new AcquireError(refusal.code, message, { details: { accountUid: refusal.accountUid } });
}

/**
 * Records the refusal of an idempotent perform as its batch's record.
 *
 * @param runtime - the ledger runtime
 * @param batchUid - the batch uid
 * @param digest - the request's digest
 * @param refusal - the code and the account
 * @returns true when the refusal was recorded; false when the batch has a record already (an
 *   earlier attempt committed, or was rolled back)
 */
export async function recordRefusal(
  runtime: LedgerRuntime,
  batchUid: string,
  digest: string,
  refusal: Refusal,
): Promise<boolean> {
  const record: AbortedRecord = {
    uid: batchUid,
    state: 'aborted',
    timeMs: runtime.clock.now(),
    reason: `refused with ${refusal.code}`,
    requestDigest: digest,
    refusal,
  };
  return writeOnce(runtime.store, transactionKey(batchUid), encodeTransactionRecord(record));
}

/**
 * The error for a batch whose record says it never took effect: its refusal, or
 * `TRANSACTION_ABORTED`.
 *
 * @param record - the batch's `aborted` record
 * @returns the error
 */
export function abortedError(record: AbortedRecord): AcquireError {
  return record.refusal === undefined
    ? new AcquireError(ErrorCode.TRANSACTION_ABORTED, `transaction ${record.uid} was rolled back`)
    : refusalError(record.refusal);
}
