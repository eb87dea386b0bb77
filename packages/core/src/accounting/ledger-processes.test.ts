import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store.js';
import { createManualClock, MANUAL_CLOCK_START_MS } from '../time/clock.js';
import { createLedger } from './ledger.js';
import { DAY_MS } from './store-layout.js';
import { createPausingStore } from './test-support/faulty-store.js';
import { auditLedger } from './test-support/ledger-audit.js';

/** Two ledgers on one store, standing in for two processes, and three accounts. */
async function setUp() {
  const store = createMemoryStore();
  const clock = createManualClock();
  const here = createLedger({ store, clock });
  const elsewhere = createLedger({ store, clock });
  const open = async (group: string, overdraftLimit: string) =>
    (await here.createAccount({ group, name: 'main', overdraftLimit })).uid;
  return {
    store,
    clock,
    here,
    elsewhere,
    saver: await open('saver', '0'),
    bank: await open('bank', '1000'),
    shop: await open('shop', '0'),
  };
}

describe('ledgers in two processes sharing one store', () => {
  it('pays from funds another process added after this one last saw the account', async () => {
    const { store, here, elsewhere, saver, bank, shop } = await setUp();
    expect((await here.balance(saver)).available.toString()).toBe('0');

    await elsewhere.perform([{ debitAccountUid: bank, creditAccountUid: saver, value: '10' }]);
    await here.perform([{ debitAccountUid: saver, creditAccountUid: shop, value: '5' }]);

    expect((await here.balance(saver)).balance.toString()).toBe('5');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('opens a new day past a marker it last saw that another process has since undone', async () => {
    const { store, clock, here, saver, bank, shop } = await setUp();
    clock.set(MANUAL_CLOCK_START_MS + DAY_MS - 1);

    // The saver cannot pay, so the other process undoes the credit it placed on the shop; it
    // pauses before that undo, while this process reads the shop with the marker on it.
    const pausing = createPausingStore(store, 2);
    const refused = createLedger({ store: pausing, clock })
      .perform([{ debitAccountUid: saver, creditAccountUid: shop, value: '5' }])
      .catch((error: unknown) => error);
    await pausing.reached;
    expect((await here.balance(shop)).balance.toString()).toBe('5');
    pausing.resume();
    expect(await refused).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });

    clock.advance(2);
    await here.perform([{ debitAccountUid: bank, creditAccountUid: shop, value: '3' }]);

    expect((await here.balance(shop)).balance.toString()).toBe('3');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('receipts on a new day past a marker it last saw that another process has undone', async () => {
    const { store, clock, here, elsewhere, saver, bank, shop } = await setUp();
    await elsewhere.perform([{ debitAccountUid: bank, creditAccountUid: saver, value: '20' }]);
    const [held] = await here.perform(
      [{ debitAccountUid: saver, creditAccountUid: shop, value: '10' }],
      { provisional: true },
    );
    await here.reconcile();
    clock.set(MANUAL_CLOCK_START_MS + DAY_MS - 1);

    // The shop cannot pay, so the other process undoes the credit it placed on the saver; it
    // pauses before that undo, while this process reads the saver with the marker on it.
    const pausing = createPausingStore(store, 2);
    const refused = createLedger({ store: pausing, clock })
      .perform([{ debitAccountUid: shop, creditAccountUid: saver, value: '5' }])
      .catch((error: unknown) => error);
    await pausing.reached;
    expect((await here.balance(saver)).balance.toString()).toBe('25');
    pausing.resume();
    expect(await refused).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });

    clock.advance(2);
    expect((await here.receipt(held!.uid, { value: '4' })).state).toBe('receipted');

    expect((await here.balance(saver)).balance.toString()).toBe('16');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });
});
