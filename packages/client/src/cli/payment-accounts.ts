/**
 * Which accounts a payment on the command line moves money between: the payer names one of
 * their own accounts, and the payee is one of their own accounts or any account's uid.
 *
 * @module
 */

import { type AccountName, AcquireError, ErrorCode, LEDGER_UID_PATTERN } from '@acquire/core';

/** The two ends of a payment. */
export interface PaymentAccounts {
  /** The caller's paying account. */
  readonly debit: AccountName;
  /** The paid account's uid. */
  readonly creditUid: string;
  /** The paid account as people read it: its name when it is the caller's, else its uid. */
  readonly creditLabel: string;
}

/**
 * Resolves the ends of a payment against the caller's accounts. A reference matches an
 * account's uid before its name, as the accounting service does.
 *
 * @param own - the caller's accounts, from `get_account_uids`
 * @param from - the paying account: one of the caller's, by name or uid
 * @param to - the paid account: one of the caller's by name or uid, or any account uid
 * @returns the accounts
 * @throws AcquireError `ACCOUNT_NOT_FOUND` when `from` is not the caller's;
 *   `INVALID_ARGUMENT` when `to` is neither the caller's nor an account uid
 */
export function resolvePaymentAccounts(
  own: readonly AccountName[],
  from: string,
  to: string,
): PaymentAccounts {
  const debit = findOwn(own, from);
  if (debit === undefined) {
    throw new AcquireError(
      ErrorCode.ACCOUNT_NOT_FOUND,
      `"${from}" is not one of your accounts: pay from one that \`acquire accounts\` lists`,
    );
  }

  const credit = findOwn(own, to);
  if (credit !== undefined) {
    return { debit, creditUid: credit.uid, creditLabel: credit.name };
  }
  if (!LEDGER_UID_PATTERN.test(to)) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `"${to}" is not one of your accounts: an account of another user must be given by its ` +
        'uid, which `acquire accounts` shows',
    );
  }
  return { debit, creditUid: to, creditLabel: to };
}

function findOwn(own: readonly AccountName[], reference: string): AccountName | undefined {
  return (
    own.find((account) => account.uid === reference) ??
    own.find((account) => account.name === reference)
  );
}
