import { afterEach, describe, expect, it } from 'vitest';
import { createSeededRandomSource, setRandomSource } from '../crypto/random.js';
import { AcquireError } from '../errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock, MANUAL_CLOCK_START_MS, type ManualClock } from '../time/clock.js';
import { createLedger, type Ledger } from './ledger.js';
import { LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT } from './ledger-runtime.js';
import { DAY_MS } from './store-layout.js';
import { createFaultyStore, createPausingStore } from './test-support/faulty-store.js';
import { auditLedger } from './test-support/ledger-audit.js';

/** The accounts each scenario starts with: a and c may go 100 below zero, b and d may not. */
interface Accounts {
  readonly a: string;
  readonly b: string;
  readonly c: string;
  readonly d: string;
}

interface Scenario {
  readonly name: string;
  /** Work done before the fault, by a healthy process; returns what the operation needs. */
  readonly prepare: (ledger: Ledger, accounts: Accounts, clock: ManualClock) => Promise<string[]>;
  /** The operation interrupted by the fault. */
  readonly act: (
    ledger: Ledger,
    accounts: Accounts,
    prepared: readonly string[],
    clock: ManualClock,
  ) => Promise<unknown>;
  /** Every outcome the scenario may end in: balances of a, b, c and d, as decimal text. */
  readonly outcomes: readonly (readonly string[])[];
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a direct perform',
    prepare: async () => [],
    act: (ledger, { a, b }) =>
      ledger.perform([{ debitAccountUid: a, creditAccountUid: b, value: '10' }]),
    outcomes: [
      ['0', '0', '0', '0'],
      ['-10', '10', '0', '0'],
    ],
  },
  {
    name: 'a perform of several transactions',
    prepare: async () => [],
    act: (ledger, { a, b, c, d }) =>
      ledger.perform([
        { debitAccountUid: a, creditAccountUid: b, value: '5' },
        { debitAccountUid: c, creditAccountUid: b, value: '3' },
        { debitAccountUid: c, creditAccountUid: d, value: '2' },
      ]),
    outcomes: [
      ['0', '0', '0', '0'],
      ['-5', '8', '-5', '2'],
    ],
  },
  {
    name: 'a provisional perform of several transactions with an expiry',
    prepare: async () => [],
    act: (ledger, { a, b, c }, _prepared, clock) =>
      ledger.perform(
        [
          { debitAccountUid: a, creditAccountUid: b, value: '5' },
          { debitAccountUid: c, creditAccountUid: b, value: '3' },
        ],
        { provisional: true, expiresAtMs: clock.now() + 10 * LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT },
      ),
    outcomes: [['0', '0', '0', '0']],
  },
  {
    name: 'a perform refused at its second paying account',
    prepare: async () => [],
    act: (ledger, { a, c, d }) => {
      // Paying accounts are debited in uid order: the first is debited, the second refused.
      const [first, second] = [a, c].sort();
      return ledger.perform([
        { debitAccountUid: first!, creditAccountUid: d, value: '5' },
        { debitAccountUid: second!, creditAccountUid: d, value: '500' },
      ]);
    },
    outcomes: [['0', '0', '0', '0']],
  },
  {
    name: 'a receipt',
    prepare: async (ledger, { a, b }) => {
      const [held] = await ledger.perform(
        [{ debitAccountUid: a, creditAccountUid: b, value: '10' }],
        {
          provisional: true,
        },
      );
      return [held!.uid];
    },
    act: (ledger, _accounts, [uid]) => ledger.receipt(uid!, { value: '4' }),
    outcomes: [
      ['0', '0', '0', '0'],
      ['-4', '4', '0', '0'],
    ],
  },
  {
    name: 'a refund',
    prepare: async (ledger, { a, b }) => {
      const [paid] = await ledger.perform([
        { debitAccountUid: a, creditAccountUid: b, value: '10' },
      ]);
      return [paid!.uid];
    },
    act: (ledger, _accounts, [uid]) => ledger.refund(uid!),
    outcomes: [
      ['-10', '10', '0', '0'],
      ['0', '0', '0', '0'],
    ],
  },
];

