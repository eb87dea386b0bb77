/**
 * The typed client of an accounting service.
 *
 * @module
 */

import {
  createAccount as createAccountFunction,
  deposit as depositFunction,
  getAccountUids as getAccountUidsFunction,
  getInfo as getInfoFunction,
  getTransactions as getTransactionsFunction,
  perform as performFunction,
  receipt as receiptFunction,
  refund as refundFunction,
} from '@acquire/core';
import { createFunctionCaller, type FunctionCallerOptions } from './function-caller.js';
import { createServiceClient, type ServiceClient } from './service-client.js';

/** The accounting functions under their client method names. */
export const ACCOUNTING_CLIENT_FUNCTIONS: {
  /** Calls `create_account`. */
  readonly createAccount: typeof createAccountFunction;
  /** Calls `get_account_uids`. */
  readonly getAccountUids: typeof getAccountUidsFunction;
  /** Calls `get_info`. */
  readonly getInfo: typeof getInfoFunction;
  /** Calls `deposit`. */
  readonly deposit: typeof depositFunction;
  /** Calls `perform`. */
  readonly perform: typeof performFunction;
  /** Calls `receipt`. */
  readonly receipt: typeof receiptFunction;
  /** Calls `refund`. */
  readonly refund: typeof refundFunction;
  /** Calls `get_transactions`. */
  readonly getTransactions: typeof getTransactionsFunction;
} = {
  createAccount: createAccountFunction,
  getAccountUids: getAccountUidsFunction,
  getInfo: getInfoFunction,
  deposit: depositFunction,
  perform: performFunction,
  receipt: receiptFunction,
  refund: refundFunction,
  getTransactions: getTransactionsFunction,
};

/**
 * Reads that may be repeated safely. Money-moving calls are not listed: they are made safe to
 * repeat with an idempotency key instead.
 */
const IDEMPOTENT_ACCOUNTING_FUNCTIONS: readonly string[] = [
  'get_account_uids',
  'get_info',
  'get_transactions',
];

/** A typed accounting client. */
export type AccountingClient = ServiceClient<typeof ACCOUNTING_CLIENT_FUNCTIONS>;

/**
 * Creates a typed client for an accounting service. Every call needs an authorisation bound to
 * its arguments; {@link User.authoriseCall} makes one.
 *
 * @param url - the accounting service's URL
 * @param options - pinning, time limits and injected parts
 * @returns one method per accounting function
 * @example
 * ```ts
 * import { createAccountingClient, createUser } from '@acquire/client';
 *
 * const accounting = createAccountingClient('http://127.0.0.1:8002');
 * const { accounts } = await accounting.getAccountUids(alice.authoriseCall('get_account_uids', {}));
 * ```
 */
export function createAccountingClient(
  url: string,
  options: FunctionCallerOptions = {},
): AccountingClient {
  const call = createFunctionCaller(url, {
    idempotentFunctions: IDEMPOTENT_ACCOUNTING_FUNCTIONS,
    ...options,
  });
  return createServiceClient(call, ACCOUNTING_CLIENT_FUNCTIONS);
}
