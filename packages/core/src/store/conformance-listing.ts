/**
 * The listing cases of the object-store conformance suite: order, pages, laziness, prefixes by
 * whole segments, and page arguments.
 *
 * @module
 */

import { expect, it } from 'vitest';
import { expectCode, type WithStore, writeAll } from './conformance-support.js';
import { compareKeys } from './keys.js';
import { listAllKeys, listKeys } from './listing.js';
import type { ObjectStore } from './object-store.js';

/** Small pages, so that a few thousand keys make many of them. */
const PAGE_SIZE = 100;

/** How many keys the laziness check takes from the start of a listing. */
const LAZY_KEYS_TAKEN = 3;

/**
 * Registers the listing cases.
 *
 * @param withStore - gives each test a fresh store
 * @param keyCount - keys written for the pagination case
 */
export function describeListing(withStore: WithStore, keyCount: number): void {
  describePages(withStore, keyCount);
  describePrefixesAndOrder(withStore);
  describePageArguments(withStore);
}

function describePages(withStore: WithStore, keyCount: number): void {
  it(
    `lists ${keyCount} keys in order, page by page and lazily`,
    withStore(async (store) => {
      const keys = Array.from({ length: keyCount }, (_, i) => `many/${(i * 7919) % keyCount}`);
      await writeAll(store, keys);
      const expected = [...keys].sort(compareKeys);

      const pages = await listPageByPage(store, 'many');
      expect(pages.flat()).toEqual(expected);
      expect(pages.length).toBe(Math.ceil(keyCount / PAGE_SIZE));
      expect(await listAllKeys(store, 'many')).toEqual(expected);

      const middle = expected[Math.floor(keyCount / 2)] as string;
      const rest: string[] = [];
      for await (const key of listKeys(store, 'many', { startAfter: middle, pageSize: 7 })) {
        rest.push(key);
      }
      expect(rest).toEqual(expected.slice(Math.floor(keyCount / 2) + 1));

      await expectLazyListing(store, 'many', expected);
    }),
  );
}

/** Follows `next` from the first page to the last, checking each page's size. */
async function listPageByPage(store: ObjectStore, prefix: string): Promise<string[][]> {
  const pages: string[][] = [];
  let startAfter: string | undefined;
  do {
    const page = await store.listPage(prefix, { startAfter, limit: PAGE_SIZE });
    expect(page.keys.length).toBeLessThanOrEqual(PAGE_SIZE);
    pages.push([...page.keys]);
    startAfter = page.next;
  } while (startAfter !== undefined);
  return pages;
}

/**
 * Checks that `listKeys` reads a page only once its keys are wanted: the first few keys cost one
 * page, and one key past the first page costs exactly one more.
 */
async function expectLazyListing(
  store: ObjectStore,
  prefix: string,
  expected: readonly string[],
): Promise<void> {
  const first = await takeKeys(store, prefix, LAZY_KEYS_TAKEN);
  expect(first.keys).toEqual(expected.slice(0, LAZY_KEYS_TAKEN));
  expect(first.pagesRead, `pages read for the first ${LAZY_KEYS_TAKEN} keys`).toBe(1);

  const pastFirstPage = await takeKeys(store, prefix, PAGE_SIZE + 1);
  expect(pastFirstPage.keys).toEqual(expected.slice(0, PAGE_SIZE + 1));
  expect(pastFirstPage.pagesRead, `pages read for ${PAGE_SIZE + 1} keys`).toBe(2);
}

/** Takes the first `count` keys of a listing in pages of {@link PAGE_SIZE}, counting pages read. */
async function takeKeys(
  store: ObjectStore,
  prefix: string,
  count: number,
): Promise<{ keys: string[]; pagesRead: number }> {
  let pagesRead = 0;
  const counting = new Proxy(store, {
    get(target, property) {
      if (property === 'listPage') {
        return ((listPrefix, options) => {
          pagesRead++;
          return target.listPage(listPrefix, options);
        }) satisfies ObjectStore['listPage'];
      }
      const member: unknown = Reflect.get(target, property);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });

  const keys: string[] = [];
  for await (const key of listKeys(counting, prefix, { pageSize: PAGE_SIZE })) {
    keys.push(key);
    if (keys.length === count) {
      break;
    }
  }
  return { keys, pagesRead };
}

function describePrefixesAndOrder(withStore: WithStore): void {
  it(
    'lists whole segments only: a/b never lists a/bc',
    withStore(async (store) => {
      await writeAll(store, ['a/b/1', 'a/b/2/deep', 'a/bc/1', 'a/b', 'a/a/1', 'ab/1', 'b/1']);

      expect(await listAllKeys(store, 'a/b')).toEqual(['a/b/1', 'a/b/2/deep']);
      expect(await listAllKeys(store, 'a')).toEqual([
        'a/a/1',
        'a/b',
        'a/b/1',
        'a/b/2/deep',
        'a/bc/1',
      ]);
      expect(await listAllKeys(store, 'a/b/1')).toEqual([]);
      expect(await listAllKeys(store, '')).toEqual([
        'a/a/1',
        'a/b',
        'a/b/1',
        'a/b/2/deep',
        'a/bc/1',
        'ab/1',
        'b/1',
      ]);
    }),
  );

  it(
    'orders keys by code point, as UTF-8 bytes do',
    withStore(async (store) => {
      const keys = ['o/\uffff', 'o/😀', 'o/z', 'o/Z', 'o/é', 'o/0', 'o/ ', 'o/~'];
      await writeAll(store, keys);

      expect(await listAllKeys(store, 'o')).toEqual([
        'o/ ',
        'o/0',
        'o/Z',
        'o/z',
        'o/~',
        'o/é',
        'o/\uffff',
        'o/😀',
      ]);
    }),
  );
}

function describePageArguments(withStore: WithStore): void {
  it(
    'starts after a key outside the prefix and refuses bad page sizes',
    withStore(async (store) => {
      await writeAll(store, ['m/1', 'm/2']);

      expect((await store.listPage('m', { startAfter: 'a' })).keys).toEqual(['m/1', 'm/2']);
      expect((await store.listPage('m', { startAfter: 'z' })).keys).toEqual([]);
      for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
        await expectCode(store.listPage('m', { limit }), 'INVALID_ARGUMENT');
      }
    }),
  );
}
