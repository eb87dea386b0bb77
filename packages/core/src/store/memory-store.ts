/**
 * An object store in memory: the embedded default for tests, demos and single-process use.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { assertValidKey, assertValidPrefix, compareKeys, isKeyUnderPrefix } from './keys.js';
import { pageOfSortedKeys } from './listing.js';
import type { ListPage, ListPageOptions, ObjectStore, StoreCapabilities } from './object-store.js';

/** Options for {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Objects to start with, by key. */
  initial?: Readonly<Record<string, Uint8Array>>;
}

interface Entry {
  value: Uint8Array;
  version: string;
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
  const entries = new Map<string, Entry>();
  let sortedKeys: string[] | undefined;
  let nextVersion = 1;

  const put = (key: string, value: Uint8Array): string => {
    const version = String(nextVersion++);
    if (!entries.has(key)) {
      sortedKeys = undefined;
    }
    entries.set(key, { value: value.slice(), version });
    return version;
  };

  const keysInOrder = (): string[] => {
    sortedKeys ??= [...entries.keys()].sort(compareKeys);
    return sortedKeys;
  };

  for (const [key, value] of Object.entries(options.initial ?? {})) {
    assertValidKey(key);
    put(key, value);
  }

  return {
    capabilities: MEMORY_CAPABILITIES,

    async read(key) {
      assertValidKey(key);
      const entry = entries.get(key);
      return entry === undefined
        ? undefined
        : { value: entry.value.slice(), version: entry.version };
    },

    async write(key, value) {
      assertValidKey(key);
      return put(key, value);
    },

    async writeIfAbsent(key, value) {
      assertValidKey(key);
      if (entries.has(key)) {
        throw preconditionFailed(key, 'already exists');
      }
      return put(key, value);
    },

    async writeIfVersion(key, value, version) {
      assertValidKey(key);
      if (entries.get(key)?.version !== version) {
        throw preconditionFailed(key, 'has another version');
      }
      return put(key, value);
    },

    async delete(key, deleteOptions = {}) {
      assertValidKey(key);
      const { ifVersion } = deleteOptions;
      if (ifVersion !== undefined && entries.get(key)?.version !== ifVersion) {
        throw preconditionFailed(key, 'has another version');
      }
      if (entries.delete(key)) {
        sortedKeys = undefined;
      }
    },

    async listPage(prefix: string, listOptions: ListPageOptions = {}): Promise<ListPage> {
      assertValidPrefix(prefix);
      return pageOfSortedKeys(keysInOrder(), prefix, listOptions, isKeyUnderPrefix);
    },
  };
}

function preconditionFailed(key: string, what: string): AcquireError {
  return new AcquireError(ErrorCode.PRECONDITION_FAILED, `object ${key} ${what}`, {
    details: { key },
  });
}
