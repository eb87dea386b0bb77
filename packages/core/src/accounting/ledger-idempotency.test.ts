import { afterEach, describe, expect, it } from 'vitest';
import { createSeededRandomSource, setRandomSource } from '../crypto/random.js';
import { AcquireError } from '../errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock, type ManualClock } from '../time/clock.js';
import { createLedger, type Ledger } from './ledger.js';
import { LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT } from './ledger-runtime.js';
import { createFaultyStore, createPausingStore } from './test-support/faulty-store.js';
import { auditLedger } from './test-support/ledger-audit.js';

const KEY = 'order-17';

/** Rounds of two ledgers racing two different requests under one key. */
const RACE_ROUNDS = 50;

interface Accounts {
  readonly x: string;
  readonly y: string;
  readonly z: string;
}

let restoreRandom: (() => void) | undefined;

afterEach(() => restoreRandom?.());

async function setUp(store: ObjectStore, clock: ManualClock): Promise<Accounts> {
  restoreRandom?.();
  restoreRandom = setRandomSource(createSeededRandomSource('ledger idempotency'));
  const ledger = createLedger({ store, clock });
  const create = async (group: string) =>
    (await ledger.createAccount({ group, name: 'main', overdraftLimit: '100' })).uid;
  return { x: await create('x'), y: await create('y'), z: await create('z') };
}

/** The first request under the key: y pays z 3. */
function first(ledger: Ledger, { y, z }: Accounts): Promise<unknown> {
  return ledger.perform([{ debitAccountUid: y, creditAccountUid: z, value: '3' }], {
    idempotencyKey: KEY,
  });
}

/** Another request under the same key: x pays y 10, crediting the first request's payer. */
function other(ledger: Ledger, { x, y }: Accounts): Promise<unknown> {
  return ledger.perform([{ debitAccountUid: x, creditAccountUid: y, value: '10' }], {
    idempotencyKey: KEY,
  });
}

function outcomeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: unknown) => (AcquireError.is(error) ? error.code : String(error)),
  );
}

async function balances(ledger: Ledger, { x, y, z }: Accounts): Promise<string[]> {
  return Promise.all([x, y, z].map(async (uid) => (await ledger.balance(uid)).balance.toString()));
}

