/**
 * Ledger figures on the memory store and on the file-system store with fsync off and on:
 * sequential transfers (does the cost stay flat as history grows?), concurrent transfers on
 * distinct accounts and on one hot account, and a balance read after the long run. Sequential
 * figures are printed with their targets (see `ledger-targets.ts`). Disk speed swings
 * several-fold between runs, so fs figures are also given as a ratio of the raw write + rename
 * rate of the same disk, sampled in the same directory during each run.
 * {@link benchLedgerOn} takes any store, so others can be measured the same way.
 *
 * @module
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '@acquire/core';
import { createFsStore } from '@acquire/store-fs';
import { measureStoreFloor } from './ledger-floor.js';
import {
  count,
  type LedgerBenchTarget,
  type LedgerRunSizes,
  openAccount,
  printRaw,
  warmLedger,
} from './ledger-run.js';
import { sequential } from './ledger-sequential.js';
import { ratioText } from './ledger-targets.js';
import { combineMeasurements, printMeasurement, rateOf, section } from './measure.js';
import { createRawWriteSampler, describeRawWrite } from './raw-write.js';

const MEMORY_SIZES: LedgerRunSizes = {
  warmUp: 3_000,
  floor: 1_000,
  sequentialShort: 1_000,
  sequentialLong: 10_000,
  window: 1_000,
  concurrent: 4_000,
};

/**
 * The fs store is tens of times slower than memory, so its floor and concurrent runs are
 * shorter. The memory runs have compiled the ledger but not the store, and the first writes into
 * a fresh directory tree on a disk run several times slower than later ones, so each timed run
 * follows a warm-up of 1,000 transfers on other accounts of the same store.
 */
const FS_SIZES: LedgerRunSizes = {
  ...MEMORY_SIZES,
  warmUp: 1_000,
  floor: 100,
  concurrent: 480,
};

/** With fsync on every write waits for the disk twice more, so every run is shorter again. */
const FS_FSYNC_SIZES: LedgerRunSizes = {
  ...FS_SIZES,
  warmUp: 300,
  sequentialShort: 500,
  sequentialLong: 2_000,
  window: 500,
  concurrent: 320,
};

/** Concurrent workers, each making its share of the transfers one after another. */
const WORKERS = 16;

/** Around a concurrent run the raw rate is sampled this long before and again after. */
const RAW_BRACKET_MS = 250;

/**
 * Runs the ledger benchmarks on the memory store, then on the fs store without and with fsync.
 * The fs stores all live in one temporary directory, removed only at the end: on disks that
 * discard freed blocks, removing thousands of files slows every write for a while after.
 */
export async function benchLedger(): Promise<void> {
  await benchLedgerOn({
    label: 'memory store',
    sizes: MEMORY_SIZES,
    createStore: () => createMemoryStore(),
  });
  const root = await mkdtemp(join(tmpdir(), 'acquire-bench-ledger-'));
  try {
    await benchFsLedger(join(root, 'no-fsync'), false, FS_SIZES);
    await benchFsLedger(join(root, 'fsync'), true, FS_FSYNC_SIZES);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs the benchmarks on fs stores under a directory of their own. */
async function benchFsLedger(root: string, fsync: boolean, sizes: LedgerRunSizes): Promise<void> {
  let stores = 0;
  await benchLedgerOn({
    label: fsync ? 'fs store, fsync' : 'fs store, no fsync',
    sizes,
    createStore: () => createFsStore({ root: join(root, `store-${stores++}`), fsync }),
    sampleRawWrite: createRawWriteSampler({ directory: join(root, 'raw'), fsync }),
    notes: [...describeRawWrite(fsync), ...(fsync ? [shorterRunsNote(sizes)] : [])],
  });
}

function shorterRunsNote(sizes: LedgerRunSizes): string {
  return (
    `fewer transfers with fsync on, to keep the bench short: ${count(sizes.sequentialShort)} ` +
    `and ${count(sizes.sequentialLong)} sequential (windows of ${count(sizes.window)}), ` +
    `${count(sizes.concurrent)} concurrent`
  );
}

/**
 * Runs the ledger benchmarks on one store.
 *
 * @param target - the store, its run sizes, notes and, for a disk, its raw-rate sampler
 */
export async function benchLedgerOn(target: LedgerBenchTarget): Promise<void> {
  section(`ledger: sequential transfers (${target.label})`);
  for (const note of target.notes ?? []) {
    console.log(`  ${note}`);
  }
  printMeasurement(await measureStoreFloor(target.createStore(), target.sizes.floor));
  await sequential(target, target.sizes.sequentialShort, false);
  await sequential(target, target.sizes.sequentialLong, true);

  section(`ledger: ${WORKERS} concurrent workers (${target.label})`);
  await concurrent(target, 'distinct accounts', false);
  await concurrent(target, 'one hot paying account', true);
}

async function concurrent(target: LedgerBenchTarget, name: string, hot: boolean): Promise<void> {
  const { ledger } = await warmLedger(target);
  const hotPayer = await openAccount(ledger, 'hot-payer');
  const transfers = await Promise.all(
    Array.from({ length: WORKERS }, async (_, index) => [
      {
        debitAccountUid: hot ? hotPayer : await openAccount(ledger, `payer-${index}`),
        creditAccountUid: await openAccount(ledger, `payee-${index}`),
        value: '1.25',
      },
    ]),
  );
  const total = target.sizes.concurrent;
  const perWorker = total / WORKERS;
  const sample = target.sampleRawWrite;

  const before = await sample?.(RAW_BRACKET_MS);
  const started = performance.now();
  await Promise.all(
    transfers.map(async (transfer) => {
      for (let index = 0; index < perWorker; index++) {
        await ledger.perform(transfer);
      }
    }),
  );
  const figure = rateOf(`${count(total)} transfers, ${name}`, total, performance.now() - started);
  const after = await sample?.(RAW_BRACKET_MS);

  const raw =
    before === undefined || after === undefined ? undefined : combineMeasurements([before, after]);
  printMeasurement(
    figure,
    raw === undefined ? undefined : ratioText(figure.perSecond, raw.perSecond),
  );
  printRaw(raw, 'before + after');
}
