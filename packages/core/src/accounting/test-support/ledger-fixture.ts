/**
 * Test support: a ledger on a fresh memory store and manual clock with some accounts, and small
 * helpers the ledger tests share.
 *
 * @module
 */

import { AcquireError } from '../../errors.js';
import { createMemoryStore } from '../../store/memory-store.js';
import type { ObjectStore } from '../../store/object-store.js';
import { createManualClock, type ManualClock } from '../../time/clock.js';
import type { Account } from '../accounts.js';
import { createLedger, type Ledger } from '../ledger.js';

/** A ledger ready for a test. */
export interface LedgerFixture {
  /** Its store. */
  readonly store: ObjectStore;
  /** Its clock. */
  readonly clock: ManualClock;
  /** The ledger. */
  readonly ledger: Ledger;
  /** The accounts made, each the `main` account of its own group. */
  readonly accounts: readonly Account[];
  /** Their uids. */
  readonly uids: readonly string[];
}

/**
 * Makes a ledger with accounts `user-0`, `user-1`… each with the same overdraft limit.
 *
 * @param count - how many accounts
 * @param overdraftLimit - each account's overdraft limit
 * @returns the fixture
 */
export async function createLedgerFixture(
  count: number,
  overdraftLimit = '1000',
): Promise<LedgerFixture> {
  const store = createMemoryStore();
  const clock = createManualClock();
  const ledger = createLedger({ store, clock });
  const accounts: Account[] = [];
  for (let index = 0; index < count; index++) {
    accounts.push(
      await ledger.createAccount({ group: `user-${index}`, name: 'main', overdraftLimit }),
    );
  }
  return { store, clock, ledger, accounts, uids: accounts.map((account) => account.uid) };
}

/**
 * Awaits an action and tells which error code it failed with.
 *
 * @param action - the promise, or a function returning it (for calls that may throw at once)
 * @returns the code, undefined on success, or a description of an untyped failure
 */
export async function codeOf(
  action: Promise<unknown> | (() => Promise<unknown>),
): Promise<string | undefined> {
  try {
    await (typeof action === 'function' ? action() : action);
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : `untyped: ${String(error)}`;
  }
}

/**
 * The balances of some accounts, as decimal text.
 *
 * @param ledger - the ledger
 * @param uids - the accounts
 * @returns their balances, in order
 */
export function balancesOf(ledger: Ledger, uids: readonly string[]): Promise<string[]> {
  return Promise.all(uids.map(async (uid) => (await ledger.balance(uid)).balance.toString()));
}

/**
 * A small deterministic generator, so that a failing scenario can be replayed.
 *
 * @param seed - any whole number
 * @returns a function giving numbers in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
