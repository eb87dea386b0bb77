import { describe, expect, it } from 'vitest';
import { AcquireError, ErrorCode } from '../errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock } from '../time/clock.js';
import { MARKERS_LEFT_MAX } from './head-store.js';
import { createLedger, type Ledger } from './ledger.js';
import { createPausingStore } from './test-support/faulty-store.js';
import { auditLedger } from './test-support/ledger-audit.js';

/** Workers paying from one account at once, each making its transfers one after another. */
const WORKERS = 16;
const TRANSFERS_PER_WORKER = 10;

/** What a store was asked, counted by operation and the key's first segment. */
interface CountingStore extends ObjectStore {
  readonly count: (what: string) => number;
}

/**
 * A memory store whose every call first waits for the next turn of the event loop, as calls to
 * a disk or a server do, so that the finishing of one perform overlaps the next one's update.
 */
function slowCountingStore(inner: ObjectStore = createMemoryStore()): CountingStore {
  const counts = new Map<string, number>();
  const slow =
    <A extends unknown[], R>(name: string, call: (key: string, ...rest: A) => Promise<R>) =>
    async (key: string, ...rest: A): Promise<R> => {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        return await call(key, ...rest);
      } catch (error) {
        const what = `${name} refused ${key.split('/')[0]}`;
        counts.set(what, (counts.get(what) ?? 0) + 1);
        throw error;
      } finally {
        const what = `${name} ${key.split('/')[0]}`;
        counts.set(what, (counts.get(what) ?? 0) + 1);
      }
    };
  return {
    capabilities: inner.capabilities,
    read: slow('read', inner.read),
    write: slow('write', inner.write),
    writeIfAbsent: slow('writeIfAbsent', inner.writeIfAbsent),
    writeIfVersion: slow('writeIfVersion', inner.writeIfVersion),
    delete: slow('delete', inner.delete),
    listPage: slow('listPage', inner.listPage),
    count: (what) => counts.get(what) ?? 0,
  };
}

describe('finishing committed performs', () => {
  it('leaves the debit marker of a perform still finishing, and writes nothing twice', async () => {
    const store = slowCountingStore();
    const ledger = createLedger({ store, clock: createManualClock() });
    const { payer, payees } = await openPayerAndPayees(ledger, WORKERS);
    const readsBefore = store.count('read transactions');

    await Promise.all(
      payees.map(async (payee) => {
        for (let index = 0; index < TRANSFERS_PER_WORKER; index++) {
          await ledger.perform([
            { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '1' },
          ]);
        }
      }),
    );

    const transfers = WORKERS * TRANSFERS_PER_WORKER;
    expect(store.count('writeIfAbsent accounts')).toBe(2 * transfers);
    expect(store.count('writeIfAbsent refused accounts')).toBe(0);
    expect(store.count('read transactions') - readsBefore).toBe(0);
    expect((await ledger.balance(payer.uid)).balance.toString()).toBe(String(-transfers));
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('waits for a perform still finishing before spending what it brought in', async () => {
    const counting = slowCountingStore();
    const clock = createManualClock();
    const { bank, alice, bob } = await openThree(createLedger({ store: counting, clock }));

    // The deposit's writes: two marker swaps, its record, then its two line items; it pauses
    // at the first line item, committed and not yet finished.
    const store = createPausingStore(counting, 4);
    const ledger = createLedger({ store, clock });
    const deposit = ledger.perform([
      { debitAccountUid: bank, creditAccountUid: alice, value: '4' },
    ]);
    await store.reached;
    const spend = ledger.perform([{ debitAccountUid: alice, creditAccountUid: bob, value: '4' }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    store.resume();
    await Promise.all([deposit, spend]);

    expect(counting.count('writeIfAbsent refused accounts')).toBe(0);
    expect((await ledger.balance(alice)).balance.toString()).toBe('0');
    expect((await ledger.balance(bob)).balance.toString()).toBe('4');
    expect((await auditLedger(counting, { requireFinal: true })).problems).toEqual([]);
  });

  it('finishes a perform itself when the finishing it waited for failed', async () => {
    const inner = createMemoryStore();
    const clock = createManualClock();
    const { bank, alice, bob } = await openThree(createLedger({ store: inner, clock }));

    // The deposit's line item on Alice's account is held back, then fails.
    let reach = (): void => {};
    let fail = (): void => {};
    const reached = new Promise<void>((resolve) => {
      reach = resolve;
    });
    const failing = new Promise<void>((resolve) => {
      fail = resolve;
    });
    let tripped = false;
    const store: ObjectStore = {
      ...inner,
      async writeIfAbsent(key, value) {
        if (!tripped && key.startsWith(`accounts/${alice}/`)) {
          tripped = true;
          reach();
          await failing;
          throw new AcquireError(ErrorCode.STORE_UNAVAILABLE, 'injected store failure');
        }
        return inner.writeIfAbsent(key, value);
      },
    };
    const ledger = createLedger({ store, clock });
    const deposit = ledger.perform([
      { debitAccountUid: bank, creditAccountUid: alice, value: '4' },
    ]);
    const depositOutcome = deposit.then(
      () => 'ok',
      (error: unknown) => (AcquireError.is(error) ? error.code : String(error)),
    );
    await reached;
    const spend = ledger.perform([{ debitAccountUid: alice, creditAccountUid: bob, value: '4' }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    fail();

    expect(await depositOutcome).toBe(ErrorCode.STORE_UNAVAILABLE);
    await spend;
    expect((await ledger.balance(alice)).balance.toString()).toBe('0');
    expect((await ledger.balance(bob)).balance.toString()).toBe('4');
    expect((await auditLedger(inner, { requireFinal: true })).problems).toEqual([]);
  });

  it(`leaves at most ${MARKERS_LEFT_MAX} markers on a hot head, line items slow`, async () => {
    const inner = createMemoryStore();
    let markersMax = 0;
    const store: ObjectStore = {
      ...inner,
      async writeIfAbsent(key, value) {
        if (key.startsWith('accounts/')) {
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
        return inner.writeIfAbsent(key, value);
      },
      async writeIfVersion(key, value, version) {
        const markers = (JSON.parse(new TextDecoder().decode(value)) as { markers?: unknown[] })
          .markers;
        markersMax = Math.max(markersMax, markers?.length ?? 0);
        return inner.writeIfVersion(key, value, version);
      },
    };
    const ledger = createLedger({ store, clock: createManualClock() });
    const { payer, payees } = await openPayerAndPayees(ledger, 100);

    await Promise.all(
      payees.map((payee) =>
        ledger.perform([{ debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '1' }]),
      ),
    );

    expect(markersMax).toBeLessThanOrEqual(MARKERS_LEFT_MAX + 1);
    expect((await ledger.balance(payer.uid)).balance.toString()).toBe('-100');
    expect((await auditLedger(inner, { requireFinal: true })).problems).toEqual([]);
  });
});

/** A bank that may go 100 below zero, and Alice and Bob with nothing. */
async function openThree(ledger: Ledger) {
  const open = async (group: string, overdraftLimit = '0') =>
    (await ledger.createAccount({ group, name: 'main', overdraftLimit })).uid;
  return { bank: await open('bank', '100'), alice: await open('alice'), bob: await open('bob') };
}

/** A payer that may go 1,000 below zero, and `count` payees. */
async function openPayerAndPayees(ledger: Ledger, count: number) {
  const payer = await ledger.createAccount({
    group: 'payer',
    name: 'main',
    overdraftLimit: '1000',
  });
  const payees = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      ledger.createAccount({ group: `payee-${index}`, name: 'main' }),
    ),
  );
  return { payer, payees };
}
