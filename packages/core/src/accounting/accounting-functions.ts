/**
 * The accounting service functions. Each validates its arguments, checks the caller's
 * authorisation for exactly those arguments (`requestResource(name, args)`, single-use for the
 * functions that write), and then checks that the caller owns the account it acts on:
 * - `perform`: every paying account;
 * - `receipt`: the paid (credit) account: as in the original service, the payee receipts a
 *   provisional payment once it has delivered, and says how much of the held value it takes;
 * - `refund`: the paid (credit) account, which gives the value back;
 * - `create_account`, `get_account_uids`, `get_info`, `deposit`, `get_transactions`: the
 *   caller's own accounts (its group is its user uid).
 *
 * @module
 */

import type * as v from 'valibot';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import {
  type AccountingContext,
  authorise,
  ensureMain,
  ledgerOf,
  ownAccount,
  payeeOf,
  scopedKey,
} from './accounting-access.js';
import {
  CREATE_ACCOUNT_ARGS,
  type CreateAccountArgs,
  DEPOSIT_ARGS,
  type DepositArgs,
  GET_ACCOUNT_UIDS_ARGS,
  GET_INFO_ARGS,
  GET_TRANSACTIONS_ARGS,
  type GetAccountUidsArgs,
  type GetInfoArgs,
  type GetTransactionsArgs,
  PERFORM_ARGS,
  type PerformArgs,
  RECEIPT_ARGS,
  REFUND_ARGS,
  type ReceiptArgs,
  type RefundArgs,
} from './accounting-arguments.js';
import type {
  CreateAccountResult,
  DepositResult,
  GetAccountUidsResult,
  GetInfoResult,
  GetTransactionsResult,
  PerformResult,
  SettleResult,
} from './accounting-views.js';
import {
  accountView,
  balanceView,
  statementItemView,
  transactionView,
} from './accounting-views.js';
import { checkName } from './accounts.js';
import { PERFORM_TRANSACTIONS_MAX } from './ledger-inputs.js';
import { Money, splitValue, TRANSACTION_VALUE_MAX, toMoney } from './money.js';

/** Deposits come from the caller's `billing` account, which may go this far below zero. */
export const DEPOSIT_BILLING_OVERDRAFT_LIMIT: Money = Money.parse('150');

/** A deposit that leaves `billing` below this balance is reported for invoicing. */
export const DEPOSIT_INVOICE_THRESHOLD: Money = Money.parse('-50', { sign: 'any' });

/** A deposit is split into at most one perform's worth of maximum-value transactions. */
export const DEPOSIT_VALUE_MAX: Money = Money.fromMicro(
  TRANSACTION_VALUE_MAX.micro * BigInt(PERFORM_TRANSACTIONS_MAX),
);

/** The account deposits are paid from. */
export const BILLING_ACCOUNT_NAME = 'billing';

/** The account deposits are paid into. */
export const DEPOSITS_ACCOUNT_NAME = 'deposits';

/**
 * Creates an account in the caller's group. Racing creates of one name have one winner.
 *
 * @throws AcquireError `ACCOUNT_EXISTS`, `INVALID_ARGUMENT`, `INVALID_MONEY`, or the verifier's
 */
export const createAccount: ServiceFunction<
  v.GenericSchema<CreateAccountArgs>,
  CreateAccountResult,
  AccountingContext
> = defineServiceFunction(
  'create_account',
  CREATE_ACCOUNT_ARGS,
  async (args, context: AccountingContext) => {
    const options = {
      name: checkName(args.name, 'name'),
      ...(args.description === undefined ? {} : { description: args.description }),
      ...(args.overdraftLimit === undefined
        ? {}
        : { overdraftLimit: toMoney(args.overdraftLimit, { label: 'overdraftLimit' }) }),
      ...(args.dailyLimit === undefined
        ? {}
        : { dailyLimit: toMoney(args.dailyLimit, { label: 'dailyLimit' }) }),
    };
    const userUid = await authorise(context, 'create_account', args, true);
    const ledger = ledgerOf(context);
    await ensureMain(ledger, userUid);
    return { account: accountView(await ledger.createAccount({ group: userUid, ...options })) };
  },
);

