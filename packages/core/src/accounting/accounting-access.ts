/**
 * Who may act on which account, for the accounting functions: checking an authorisation for the
 * exact arguments of a call, and that the caller owns the account the call acts on.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import type { AuthorisationVerifier } from '../service/authorisation-verifier.js';
import { requestResource } from '../service/request-resource.js';
import type { ServiceContext } from '../service/service-function.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import { type Account, MAIN_ACCOUNT_NAME } from './accounts.js';
import { createLedger, type Ledger } from './ledger.js';
import { LEDGER_UID_PATTERN } from './ledger-uids.js';

/** What the accounting functions are given. */
export interface AccountingContext extends ServiceContext {
  /** Checks authorisations; provided by the identity half of a deployment. */
  readonly verifyAuthorisation: AuthorisationVerifier;
  /** The ledger; by default one per store and clock, shared by every call. */
  readonly ledger?: Ledger;
}

/** One ledger per store and clock, shared by every call that brings no ledger of its own. */
const ledgers = new WeakMap<ObjectStore, WeakMap<Clock, Ledger>>();

/**
 * Checks a call's authorisation for exactly its arguments.
 *
 * @param context - the call's context
 * @param functionName - the function's wire name
 * @param args - the validated arguments, `authorisation` among them
 * @param singleUse - whether the authorisation may be used only once
 * @returns the caller's user uid
 * @throws AcquireError from the verifier when the authorisation is not valid for this call
 */
export async function authorise(
  context: AccountingContext,
  functionName: string,
  args: { readonly authorisation: unknown },
  singleUse: boolean,
): Promise<string> {
  const verified = await context.verifyAuthorisation(args.authorisation, {
    resource: requestResource(functionName, args as Readonly<Record<string, unknown>>),
    singleUse,
  });
  return verified.userUid;
}

/**
 * The ledger of a call: the context's own, or one shared per store and clock.
 *
 * @param context - the call's context
 * @returns the ledger
 */
export function ledgerOf(context: AccountingContext): Ledger {
  if (context.ledger !== undefined) {
    return context.ledger;
  }
  let byClock = ledgers.get(context.store);
  if (byClock === undefined) {
    byClock = new WeakMap();
    ledgers.set(context.store, byClock);
  }
  let ledger = byClock.get(context.clock);
  if (ledger === undefined) {
    ledger = createLedger({ store: context.store, clock: context.clock, logger: context.logger });
    byClock.set(context.clock, ledger);
  }
  return ledger;
}

/**
 * Finds or creates the caller's `main` account.
 *
 * @param ledger - the ledger
 * @param userUid - the caller
 * @returns the account
 */
export async function ensureMain(ledger: Ledger, userUid: string): Promise<Account> {
  return ledger.ensureAccount({
    group: userUid,
    name: MAIN_ACCOUNT_NAME,
    description: 'Main account',
  });
}

/**
 * Finds one of the caller's accounts by uid or, failing that, by name.
 *
 * @param ledger - the ledger
 * @param userUid - the caller
 * @param reference - an account uid or name
 * @param byUidOnly - refuse names
 * @returns the account
 * @throws AcquireError `ACCOUNT_NOT_FOUND`, or `ACCOUNT_ACCESS_DENIED` when another user owns it
 */
export async function ownAccount(
  ledger: Ledger,
  userUid: string,
  reference: string,
  byUidOnly = false,
): Promise<Account> {
  let account: Account | undefined;
  if (LEDGER_UID_PATTERN.test(reference)) {
    account = await ledger.getAccount(reference).catch((error: unknown) => {
      if (AcquireError.is(error, ErrorCode.ACCOUNT_NOT_FOUND)) {
        return undefined;
      }
      throw error;
    });
  }
  if (account === undefined && !byUidOnly) {
    account =
      reference === MAIN_ACCOUNT_NAME
        ? await ensureMain(ledger, userUid)
        : await ledger.findAccount(userUid, reference);
  }
  if (account === undefined) {
    throw new AcquireError(ErrorCode.ACCOUNT_NOT_FOUND, 'no such account');
  }
  if (account.group !== userUid) {
    throw new AcquireError(
      ErrorCode.ACCOUNT_ACCESS_DENIED,
      `the caller does not own account ${account.uid}`,
    );
  }
  return account;
}

/**
 * Checks that the caller owns the account a transaction paid.
 *
 * @param ledger - the ledger
 * @param userUid - the caller
 * @param transactionUid - the transaction
 * @throws AcquireError `TRANSACTION_NOT_FOUND` or `ACCOUNT_ACCESS_DENIED`
 */
export async function payeeOf(
  ledger: Ledger,
  userUid: string,
  transactionUid: string,
): Promise<void> {
  const transaction = await ledger.getTransaction(transactionUid);
  await ownAccount(ledger, userUid, transaction.creditAccountUid, true);
}

/**
 * Scopes an idempotency key to the caller, so one user's key never collides with another's.
 *
 * @param userUid - the caller
 * @param key - the caller's key, if any
 * @returns `{ idempotencyKey }` when a key was given, else `{}`
 */
export function scopedKey(
  userUid: string,
  key: string | undefined,
): { readonly idempotencyKey?: string } {
  return key === undefined ? {} : { idempotencyKey: `${userUid}\n${key}` };
}
