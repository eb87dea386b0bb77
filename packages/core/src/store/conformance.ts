/**
 * The conformance suite every {@link ObjectStore} adapter runs, on vitest.
 *
 * @module
 */

import { describe, expect, it } from 'vitest';
import { bytesEqual, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { describeInvalidArguments } from './conformance-arguments.js';
import { raceWriteIfAbsent, runCasIncrements } from './conformance-cases.js';
import { describeListing } from './conformance-listing.js';
import { expectCode, type WithStore } from './conformance-support.js';
import { compareKeys } from './keys.js';
import { listAllKeys } from './listing.js';
import type { ObjectStore } from './object-store.js';

/** Options for {@link runObjectStoreConformance}. */
export interface ObjectStoreConformanceOptions {
  /** Names the suite in the test report. */
  name: string;
  /** Makes a new, empty store for one test. */
  create: () => ObjectStore | Promise<ObjectStore>;
  /** Releases what `create` made, after each test. */
  destroy?: (store: ObjectStore) => void | Promise<void>;
  /**
   * Runs the racing cases. Only a store whose server ignores conditional writes, used with an
   * explicit opt-out, may turn them off. @default true
   */
  concurrency?: boolean;
  /** Keys written for the listing and pagination cases. @default 2500 */
  listingKeyCount?: number;
}

/** Racing write-if-absent calls on one key; exactly one must win. */
export const CONFORMANCE_RACERS = 64;

/** Concurrent compare-and-swap loops on one counter. */
export const CONFORMANCE_CAS_WORKERS = 16;

/** Increments per loop; with 16 loops the counter must end at exactly 400. */
export const CONFORMANCE_CAS_INCREMENTS = 25;

/**
 * Registers the object-store conformance tests with vitest. Call it at the top level of a test
 * file.
 *
 * @param options - how to make and release stores
 * @example
 * ```ts
 * import { createMemoryStore } from '@acquire/core';
 * import { runObjectStoreConformance } from '@acquire/core/testing';
 *
 * runObjectStoreConformance({ name: 'memory', create: () => createMemoryStore() });
 * ```
 */
export function runObjectStoreConformance(options: ObjectStoreConformanceOptions): void {
  const withStore: WithStore = (body) => async () => {
    const store = await options.create();
    try {
      await body(store);
    } finally {
      await options.destroy?.(store);
    }
  };

  describe(`object store conformance: ${options.name}`, () => {
    describeReadsAndWrites(withStore);
    describeVersionsAndDeletes(withStore);
    describeConditionalWrites(withStore);
    describeListing(withStore, options.listingKeyCount ?? 2500);
    describeInvalidArguments(withStore);
    if (options.concurrency ?? true) {
      describeConcurrency(withStore);
    }
  });
}

function describeReadsAndWrites(withStore: WithStore): void {
  it(
    'round-trips every byte value, an empty value and a large value',
    withStore(async (store) => {
      const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
      const large = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7919) & 0xff);

      await store.write('bytes/every', everyByte);
      await store.write('bytes/empty', new Uint8Array(0));
      await store.write('bytes/large', large);

      expect((await store.read('bytes/every'))?.value).toEqual(everyByte);
      expect((await store.read('bytes/empty'))?.value).toEqual(new Uint8Array(0));
      const largeRead = (await store.read('bytes/large'))?.value ?? new Uint8Array();
      expect(bytesEqual(largeRead, large), 'large value differs after a round trip').toBe(true);
    }),
  );

  it(
    'reads nothing for an absent key',
    withStore(async (store) => {
      expect(await store.read('absent/key')).toBeUndefined();
    }),
  );

  it(
    'keeps its own copy of written bytes',
    withStore(async (store) => {
      const value = utf8Encode('original');
      await store.write('copy/key', value);
      value.fill(0);

      const read = await store.read('copy/key');
      expect(utf8Decode(read?.value ?? new Uint8Array())).toBe('original');
    }),
  );

  it(
    'stores keys with Unicode, spaces and punctuation as they are',
    withStore(async (store) => {
      const keys = ['names/Zoë Ω', 'names/a b', 'names/a_b', 'names/x@y.z', 'names/😀', 'names/A'];
      for (const key of keys) {
        await store.write(key, utf8Encode(key));
      }
      for (const key of keys) {
        expect(utf8Decode((await store.read(key))?.value ?? new Uint8Array())).toBe(key);
      }
      expect(await listAllKeys(store, 'names')).toEqual([...keys].sort(compareKeys));
    }),
  );
}