/**
 * Lists the caller's accounts by name; the `main` account exists from the first call.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, or the verifier's
 */
export const getAccountUids: ServiceFunction<
  v.GenericSchema<GetAccountUidsArgs>,
  GetAccountUidsResult,
  AccountingContext
> = defineServiceFunction(
  'get_account_uids',
  GET_ACCOUNT_UIDS_ARGS,
  async (args, context: AccountingContext) => {
    const userUid = await authorise(context, 'get_account_uids', args, false);
    const ledger = ledgerOf(context);
    await ensureMain(ledger, userUid);
    return { accounts: await ledger.listAccounts(userUid) };
  },
);

/**
 * Describes one of the caller's accounts and its balances.
 *
 * @throws AcquireError `ACCOUNT_NOT_FOUND`, `ACCOUNT_ACCESS_DENIED`, `INVALID_ARGUMENT`, or the
 *   verifier's
 */
export const getInfo: ServiceFunction<
  v.GenericSchema<GetInfoArgs>,
  GetInfoResult,
  AccountingContext
> = defineServiceFunction('get_info', GET_INFO_ARGS, async (args, context: AccountingContext) => {
  const userUid = await authorise(context, 'get_info', args, false);
  const ledger = ledgerOf(context);
  const account = await ownAccount(ledger, userUid, args.account);
  return { account: accountView(account), balance: balanceView(await ledger.balance(account.uid)) };
});

/**
 * Deposits value: moves it from the caller's `billing` account (overdraft limit
 * {@link DEPOSIT_BILLING_OVERDRAFT_LIMIT}) to their `deposits` account, and reports an invoice
 * when `billing` ends below {@link DEPOSIT_INVOICE_THRESHOLD}.
 *
 * @throws AcquireError `INSUFFICIENT_FUNDS` when billing would pass its overdraft limit,
 *   `INVALID_MONEY`, `INVALID_ARGUMENT`, or the verifier's
 */
export const deposit: ServiceFunction<
  v.GenericSchema<DepositArgs>,
  DepositResult,
  AccountingContext
> = defineServiceFunction('deposit', DEPOSIT_ARGS, async (args, context: AccountingContext) => {
  const value = toMoney(args.value, {
    label: 'value',
    sign: 'positive',
    max: DEPOSIT_VALUE_MAX,
    maxName: 'DEPOSIT_VALUE_MAX',
  });
  const userUid = await authorise(context, 'deposit', args, true);
  const ledger = ledgerOf(context);
  const billing = await ledger.ensureAccount({
    group: userUid,
    name: BILLING_ACCOUNT_NAME,
    description: 'Billing account',
    overdraftLimit: DEPOSIT_BILLING_OVERDRAFT_LIMIT,
  });
  const deposits = await ledger.ensureAccount({
    group: userUid,
    name: DEPOSITS_ACCOUNT_NAME,
    description: 'Deposit account',
  });
  const description = `Deposit at ${new Date(context.clock.now()).toISOString()}`;
  const records = await ledger.perform(
    splitValue(value).map((part) => ({
      debitAccountUid: billing.uid,
      creditAccountUid: deposits.uid,
      value: part,
      description,
    })),
  );
  const { balance } = await ledger.balance(billing.uid);
  const invoice = balance.compare(DEPOSIT_INVOICE_THRESHOLD) < 0;
  return {
    transactions: records.map(transactionView),
    ...(invoice ? { invoiceUser: userUid, invoiceValue: balance.toString() } : {}),
  };
});

/**
 * Performs transfers from accounts the caller owns: all happen or none.
 *
 * @throws AcquireError `INSUFFICIENT_FUNDS`, `DAILY_LIMIT_EXCEEDED`, `ACCOUNT_NOT_FOUND`,
 *   `ACCOUNT_ACCESS_DENIED`, `IDEMPOTENCY_KEY_REUSED`, `INVALID_MONEY`, `INVALID_ARGUMENT`, or
 *   the verifier's
 */
export const perform: ServiceFunction<
  v.GenericSchema<PerformArgs>,
  PerformResult,
  AccountingContext
