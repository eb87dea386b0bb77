/**
 * Ledger figures: sequential transfers (does the cost stay flat as history grows?), concurrent
 * transfers on distinct accounts and on one hot account, and a balance read after 10,000
 * transfers. {@link benchLedgerOn} takes any store factory, so other stores can be measured the
 * same way.
 *
 * @module
 */

import {
  createLedger,
  createManualClock,
  createMemoryStore,
  encodeJson,
  type Ledger,
  type ManualClock,
  type ObjectStore,
} from '@acquire/core';
import { printMeasurement, section } from './measure.js';

/** Transfers run on other accounts before each timed run, so the JIT has compiled the code. */
const WARM_UP = 3_000;

/** Sequential runs: a short one, and a long one whose first and last thousand are compared. */
const SEQUENTIAL_SHORT = 1_000;
const SEQUENTIAL_LONG = 10_000;
const WINDOW = 1_000;

/** Concurrent runs: 16 workers sharing 4,000 transfers. */
const WORKERS = 16;
const CONCURRENT_TRANSFERS = 4_000;

/** Balance reads timed after the long run. */
const BALANCE_READS = 1_000;

const EMPTY = new Uint8Array(0);

/** A head and a record of the sizes a transfer writes, for the store floor. */
const FLOOR_TOTALS = { balance: '-1250000', liability: '0', receivable: '0' };
const FLOOR_HEAD = {
  uid: 'u'.repeat(22),
  overdraftLimit: '1000000000000000',
  dailyLimit: null,
  totals: FLOOR_TOTALS,
  day: '2026-01-01',
  spentToday: '1250000',
  opening: FLOOR_TOTALS,
  lastTimeMs: 1_767_225_600_000,
  markers: [
    {
      op: 'o'.repeat(22),
      kind: 'perform',
      placedMs: 1_767_225_600_000,
      timeMs: 1_767_225_600_000,
      delta: FLOOR_TOTALS,
      spent: '1250000',
      items: [{ kind: 'debit', transactionUid: 'o'.repeat(22), value: '1250000' }],
    },
  ],
};
const FLOOR_RECORD = {
  uid: 'o'.repeat(22),
  batchUid: 'o'.repeat(22),
  batchIndex: 0,
  batchSize: 1,
  state: 'pending',
  debitAccountUid: 'p'.repeat(22),
  creditAccountUid: 'q'.repeat(22),
  value: '1250000',
  description: '',
  provisional: false,
  timeMs: 1_767_225_600_000,
};

/** Every payer may go this far below zero, so no transfer in the runs is refused. */
const OVERDRAFT = '1000000000';

/** Makes a fresh, empty store for one run. */
export type StoreFactory = () => ObjectStore | Promise<ObjectStore>;

/** Runs the ledger benchmarks on the memory store. */
export async function benchLedger(): Promise<void> {
  await benchLedgerOn(() => createMemoryStore(), 'memory store');
}

/**
 * Runs the ledger benchmarks on stores from a factory.
 *
 * @param createStore - makes a fresh store for each run
 * @param label - names the store in the headings
 */
export async function benchLedgerOn(createStore: StoreFactory, label: string): Promise<void> {
  section(`ledger: sequential transfers (${label})`);
  await storeFloor(createStore);
  await sequential(createStore, SEQUENTIAL_SHORT, false);
  await sequential(createStore, SEQUENTIAL_LONG, true);

  section(`ledger: ${WORKERS} concurrent workers (${label})`);
  await concurrent(createStore, 'distinct accounts', false);
  await concurrent(createStore, 'one hot paying account', true);
}

async function sequential(createStore: StoreFactory, count: number, long: boolean): Promise<void> {
  const clock = createManualClock();
  const ledger = createLedger({ store: await createStore(), clock });
  await warmUp(ledger, clock);
  const transfer = [
    {
      debitAccountUid: await account(ledger, 'payer'),
      creditAccountUid: await account(ledger, 'payee'),
      value: '1.25',
    },
  ];

  const durations: number[] = [];
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    const start = performance.now();
    await ledger.perform(transfer);
    durations.push(performance.now() - start);
    clock.advance(1);
  }
  report(`${count.toLocaleString('en')} sequential transfers`, count, performance.now() - started);
  if (!long) {
    return;
  }

  report(`  first ${WINDOW.toLocaleString('en')} of them`, WINDOW, sum(durations.slice(0, WINDOW)));
  report(`  last ${WINDOW.toLocaleString('en')} of them`, WINDOW, sum(durations.slice(-WINDOW)));
  const readStarted = performance.now();
  for (let index = 0; index < BALANCE_READS; index++) {
    await ledger.balance(transfer[0]?.debitAccountUid as string);
  }
  report(
    `balance read after ${count.toLocaleString('en')} transfers`,
    BALANCE_READS,
    performance.now() - readStarted,
  );
}

