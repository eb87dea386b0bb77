import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../store/memory-store.js';
import { createManualClock, MANUAL_CLOCK_START_MS } from '../time/clock.js';
import type { BalanceStatus } from './balances.js';
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

/**
 * Another process tries to pay 5 from `payer`, which cannot pay, to `credited`. It places its
 * credit on `credited` first and pauses before undoing it, while `here` reads `credited` with the
 * marker on it; then the undo goes ahead and the refusal is checked.
 *
 * @returns the balances `here` read
 */
async function readCreditUndoneElsewhere(
  { store, clock, here }: Pick<Awaited<ReturnType<typeof setUp>>, 'store' | 'clock' | 'here'>,
  payer: string,
  credited: string,
): Promise<BalanceStatus> {
  const pausing = createPausingStore(store, 2);
  const refused = createLedger({ store: pausing, clock })
    .perform([{ debitAccountUid: payer, creditAccountUid: credited, value: '5' }])
    .catch((error: unknown) => error);
  await pausing.reached;
  const seen = await here.balance(credited);
  pausing.resume();
  expect(await refused).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  return seen;
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

  it('opens a new day past a marker it saw that another process has since undone', async () => {
    const { store, clock, here, saver, bank, shop } = await setUp();
    clock.set(MANUAL_CLOCK_START_MS + DAY_MS - 1);

    const seen = await readCreditUndoneElsewhere({ store, clock, here }, saver, shop);
    expect(seen.balance.toString()).toBe('5');

    clock.advance(2);
    await here.perform([{ debitAccountUid: bank, creditAccountUid: shop, value: '3' }]);

    expect((await here.balance(shop)).balance.toString()).toBe('3');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('receipts on a new day past a marker it saw that another process has undone', async () => {
    const { store, clock, here, elsewhere, saver, bank, shop } = await setUp();
    await elsewhere.perform([{ debitAccountUid: bank, creditAccountUid: saver, value: '20' }]);
    const [held] = await here.perform(
      [{ debitAccountUid: saver, creditAccountUid: shop, value: '10' }],
      { provisional: true },
    );
    await here.reconcile();
    clock.set(MANUAL_CLOCK_START_MS + DAY_MS - 1);

    const seen = await readCreditUndoneElsewhere({ store, clock, here }, shop, saver);
    expect(seen.balance.toString()).toBe('25');

    clock.advance(2);
    expect((await here.receipt(held!.uid, { value: '4' })).state).toBe('receipted');

    expect((await here.balance(saver)).balance.toString()).toBe('16');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });
});