> = defineServiceFunction('perform', PERFORM_ARGS, async (args, context: AccountingContext) => {
  const userUid = await authorise(context, 'perform', args, true);
  const ledger = ledgerOf(context);
  const payers = new Set(args.transactions.map((transaction) => transaction.debitAccountUid));
  for (const payer of payers) {
    await ownAccount(ledger, userUid, payer, true);
  }
  const records = await ledger.perform(args.transactions, {
    ...(args.provisional === undefined ? {} : { provisional: args.provisional }),
    ...(args.expiresAtMs === undefined ? {} : { expiresAtMs: args.expiresAtMs }),
    ...scopedKey(userUid, args.idempotencyKey),
  });
  return { transactions: records.map(transactionView) };
});

/**
 * Receipts a provisional transaction paid to an account the caller owns, taking up to its
 * value and releasing the rest.
 *
 * @throws AcquireError `TRANSACTION_NOT_FOUND`, `ACCOUNT_ACCESS_DENIED`,
 *   `TRANSACTION_WRONG_KIND`, `TRANSACTION_ALREADY_SETTLED`, `RECEIPT_EXCEEDS_PROVISIONAL`,
 *   `TRANSACTION_EXPIRED`, `INVALID_MONEY`, or the verifier's
 */
export const receipt: ServiceFunction<
  v.GenericSchema<ReceiptArgs>,
  SettleResult,
  AccountingContext
> = defineServiceFunction('receipt', RECEIPT_ARGS, async (args, context: AccountingContext) => {
  const value = args.value === undefined ? undefined : toMoney(args.value, { label: 'value' });
  const userUid = await authorise(context, 'receipt', args, true);
  const ledger = ledgerOf(context);
  await payeeOf(ledger, userUid, args.transactionUid);
  const record = await ledger.receipt(args.transactionUid, {
    ...(value === undefined ? {} : { value }),
    ...scopedKey(userUid, args.idempotencyKey),
  });
  return { transaction: transactionView(record) };
});

/**
 * Refunds a direct transaction paid to an account the caller owns.
 *
 * @throws AcquireError `TRANSACTION_NOT_FOUND`, `ACCOUNT_ACCESS_DENIED`,
 *   `TRANSACTION_WRONG_KIND`, `TRANSACTION_ALREADY_SETTLED`, or the verifier's
 */
export const refund: ServiceFunction<
  v.GenericSchema<RefundArgs>,
  SettleResult,
  AccountingContext
> = defineServiceFunction('refund', REFUND_ARGS, async (args, context: AccountingContext) => {
  const userUid = await authorise(context, 'refund', args, true);
  const ledger = ledgerOf(context);
  await payeeOf(ledger, userUid, args.transactionUid);
  const record = await ledger.refund(args.transactionUid, scopedKey(userUid, args.idempotencyKey));
  return { transaction: transactionView(record) };
});

/**
 * One page of the statement of one of the caller's accounts.
 *
 * @throws AcquireError `ACCOUNT_NOT_FOUND`, `ACCOUNT_ACCESS_DENIED`, `INVALID_ARGUMENT`, or the
 *   verifier's
 */
export const getTransactions: ServiceFunction<
  v.GenericSchema<GetTransactionsArgs>,
  GetTransactionsResult,
  AccountingContext
> = defineServiceFunction(
  'get_transactions',
  GET_TRANSACTIONS_ARGS,
  async (args, context: AccountingContext) => {
    const userUid = await authorise(context, 'get_transactions', args, false);
    const ledger = ledgerOf(context);
    const account = await ownAccount(ledger, userUid, args.account);
    const page = await ledger.statementPage(account.uid, {
      startMs: args.startMs ?? 0,
      endMs: args.endMs ?? context.clock.now() + 1,
      ...(args.limit === undefined ? {} : { limit: args.limit }),
      ...(args.pageToken === undefined ? {} : { pageToken: args.pageToken }),
    });
    return {
      items: page.items.map(statementItemView),
      ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
    };
  },
);

/** Every accounting service function, for a service to dispatch. */
export const ACCOUNTING_FUNCTIONS: readonly ServiceFunction<
  v.GenericSchema,
  unknown,
  AccountingContext
>[] = [createAccount, getAccountUids, getInfo, deposit, perform, receipt, refund, getTransactions];