/**
 * Runs transfers between two other accounts of the same ledger, so that the timed accounts start
 * with no history while the ledger's code is already compiled.
 */
async function warmUp(ledger: Ledger, clock: ManualClock): Promise<void> {
  const transfer = [
    {
      debitAccountUid: await account(ledger, 'warm-payer'),
      creditAccountUid: await account(ledger, 'warm-payee'),
      value: '1',
    },
  ];
  for (let index = 0; index < WARM_UP; index++) {
    await ledger.perform(transfer);
    clock.advance(1);
  }
}

async function concurrent(createStore: StoreFactory, name: string, hot: boolean): Promise<void> {
  const clock = createManualClock();
  const ledger = createLedger({ store: await createStore(), clock });
  await warmUp(ledger, clock);
  const pairs = await Promise.all(
    Array.from({ length: WORKERS }, async (_, index) => ({
      payer: hot ? undefined : await account(ledger, `payer-${index}`),
      payee: await account(ledger, `payee-${index}`),
    })),
  );
  const hotPayer = await account(ledger, 'hot-payer');
  const perWorker = CONCURRENT_TRANSFERS / WORKERS;

  const started = performance.now();
  await Promise.all(
    pairs.map(async ({ payer, payee }) => {
      const transfer = [
        { debitAccountUid: payer ?? hotPayer, creditAccountUid: payee, value: '1.25' },
      ];
      for (let index = 0; index < perWorker; index++) {
        await ledger.perform(transfer);
      }
    }),
  );
  report(
    `${CONCURRENT_TRANSFERS.toLocaleString('en')} transfers, ${name}`,
    CONCURRENT_TRANSFERS,
    performance.now() - started,
  );
}

/**
 * The floor under any transfer on this store: the six writes one transfer makes (two account
 * heads by CAS, the record written and finalised, two line items), with keys and JSON of the
 * same sizes, done directly with no ledger logic. It shows how much of a transfer's time is the
 * store's, on this machine, at this moment.
 */
async function storeFloor(createStore: StoreFactory): Promise<void> {
  const store = await createStore();
  const [payerKey, payeeKey] = ['account_heads/payer', 'account_heads/payee'].map((key) =>
    key.padEnd(36, '_'),
  );
  let payer = await store.write(payerKey as string, encodeJson(FLOOR_HEAD));
  let payee = await store.write(payeeKey as string, encodeJson(FLOOR_HEAD));

  const started = performance.now();
  for (let index = 0; index < SEQUENTIAL_SHORT; index++) {
    const uid = `transfer-${index}`.padEnd(22, '_');
    const record = `transactions/${uid}`;
    payer = await store.writeIfVersion(payerKey as string, encodeJson(FLOOR_HEAD), payer);
    const version = await store.writeIfAbsent(record, encodeJson(FLOOR_RECORD));
    payee = await store.writeIfVersion(payeeKey as string, encodeJson(FLOOR_HEAD), payee);
    await store.writeIfAbsent(
      `accounts/${'p'.repeat(22)}/2026-01-01/1767225600000~${uid}~debit~1250000`,
      EMPTY,
    );
    await store.writeIfAbsent(
      `accounts/${'q'.repeat(22)}/2026-01-01/1767225600000~${uid}~credit~1250000`,
      EMPTY,
    );
    await store.writeIfVersion(record, encodeJson(FLOOR_RECORD), version);
  }
  report(
    'store floor: the 6 writes of a transfer, done directly',
    SEQUENTIAL_SHORT,
    performance.now() - started,
  );
}

async function account(ledger: Ledger, group: string): Promise<string> {
  return (await ledger.createAccount({ group, name: 'main', overdraftLimit: OVERDRAFT })).uid;
}

function report(name: string, operations: number, elapsedMs: number): void {
  printMeasurement({
    name,
    operations,
    perSecond: (operations * 1000) / elapsedMs,
    meanMs: elapsedMs / operations,
  });
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