function describeVersionsAndDeletes(withStore: WithStore): void {
  it(
    'gives a new version on every write and returns it on read',
    withStore(async (store) => {
      const first = await store.write('versions/key', utf8Encode('one'));
      const second = await store.write('versions/key', utf8Encode('two'));

      expect(second).not.toBe(first);
      expect((await store.read('versions/key'))?.version).toBe(second);
    }),
  );

  it(
    'deletes, and deleting an absent key succeeds',
    withStore(async (store) => {
      await store.write('delete/key', utf8Encode('x'));
      await store.delete('delete/key');
      await store.delete('delete/key');

      expect(await store.read('delete/key')).toBeUndefined();
      expect(await listAllKeys(store, 'delete')).toEqual([]);
    }),
  );
}

function describeConditionalWrites(withStore: WithStore): void {
  it(
    'writes if absent only once',
    withStore(async (store) => {
      await store.writeIfAbsent('once/key', utf8Encode('first'));
      await expectCode(
        store.writeIfAbsent('once/key', utf8Encode('second')),
        'PRECONDITION_FAILED',
      );

      expect(utf8Decode((await store.read('once/key'))?.value ?? new Uint8Array())).toBe('first');
    }),
  );

  it(
    'writes if absent again after a delete',
    withStore(async (store) => {
      await store.writeIfAbsent('again/key', utf8Encode('first'));
      await store.delete('again/key');
      await store.writeIfAbsent('again/key', utf8Encode('second'));

      expect(utf8Decode((await store.read('again/key'))?.value ?? new Uint8Array())).toBe('second');
    }),
  );

  it(
    'writes if the version matches, and refuses a stale or absent version',
    withStore(async (store) => {
      const first = await store.write('cas/key', utf8Encode('1'));
      const second = await store.writeIfVersion('cas/key', utf8Encode('2'), first);

      await expectCode(
        store.writeIfVersion('cas/key', utf8Encode('3'), first),
        'PRECONDITION_FAILED',
      );
      await expectCode(
        store.writeIfVersion('cas/none', utf8Encode('3'), second),
        'PRECONDITION_FAILED',
      );
      const read = await store.read('cas/key');
      expect(read?.version).toBe(second);
      expect(utf8Decode(read?.value ?? new Uint8Array())).toBe('2');
      expect(await store.read('cas/none')).toBeUndefined();
    }),
  );

  it(
    'deletes only when a given version matches',
    withStore(async (store) => {
      const first = await store.write('cdel/key', utf8Encode('1'));
      const second = await store.write('cdel/key', utf8Encode('2'));

      await expectCode(store.delete('cdel/key', { ifVersion: first }), 'PRECONDITION_FAILED');
      expect((await store.read('cdel/key'))?.version).toBe(second);
      await store.delete('cdel/key', { ifVersion: second });
      expect(await store.read('cdel/key')).toBeUndefined();
      await expectCode(store.delete('cdel/key', { ifVersion: second }), 'PRECONDITION_FAILED');
    }),
  );
}

function describeConcurrency(withStore: WithStore): void {
  it(
    `lets exactly one of ${CONFORMANCE_RACERS} racing write-if-absent calls win`,
    withStore(async (store) => {
      const race = await raceWriteIfAbsent(store, 'race/key', CONFORMANCE_RACERS);

      expect(race.winners).toBe(1);
      const stored = await store.read('race/key');
      expect(utf8Decode(stored?.value ?? new Uint8Array())).toBe(race.winningValues[0]);
    }),
  );

  it(
    `counts exactly ${CONFORMANCE_CAS_WORKERS * CONFORMANCE_CAS_INCREMENTS} racing CAS increments`,
    withStore(async (store) => {
      const acknowledged = await runCasIncrements(
        store,
        'race/counter',
        CONFORMANCE_CAS_WORKERS,
        CONFORMANCE_CAS_INCREMENTS,
      );

      expect(acknowledged).toBe(CONFORMANCE_CAS_WORKERS * CONFORMANCE_CAS_INCREMENTS);
      const stored = await store.read('race/counter');
      expect(utf8Decode(stored?.value ?? new Uint8Array())).toBe(String(acknowledged));
    }),
  );
}
