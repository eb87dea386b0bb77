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
  type StoreWarmUp,
  timeBracketed,
  warmLedger,
  warmStore,
} from './ledger-run.js';
import { sequentialLong, sequentialShort } from './ledger-sequential.js';
import { printMeasurement, section } from './measure.js';
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
 * shorter. The runs of one fs section share one store, on accounts of their own, after the
 * store's warm-up (see {@link FS_STORE_WARM_UP}), so each run needs only a short one of its own.
 */
const FS_SIZES: LedgerRunSizes = {
  ...MEMORY_SIZES,
  warmUp: 100,
  floor: 100,
  concurrent: 480,
};

/** With fsync on every write waits for the disk twice more, so every run is shorter again. */
const FS_FSYNC_SIZES: LedgerRunSizes = {
  ...FS_SIZES,
  sequentialShort: 500,
  sequentialLong: 2_000,
  window: 500,
  concurrent: 320,
};

/**
 * What is done on a fresh fs store before its timed runs, and printed as a figure of its own.
 * On ext4 without a journal, allocating an inode skips every inode of its block group freed in
 * the last minute (the last five minutes while the inode's table block awaits writing back). The
 * store frees one with every replaced file and allocates one with every new file, several per
 * transfer, and removing a directory tree frees thousands. So on a fresh store, above all after
 * a large removal, transfers can run several times slower for seconds, while the raw rate, which
 * frees and allocates one inode per write, hardly changes. A store in use for a while is mostly
 * past this, though the fresh directories of new accounts can bring it back.
 */
const FS_STORE_WARM_UP: StoreWarmUp = { transfers: 3_000, durationMs: 15_000 };

/** With fsync on, the same time is fewer transfers. */
const FS_FSYNC_STORE_WARM_UP: StoreWarmUp = { transfers: 1_000, durationMs: 15_000 };

/** Concurrent workers, each making its share of the transfers one after another. */
const WORKERS = 16;

/**
 * Runs the ledger benchmarks on the memory store, then on the fs store without and with fsync.
 * The fs stores live in one temporary directory, removed only at the end, because removing
 * thousands of files slows the creation of new ones for a while (see {@link FS_STORE_WARM_UP}).
 */
export async function benchLedger(): Promise<void> {
  await benchLedgerOn({
    label: 'memory store',
    sizes: MEMORY_SIZES,
    createStore: () => createMemoryStore(),
  });
  const root = await mkdtemp(join(tmpdir(), 'acquire-bench-ledger-'));
  try {
    await benchFsLedger(join(root, 'no-fsync'), false, FS_SIZES, FS_STORE_WARM_UP);
    await benchFsLedger(join(root, 'fsync'), true, FS_FSYNC_SIZES, FS_FSYNC_STORE_WARM_UP);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs the benchmarks on one fs store, under a directory of its own. */
async function benchFsLedger(
  root: string,
  fsync: boolean,
  sizes: LedgerRunSizes,
  storeWarmUp: StoreWarmUp,
): Promise<void> {
  const store = createFsStore({ root: join(root, 'store'), fsync });
  await benchLedgerOn({
    label: fsync ? 'fs store, fsync' : 'fs store, no fsync',
    sizes,
    createStore: () => store,
    storeWarmUp,
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
  if (target.storeWarmUp !== undefined) {
    await warmStore(target, target.storeWarmUp);
  }
  printMeasurement(await measureStoreFloor(target.createStore(), target.sizes.floor));
  await sequentialShort(target, target.sizes.sequentialShort);
  await sequentialLong(target, target.sizes.sequentialLong);

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

  await timeBracketed(
    target,
    () => `${count(total)} transfers, ${name}`,
    async () => {
      await Promise.all(
        transfers.map(async (transfer) => {
          for (let index = 0; index < perWorker; index++) {
            await ledger.perform(transfer);
          }
        }),
      );
      return total;
    },
  );
}
