/**
 * Test support: a view of a store whose writes (writes, conditional writes and deletes) each
 * pass through a function first, which may delay, count, fail or follow them. Reads and listings
 * go straight to the store.
 *
 * @module
 */

import type { ObjectStore } from '../../store/object-store.js';

/** Runs one write, given as a thunk, in whatever way the interceptor chooses. */
export type WriteInterceptor = <T>(write: () => Promise<T>) => Promise<T>;

/**
 * Wraps a store so that every write goes through `intercept`.
 *
 * @param inner - the real store
 * @param intercept - gets each write as a thunk and returns its outcome
 * @returns the view of the store
 */
export function interceptWrites(inner: ObjectStore, intercept: WriteInterceptor): ObjectStore {
  return {
    capabilities: inner.capabilities,
    read: (key) => inner.read(key),
    listPage: (prefix, options) => inner.listPage(prefix, options),
    write: (key, value) => intercept(() => inner.write(key, value)),
    writeIfAbsent: (key, value) => intercept(() => inner.writeIfAbsent(key, value)),
    writeIfVersion: (key, value, version) =>
      intercept(() => inner.writeIfVersion(key, value, version)),
    delete: (key, options) => intercept(() => inner.delete(key, options)),
  };
}
