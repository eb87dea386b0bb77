/**
 * Listing helpers shared by stores and callers: lazy iteration over pages, and paging a sorted
 * array of keys.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { compareKeys } from './keys.js';
import {
  LIST_PAGE_SIZE_MAX,
  type ListPage,
  type ListPageOptions,
  type ObjectStore,
} from './object-store.js';

/** Options for {@link listKeys}. */
export interface ListKeysOptions {
  /** Only keys strictly after this one. */
  startAfter?: string;
  /** Keys fetched per page. @default LIST_PAGE_SIZE_MAX */
  pageSize?: number;
}

/**
 * Lists every key under a prefix, lazily, one page at a time, in key order.
 *
 * @param store - the store
 * @param prefix - `''` or a key naming whole segments
 * @param options - where to start and the page size
 * @returns an async iterable of full keys
 * @example
 * ```ts
 * import { listKeys } from '@acquire/core';
 *
 * for await (const key of listKeys(store, 'sessions/alice')) {
 *   console.log(key);
 * }
 * ```
 */
export async function* listKeys(
  store: ObjectStore,
  prefix: string,
  options: ListKeysOptions = {},
): AsyncGenerator<string, void, undefined> {
  let startAfter = options.startAfter;

  for (;;) {
    const page = await store.listPage(prefix, { startAfter, limit: options.pageSize });
    yield* page.keys;
    if (page.next === undefined) {
      return;
    }
    startAfter = page.next;
  }
}

/**
 * Collects every key under a prefix into an array. Use {@link listKeys} for large listings.
 *
 * @param store - the store
 * @param prefix - `''` or a key naming whole segments
 * @returns all keys in order
 */
export async function listAllKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of listKeys(store, prefix)) {
    keys.push(key);
  }
  return keys;
}

/**
 * Checks and resolves a page size.
 *
 * @param limit - the requested size, or undefined for the maximum
 * @returns a whole number from 1 to {@link LIST_PAGE_SIZE_MAX}
 * @throws AcquireError `INVALID_ARGUMENT` for anything else
 */
export function resolvePageLimit(limit: number | undefined): number {
  if (limit === undefined) {
    return LIST_PAGE_SIZE_MAX;
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_PAGE_SIZE_MAX) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `list limit must be a whole number from 1 to ${LIST_PAGE_SIZE_MAX}`,
    );
  }
  return limit;
}

/**
 * Cuts one page out of an array of keys already in {@link compareKeys} order.
 *
 * @param sortedKeys - all keys, sorted
 * @param prefix - the listing prefix
 * @param options - where to start and how many
 * @param isUnder - tells whether a key lies under the prefix
 * @returns the page
 */
export function pageOfSortedKeys(
  sortedKeys: readonly string[],
  prefix: string,
  options: ListPageOptions,
  isUnder: (key: string, prefix: string) => boolean,
): ListPage {
  const limit = resolvePageLimit(options.limit);
  const prefixStart = prefix === '' ? '' : `${prefix}/`;
  const { startAfter } = options;
  const start =
    startAfter !== undefined && compareKeys(startAfter, prefixStart) > 0 ? startAfter : prefixStart;
  const keys: string[] = [];
  let index = firstIndexAfter(sortedKeys, start);

  while (index < sortedKeys.length && keys.length < limit) {
    const key = sortedKeys[index] as string;
    if (!isUnder(key, prefix)) {
      break;
    }
    keys.push(key);
    index++;
  }

  const more = index < sortedKeys.length && isUnder(sortedKeys[index] as string, prefix);
  return more ? { keys, next: keys[keys.length - 1] } : { keys };
}

/** Binary search for the first key strictly greater than `start`. */
function firstIndexAfter(sortedKeys: readonly string[], start: string): number {
  let low = 0;
  let high = sortedKeys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys(sortedKeys[middle] as string, start) <= 0) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}
