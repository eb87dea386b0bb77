/**
 * Test support: the accounting functions on a fresh store, with two users whose authorisations
 * the test verifier checks for real.
 *
 * @module
 */

import { silentLogger } from '../../logging.js';
import type { ServiceFunction } from '../../service/service-function.js';
import { createMemoryStore } from '../../store/memory-store.js';
import type { ObjectStore } from '../../store/object-store.js';
import { createManualClock, type ManualClock } from '../../time/clock.js';
import type { AccountingContext } from '../accounting-access.js';
import { getAccountUids } from '../accounting-functions.js';
import { authorised, createTestUser, createTestVerifier, type TestUser } from './test-verifier.js';

/** An accounting function of any argument type. */
// biome-ignore lint/suspicious/noExplicitAny: the fixture calls functions of every argument type
export type AnyAccountingFunction = ServiceFunction<any, unknown, AccountingContext>;

/** The accounting functions ready for a test. */
export interface FunctionsFixture {
  /** The store. */
  readonly store: ObjectStore;
  /** The clock of the service and of the users. */
  readonly clock: ManualClock;
  /** The context every call gets. */
  readonly context: AccountingContext;
  /** One user. */
  readonly alice: TestUser;
  /** Another user. */
  readonly bob: TestUser;
  /**
   * Calls a function as a user, with an authorisation for exactly these arguments.
   *
   * @param fn - the function
   * @param user - the caller
   * @param args - the arguments but `authorisation`
   * @returns the result
   */
  call<R>(
    fn: ServiceFunction<never, R, AccountingContext> | AnyAccountingFunction,
    user: TestUser,
    args: Record<string, unknown>,
  ): Promise<R>;
  /**
   * @param user - a user
   * @returns the uid of the user's `main` account, made on first use
   */
  mainOf(user: TestUser): Promise<string>;
  /** @returns every key in the store with its version, to compare before and after a call */
  snapshot(): Promise<Map<string, string>>;
}

/**
 * Makes the fixture.
 *
 * @returns the fixture
 */
export function createFunctionsFixture(): FunctionsFixture {
  const store = createMemoryStore();
  const clock = createManualClock();
  const alice = createTestUser();
  const bob = createTestUser();
  const context: AccountingContext = {
    store,
    clock,
    logger: silentLogger,
    serviceUrl: 'https://accounting.test',
    verifyAuthorisation: createTestVerifier([alice, bob], clock),
  };
  async function call<R>(
    fn: ServiceFunction<never, R, AccountingContext> | AnyAccountingFunction,
    user: TestUser,
    args: Record<string, unknown>,
  ): Promise<R> {
    return (await (fn as AnyAccountingFunction).run(
      authorised(user, fn.name, args, clock),
      context,
    )) as R;
  }

  return {
    store,
    clock,
    context,
    alice,
    bob,
    call,
    async mainOf(user) {
      const { accounts } = await call(getAccountUids, user, {});
      return (accounts.find((entry) => entry.name === 'main') as { uid: string }).uid;
    },
    async snapshot() {
      const keys = (await store.listPage('')).keys;
      const entries = await Promise.all(
        keys.map(async (key) => [key, (await store.read(key))?.version ?? ''] as const),
      );
      return new Map(entries);
    },
  };
}
