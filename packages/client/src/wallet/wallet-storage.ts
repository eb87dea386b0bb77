/**
 * Where a wallet keeps its entries: a small text key-value interface, so the same wallet runs on
 * a file directory (Node), `localStorage` (browsers) or memory (tests and demos).
 *
 * @module
 */

/** A place to keep named text entries. Names are short and made of `[A-Za-z0-9_-]`. */
export interface WalletStorage {
  /**
   * @param name - the entry's name
   * @returns the entry's text, or `undefined` when absent
   */
  read(name: string): Promise<string | undefined>;
  /**
   * Replaces an entry atomically.
   *
   * @param name - the entry's name
   * @param text - the new text
   */
  write(name: string, text: string): Promise<void>;
  /**
   * Removes an entry; removing an absent one succeeds.
   *
   * @param name - the entry's name
   */
  remove(name: string): Promise<void>;
  /** @returns every entry name, in any order */
  list(): Promise<string[]>;
}

/**
 * Keeps wallet entries in memory, for tests and demos.
 *
 * @returns a fresh, empty storage
 */
export function createMemoryWalletStorage(): WalletStorage {
  const entries = new Map<string, string>();
  return {
    read: async (name) => entries.get(name),
    write: async (name, text) => {
      entries.set(name, text);
    },
    remove: async (name) => {
      entries.delete(name);
    },
    list: async () => [...entries.keys()],
  };
}

/** The part of the Web Storage API a wallet needs; `window.localStorage` fits. */
export interface WebStorageLike {
  /** Reads an item. */
  getItem(key: string): string | null;
  /** Writes an item. */
  setItem(key: string, value: string): void;
  /** Removes an item. */
  removeItem(key: string): void;
  /** The number of items. */
  readonly length: number;
  /** The name of the item at an index. */
  key(index: number): string | null;
}

/**
 * Keeps wallet entries in browser storage under a name prefix.
 *
 * @param storage - `window.localStorage` or anything with the same methods
 * @param prefix - keeps the wallet's items apart from the page's own
 * @returns a wallet storage
 * @example
 * ```ts
 * import { createWallet, createWebWalletStorage } from '@acquire/client';
 *
 * const wallet = createWallet({ storage: createWebWalletStorage(localStorage), password });
 * ```
 */
export function createWebWalletStorage(
  storage: WebStorageLike,
  prefix = 'acquire-wallet:',
): WalletStorage {
  return {
    read: async (name) => storage.getItem(prefix + name) ?? undefined,
    write: async (name, text) => storage.setItem(prefix + name, text),
    remove: async (name) => storage.removeItem(prefix + name),
    list: async () => {
      const names: string[] = [];
      for (let index = 0; index < storage.length; index++) {
        const key = storage.key(index);
        if (key?.startsWith(prefix)) {
          names.push(key.slice(prefix.length));
        }
      }
      return names;
    },
  };
}
