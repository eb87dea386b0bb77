/**
 * An object store in memory: the embedded default for tests, demos and single-process use.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { assertValidKey, assertValidPrefix, compareKeys, isKeyUnderPrefix } from './keys.js';
import { pageOfSortedKeys } from './listing.js';
import type {
  ListPage,
  ListPageOptions,
  ObjectStore,
  StoreCapabilities,
  StoredObject,
} from './object-store.js';
import {
  assertDeleteOptions,
  assertListPageOptions,
  assertStoreValue,
  assertStoreVersion,
} from './store-arguments.js';

/** Options for {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Objects to start with, by key. */
  initial?: Readonly<Record<string, Uint8Array>>;
}

const MEMORY_CAPABILITIES: StoreCapabilities = {
  atomicConditionalWrites: true,
  durable: false,
  sharedAcrossProcesses: false,
};

/**
 * Creates an object store that lives in this process's memory. Conditional writes are atomic
 * because each operation completes within one turn of the event loop.
 *
 * @param options - optional initial content
 * @returns an {@link ObjectStore}
 * @throws AcquireError `INVALID_KEY` or `INVALID_ARGUMENT` for a bad initial key or value
 * @example
 * ```ts
 * import { createMemoryStore, readJson, writeJson } from '@acquire/core';
 *
 * const store = createMemoryStore();
 * await writeJson(store, 'greetings/hello', { text: 'world' });
 * const greeting = await readJson(store, 'greetings/hello');
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): ObjectStore {
  const objects = new MemoryObjects();
  for (const [key, value] of Object.entries(options.initial ?? {})) {
    assertValidKey(key, 'initial key');
    assertStoreValue(value, `initial value of ${key}`);
    objects.put(key, value);
  }

  return {
    capabilities: MEMORY_CAPABILITIES,

    async read(key) {
      assertValidKey(key);
      return objects.get(key);
    },

    async write(key, value) {
      assertValidKey(key);
      assertStoreValue(value);
      return objects.put(key, value);
    },

    async writeIfAbsent(key, value) {
      assertValidKey(key);
      assertStoreValue(value);
      if (objects.has(key)) {
        throw preconditionFailed(key, 'already exists');
      }
      return objects.put(key, value);
    },

    async writeIfVersion(key, value, version) {
      assertValidKey(key);
      assertStoreValue(value);
      assertStoreVersion(version);
      objects.assertVersion(key, version);
      return objects.put(key, value);
    },

    async delete(key, deleteOptions) {
      assertValidKey(key);
      assertDeleteOptions(deleteOptions);
      const ifVersion = deleteOptions?.ifVersion;
      if (ifVersion !== undefined) {
        objects.assertVersion(key, ifVersion);
      }
      objects.delete(key);
    },

    async listPage(prefix: string, listOptions: ListPageOptions = {}): Promise<ListPage> {
      assertValidPrefix(prefix);
      assertListPageOptions(listOptions);
      return pageOfSortedKeys(objects.keysInOrder(), prefix, listOptions, isKeyUnderPrefix);
    },
  };
}

/** The objects of one memory store, with their versions and a cached key order. */
class MemoryObjects {
  readonly #entries = new Map<string, StoredObject>();
  #sortedKeys: string[] | undefined;
  #nextVersion = 1;

  /** Tells whether an object is stored at `key`. */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** A copy of the object at `key`, or `undefined`. */
  get(key: string): StoredObject | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : { value: entry.value.slice(), version: entry.version };
  }

  /**
   * Stores a copy of `value` under a new version and returns that version. The copy is made with
   * the constructor because `slice` on a Node `Buffer` returns a view of the same memory.
   */
  put(key: string, value: Uint8Array): string {
    const version = String(this.#nextVersion++);
    if (!this.#entries.has(key)) {
      this.#sortedKeys = undefined;
    }
    this.#entries.set(key, { value: new Uint8Array(value), version });
    return version;
  }

  /** Throws `PRECONDITION_FAILED` unless the object at `key` has this version. */
  assertVersion(key: string, version: string): void {
    if (this.#entries.get(key)?.version !== version) {
      throw preconditionFailed(key, 'has another version');
    }
  }

  /** Removes the object at `key`, if any. */
  delete(key: string): void {
    if (this.#entries.delete(key)) {
      this.#sortedKeys = undefined;
    }
  }

  /** Every key, in {@link compareKeys} order, sorted again only after the set of keys changed. */
  keysInOrder(): readonly string[] {
    this.#sortedKeys ??= [...this.#entries.keys()].sort(compareKeys);
    return this.#sortedKeys;
  }
}

function preconditionFailed(key: string, what: string): AcquireError {
  return new AcquireError(ErrorCode.PRECONDITION_FAILED, `object ${key} ${what}`, {
    details: { key },
  });
}