let restoreRandom: (() => void) | undefined;

afterEach(() => restoreRandom?.());

/** Seeds randomness, so every run makes the same uids and so the same writes in the same order. */
async function setUp(store: ObjectStore, clock: ManualClock): Promise<Accounts> {
  restoreRandom?.();
  restoreRandom = setRandomSource(createSeededRandomSource('ledger faults'));
  const ledger = createLedger({ store, clock });
  const create = async (name: string, overdraftLimit: string) =>
    (await ledger.createAccount({ group: name, name: 'main', overdraftLimit })).uid;
  return {
    a: await create('a', '100'),
    b: await create('b', '0'),
    c: await create('c', '100'),
    d: await create('d', '0'),
  };
}

async function writesOf(scenario: Scenario): Promise<number> {
  const store = createMemoryStore();
  const clock = createManualClock();
  const accounts = await setUp(store, clock);
  const prepared = await scenario.prepare(createLedger({ store, clock }), accounts, clock);
  const counting = createFaultyStore(store, { failAtWrite: 0, applied: false, crash: false });
  await scenario
    .act(createLedger({ store: counting, clock }), accounts, prepared, clock)
    .catch(() => undefined);
  return counting.writes();
}

describe('ledger after a failure at any write', () => {
  for (const scenario of SCENARIOS) {
    it(`balances and finishes every record after ${scenario.name} fails at any write`, async () => {
      const writes = await writesOf(scenario);
      expect(writes).toBeGreaterThan(0);

      for (let failAtWrite = 1; failAtWrite <= writes; failAtWrite++) {
        for (const applied of [false, true]) {
          for (const crash of [true, false]) {
            const how = `${applied ? 'applied' : 'not applied'}, ${crash ? 'crash' : 'once'}`;
            const label = `${scenario.name}, write ${failAtWrite}, ${how}`;
            const store = createMemoryStore();
            const clock = createManualClock();
            const accounts = await setUp(store, clock);
            const prepared = await scenario.prepare(
              createLedger({ store, clock }),
              accounts,
              clock,
            );

            const faulty = createFaultyStore(store, { failAtWrite, applied, crash });
            await scenario
              .act(createLedger({ store: faulty, clock }), accounts, prepared, clock)
              .catch(() => undefined);
            expect(faulty.tripped(), label).toBe(true);

            clock.advance(LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT + 1);
            const recovered = createLedger({ store, clock });
            await recovered.reconcile();
            const audit = await auditLedger(store, { requireFinal: true });
            expect(audit.problems, label).toEqual([]);

            const uids = [accounts.a, accounts.b, accounts.c, accounts.d];
            const balances = await Promise.all(
              uids.map(async (uid) => (await recovered.balance(uid)).balance.toString()),
            );
            expect(scenario.outcomes, label).toContainEqual(balances);

            expect(await recovered.reconcile(), label).toEqual({
              accounts: 4,
              rolledForward: 0,
              rolledBack: 0,
              released: 0,
            });
            await recovered.perform([
              { debitAccountUid: accounts.a, creditAccountUid: accounts.b, value: '1' },
            ]);
            expect((await auditLedger(store, { requireFinal: true })).problems, label).toEqual([]);
          }
        }
      }
    });
  }
});

