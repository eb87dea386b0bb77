/**
 * Object-store figures: writes, reads and compare-and-swap increments with 1 and 8 concurrent
 * workers, for the file-system store with and without fsync, next to the memory store; then
 * listing 10,000 keys once per kind of store, since listing only reads and fsync changes
 * nothing about it. File-system stores live in a directory under the system's temporary
 * directory, removed afterwards.
 *
 * @module
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMemoryStore,
  listAllKeys,
  type ObjectStore,
  randomBytes,
  updateJson,
  utf8Encode,
} from '@acquire/core';
import { createFsStore } from '@acquire/store-fs';
import { MEASURE_DURATION_MS_MIN, measure, printMeasurement, rateOf, section } from './measure.js';

/** Values of 1 KiB, about the size of an account or session record. */
const VALUE_BYTES = 1024;

/** Writes and reads rotate over this many keys, so directories hold a realistic number. */
const ROTATING_KEYS = 1000;

/** Concurrent compare-and-swap loops on one counter for the contended figure. */
const CAS_WORKERS = 8;

/** Keys written for the listing figure, all in one directory: the worst case for a page. */
const LISTING_KEYS = 10_000;

/** Keys are written this many at a time when preparing the listing. */
const PREPARE_PARALLELISM = 32;

interface StoreUnderTest {
  readonly label: string;
  readonly store: ObjectStore;
}

/** Runs the object-store benchmarks. */
export async function benchStore(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'acquire-bench-store-'));
  try {
    const stores: StoreUnderTest[] = [
      { label: 'memory', store: createMemoryStore() },
      { label: 'fs, fsync', store: createFsStore({ root: join(root, 'fsync') }) },
      {
        label: 'fs, no fsync',
        store: createFsStore({ root: join(root, 'nofsync'), fsync: false }),
      },
    ];
    for (const { label, store } of stores) {
      section(`store: ${label} (${VALUE_BYTES}-byte values)`);
      await benchReadsAndWrites(store);
      await benchCasIncrements(store);
    }

    section(`store: listing ${LISTING_KEYS.toLocaleString('en')} keys (10 pages of 1,000)`);
    const memory = createMemoryStore();
    await writeKeys(memory, LISTING_KEYS);
    await measure('memory', () => listAllKeys(memory, 'list'));
    const listing = createFsStore({ root: join(root, 'listing'), fsync: false });
    await writeKeys(listing, LISTING_KEYS);
    await measure('fs (either fsync setting: listing only reads)', () =>
      listAllKeys(listing, 'list'),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function benchReadsAndWrites(store: ObjectStore): Promise<void> {
  const value = randomBytes(VALUE_BYTES);
  let written = 0;
  await measure('write', () => store.write(`bench/${written++ % ROTATING_KEYS}`, value));
  let read = 0;
  await measure('read', () => store.read(`bench/${read++ % Math.min(written, ROTATING_KEYS)}`));
}

async function benchCasIncrements(store: ObjectStore): Promise<void> {
  await measure('CAS increment, 1 worker', () => incrementCounter(store, 'bench/counter'));

  const key = 'bench/contended';
  await incrementCounter(store, key);
  const started = performance.now();
  let operations = 0;
  await Promise.all(
    Array.from({ length: CAS_WORKERS }, async () => {
      while (performance.now() - started < MEASURE_DURATION_MS_MIN) {
        await incrementCounter(store, key);
        operations++;
      }
    }),
  );
  const name = `CAS increment, ${CAS_WORKERS} concurrent workers`;
  printMeasurement(rateOf(name, operations, performance.now() - started));
}

function incrementCounter(store: ObjectStore, key: string): Promise<number | undefined> {
  return updateJson<number>(store, key, (count) => (count ?? 0) + 1);
}

async function writeKeys(store: ObjectStore, count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PREPARE_PARALLELISM }, async () => {
      while (next < count) {
        const key = `list/${next++}`;
        await store.write(key, utf8Encode(key));
      }
    }),
  );
}
