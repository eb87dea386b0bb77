/**
 * Stable error codes of the accounting functions. They are part of {@link ErrorCode}; declare each
 * code here once.
 *
 * @module
 */

/** Error codes of the accounting functions. */
export const ACCOUNTING_ERROR_CODES = {
  /** A money value is malformed, has more than 6 decimals, is negative, or is past its maximum. */
  INVALID_MONEY: 'INVALID_MONEY',
  /** No account has that uid, or no account of that name exists in the group. */
  ACCOUNT_NOT_FOUND: 'ACCOUNT_NOT_FOUND',
  /** The group already has an account of that name. */
  ACCOUNT_EXISTS: 'ACCOUNT_EXISTS',
  /** The caller is authorised, but not as the owner this account operation needs. */
  ACCOUNT_ACCESS_DENIED: 'ACCOUNT_ACCESS_DENIED',
  /** The debit would take the account below its overdraft limit. */
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  /** The debit would take the account past its daily spending limit. */
  DAILY_LIMIT_EXCEEDED: 'DAILY_LIMIT_EXCEEDED',
  /** The overdraft limit asked for is lower than the account's balance and liabilities need. */
  OVERDRAFT_LIMIT_TOO_LOW: 'OVERDRAFT_LIMIT_TOO_LOW',
  /** No transaction has that uid. */
  TRANSACTION_NOT_FOUND: 'TRANSACTION_NOT_FOUND',
  /** Receipts need a provisional transaction and refunds a direct one. */
  TRANSACTION_WRONG_KIND: 'TRANSACTION_WRONG_KIND',
  /** The transaction was already receipted, released or refunded (or that is under way). */
  TRANSACTION_ALREADY_SETTLED: 'TRANSACTION_ALREADY_SETTLED',
  /** A receipt asked for more than the provisional value. */
  RECEIPT_EXCEEDS_PROVISIONAL: 'RECEIPT_EXCEEDS_PROVISIONAL',
  /** The provisional transaction expired and its value was released instead of receipted. */
  TRANSACTION_EXPIRED: 'TRANSACTION_EXPIRED',
  /** An interrupted perform was rolled back; its idempotency key cannot be used again. */
  TRANSACTION_ABORTED: 'TRANSACTION_ABORTED',
  /** The same idempotent operation is still under way elsewhere; retry later. */
  TRANSACTION_IN_PROGRESS: 'TRANSACTION_IN_PROGRESS',
  /** An idempotency key was repeated with different arguments. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** An account stayed too contended to update within the retry limit; retry later. */
  LEDGER_BUSY: 'LEDGER_BUSY',
} as const;