describe('ledger with a process paused past the in-flight timeout', () => {
  async function pausedAt(
    pauseAtWrite: number,
    act: (ledger: Ledger, accounts: Accounts) => Promise<unknown>,
  ) {
    const store = createMemoryStore();
    const clock = createManualClock();
    const accounts = await setUp(store, clock);
    const pausing = createPausingStore(store, pauseAtWrite);
    const outcome = act(createLedger({ store: pausing, clock }), accounts).then(
      () => 'ok',
      (error: unknown) => (AcquireError.is(error) ? error.code : String(error)),
    );
    await pausing.reached;
    clock.advance(LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT + 1);
    const reader = createLedger({ store, clock });
    return { store, accounts, reader, outcome, resume: pausing.resume };
  }

  it('never credits twice when a reader finished a paused perform', async () => {
    // Writes of a direct perform: the two markers, the commit record, the line items; pause
    // before the first line item.
    const { store, accounts, reader, outcome, resume } = await pausedAt(4, (ledger, { a, b }) =>
      ledger.perform([{ debitAccountUid: a, creditAccountUid: b, value: '10' }]),
    );
    expect(await reader.reconcile()).toMatchObject({ rolledForward: 1 });
    await reader.perform([
      { debitAccountUid: accounts.b, creditAccountUid: accounts.d, value: '1' },
    ]);
    resume();

    expect(await outcome).toBe('ok');
    expect((await reader.balance(accounts.b)).balance.toString()).toBe('9');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('rolls back a paused uncommitted perform, and its process undoes its debit', async () => {
    // Pause before the commit record: the reader writes the aborted record first.
    const { store, accounts, reader, outcome, resume } = await pausedAt(3, (ledger, { a, b }) =>
      ledger.perform([{ debitAccountUid: a, creditAccountUid: b, value: '10' }]),
    );
    expect(await reader.reconcile()).toMatchObject({ rolledBack: 1 });
    resume();

    expect(await outcome).toBe('TRANSACTION_ABORTED');
    expect((await reader.balance(accounts.a)).balance.toString()).toBe('0');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('opens a day without a perform paused before midnight and rolled back after', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const accounts = await setUp(store, clock);
    const midnightMs = MANUAL_CLOCK_START_MS + DAY_MS;
    clock.set(midnightMs - 1);
    // Pause before the commit record: both markers are placed on the first day.
    const pausing = createPausingStore(store, 3);
    const outcome = createLedger({ store: pausing, clock })
      .perform([{ debitAccountUid: accounts.a, creditAccountUid: accounts.b, value: '10' }])
      .catch((error: unknown) => (AcquireError.is(error) ? error.code : String(error)));
    await pausing.reached;

    // On the new day, a credit to b must not open the day while the paused marker may yet be
    // rolled back; it waits until the marker is stale and rolls it back first.
    clock.advance(2);
    const reader = createLedger({ store, clock });
    const credit = reader.perform([
      { debitAccountUid: accounts.c, creditAccountUid: accounts.b, value: '1' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    clock.advance(LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT + 1);
    await credit;
    await reader.reconcile();
    pausing.resume();

    expect(await outcome).toBe('TRANSACTION_ABORTED');
    expect((await reader.balanceAt(accounts.b, midnightMs)).balance.toString()).toBe('0');
    expect((await reader.balance(accounts.b)).balance.toString()).toBe('1');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('never pays a receipt twice when a reader finished a paused one', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const accounts = await setUp(store, clock);
    const reader = createLedger({ store, clock });
    const [held] = await reader.perform(
      [{ debitAccountUid: accounts.a, creditAccountUid: accounts.b, value: '10' }],
      {
        provisional: true,
      },
    );
    // Writes of a receipt by a ledger that has not seen the held transaction finish: its two
    // line items, made sure of, then the anchor marker, the record to receipting, the counter
    // marker, …
    const pausing = createPausingStore(store, 5);
    const outcome = createLedger({ store: pausing, clock }).receipt(held!.uid, { value: '4' });
    await pausing.reached;
    clock.advance(LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT + 1);
    expect(await reader.reconcile()).toMatchObject({ rolledForward: 1 });
    await reader.perform([
      { debitAccountUid: accounts.b, creditAccountUid: accounts.d, value: '1' },
    ]);
    pausing.resume();

    expect((await outcome).state).toBe('receipted');
    expect((await reader.balance(accounts.b)).balance.toString()).toBe('3');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });
});