describe('an idempotency key used for two different performs', () => {
  it('refuses the second request and moves nothing for it', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const accounts = await setUp(store, clock);
    const ledger = createLedger({ store, clock });

    expect(await outcomeOf(first(ledger, accounts))).toBe('ok');
    expect(await outcomeOf(other(ledger, accounts))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await outcomeOf(first(ledger, accounts))).toBe('ok');

    expect(await balances(ledger, accounts)).toEqual(['0', '-3', '3']);
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('keeps a refusal as the answer under its key, even once the funds are there', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const accounts = await setUp(store, clock);
    const ledger = createLedger({ store, clock });
    const tooMuch = () =>
      ledger.perform(
        [{ debitAccountUid: accounts.y, creditAccountUid: accounts.z, value: '150' }],
        {
          idempotencyKey: KEY,
        },
      );

    expect(await outcomeOf(tooMuch())).toBe('INSUFFICIENT_FUNDS');
    await ledger.perform([
      { debitAccountUid: accounts.x, creditAccountUid: accounts.y, value: '60' },
    ]);
    expect(await outcomeOf(tooMuch())).toBe('INSUFFICIENT_FUNDS');
    expect(await outcomeOf(other(ledger, accounts))).toBe('IDEMPOTENCY_KEY_REUSED');

    expect(await balances(ledger, accounts)).toEqual(['-60', '60', '0']);
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('never lets an attempt commit after a repeat of it was refused', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const accounts = await setUp(store, clock);
    const ledger = createLedger({ store, clock });
    const request = () =>
      [{ debitAccountUid: accounts.y, creditAccountUid: accounts.z, value: '60' }] as const;
    // Writes of an idempotent perform: key claim, debit, …; pause just before the debit.
    const pausing = createPausingStore(store, 2);
    const paused = outcomeOf(
      createLedger({ store: pausing, clock }).perform([...request()], { idempotencyKey: KEY }),
    );
    await pausing.reached;

    await ledger.perform([
      { debitAccountUid: accounts.y, creditAccountUid: accounts.x, value: '60' },
    ]);
    const repeat = await outcomeOf(ledger.perform([...request()], { idempotencyKey: KEY }));
    await ledger.perform([
      { debitAccountUid: accounts.x, creditAccountUid: accounts.y, value: '60' },
    ]);
    pausing.resume();

    expect(repeat).toBe('INSUFFICIENT_FUNDS');
    expect(await paused).toBe('INSUFFICIENT_FUNDS');
    expect(await balances(ledger, accounts)).toEqual(['0', '0', '0']);
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('keeps the ledger whole when the first request failed at any write', async () => {
    const writes = await writesOfFirst();
    expect(writes).toBeGreaterThan(2);

    for (let failAtWrite = 1; failAtWrite <= writes; failAtWrite++) {
      for (const applied of [false, true]) {
        for (const crash of [true, false]) {
          const label = `write ${failAtWrite}, ${applied ? 'applied' : 'not applied'}, ${crash}`;
          const store = createMemoryStore();
          const clock = createManualClock();
          const accounts = await setUp(store, clock);
          const faulty = createFaultyStore(store, { failAtWrite, applied, crash });
          await outcomeOf(first(createLedger({ store: faulty, clock }), accounts));
          expect(faulty.tripped(), label).toBe(true);

          const healthy = createLedger({ store, clock });
          const second = await outcomeOf(other(healthy, accounts));
          clock.advance(LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT + 1);
          await healthy.reconcile();

          expect((await auditLedger(store, { requireFinal: true })).problems, label).toEqual([]);
          const expected =
            second === 'ok'
              ? [['-10', '10', '0']]
              : [
                  ['0', '0', '0'],
                  ['0', '-3', '3'],
                ];
          expect(expected, `${label}: second ${second}`).toContainEqual(
            await balances(healthy, accounts),
          );
          expect(['ok', 'IDEMPOTENCY_KEY_REUSED'], label).toContain(second);
        }
      }
    }
  });

  it('lets exactly one of two racing requests under one key take effect', async () => {
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const store = createMemoryStore();
      const clock = createManualClock();
      const accounts = await setUp(store, clock);
      const [one, two] = [createLedger({ store, clock }), createLedger({ store, clock })];

      const outcomes = await Promise.all([
        outcomeOf(first(one, accounts)),
        outcomeOf(other(two, accounts)),
      ]);

      expect(
        outcomes.filter((outcome) => outcome === 'ok'),
        `round ${round}`,
      ).toHaveLength(1);
      expect(outcomes, `round ${round}`).toContain('IDEMPOTENCY_KEY_REUSED');
      expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
      const sum = (await balances(one, accounts)).reduce(
        (total, value) => total + Number(value),
        0,
      );
      expect(sum).toBe(0);
    }
  });

  it('refuses another request while the first is paused before its commit', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const accounts = await setUp(store, clock);
    // Writes of an idempotent perform: key claim, debit, commit record, …
    const pausing = createPausingStore(store, 3);
    const paused = outcomeOf(first(createLedger({ store: pausing, clock }), accounts));
    await pausing.reached;

    const healthy = createLedger({ store, clock });
    expect(await outcomeOf(other(healthy, accounts))).toBe('IDEMPOTENCY_KEY_REUSED');
    pausing.resume();

    expect(await paused).toBe('ok');
    expect(await balances(healthy, accounts)).toEqual(['0', '-3', '3']);
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });
});

async function writesOfFirst(): Promise<number> {
  const store = createMemoryStore();
  const clock = createManualClock();
  const accounts = await setUp(store, clock);
  const counting = createFaultyStore(store, { failAtWrite: 0, applied: false, crash: false });
  await first(createLedger({ store: counting, clock }), accounts);
  return counting.writes();
}

/** A door that holds back calls until it is opened, and tells when the first one arrived. */
function createDoor() {
  let open = (): void => undefined;
  let arrive = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  return {
    opened,
    arrived,
    open,
    pass: async (): Promise<void> => {
      arrive();
      await opened;
    },
  };
}

describe('a perform repeated under its key by another process', () => {
  it('applies the transfer once when the first attempt finished and was tidied', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const accounts = await setUp(store, clock);
    const heads = createDoor();
    const records = createDoor();
    const held: ObjectStore = {
      ...store,
      writeIfVersion: async (key, value, version) => {
        await heads.pass();
        return store.writeIfVersion(key, value, version);
      },
      writeIfAbsent: async (key, value) => {
        if (key.startsWith('transactions/')) {
          await records.pass();
        }
        return store.writeIfAbsent(key, value);
      },
    };
    const late = outcomeOf(first(createLedger({ store: held, clock }), accounts));
    await heads.arrived;

    // Another process performs the same request to the end, and a third then changes both
    // accounts, tidying the first one's markers away as done.
    expect(await outcomeOf(first(createLedger({ store, clock }), accounts))).toBe('ok');
    const third = createLedger({ store, clock });
    const touchBoth = () =>
      third.perform([
        { debitAccountUid: accounts.x, creditAccountUid: accounts.y, value: '1' },
        { debitAccountUid: accounts.x, creditAccountUid: accounts.z, value: '1' },
      ]);
    await touchBoth();
    heads.open();

    // Had the late attempt placed its markers again, the third process would now tidy them away
    // as done before the late attempt's commit fails and it tries to undo them.
    if ((await Promise.race([late.then(() => 'finished'), records.arrived])) !== 'finished') {
      await touchBoth();
    }
    records.open();

    expect(await late).toBe('ok');
    expect(await balances(third, accounts)).toEqual(['-2', '-2', '4']);
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });
});
