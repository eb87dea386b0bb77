/**
 * The bad-input cases of the object-store conformance suite: every store refuses invalid keys,
 * values that are not bytes, and versions and options of the wrong type, with a typed error and
 * before it writes anything.
 *
 * @module
 */

import { expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { ErrorCode } from '../errors.js';
import { expectCode, type WithStore } from './conformance-support.js';
import { KEY_LENGTH_MAX_BYTES, KEY_SEGMENT_LENGTH_MAX_BYTES } from './keys.js';
import { listAllKeys } from './listing.js';
import type { DeleteOptions, ListPageOptions, ObjectStore } from './object-store.js';

const INVALID_KEYS: readonly string[] = [
  '',
  '/leading',
  'trailing/',
  'double//slash',
  '.',
  '..',
  'a/./b',
  'a/../b',
  '../escape',
  'nul\u0000byte',
  'new\nline',
  'tab\there',
  'delete\u007f',
  'c1\u0085control',
  'lone\ud800surrogate',
  'x'.repeat(KEY_LENGTH_MAX_BYTES + 1),
  `ok/${'y'.repeat(KEY_SEGMENT_LENGTH_MAX_BYTES + 1)}`,
  `${'é'.repeat(KEY_SEGMENT_LENGTH_MAX_BYTES / 2 + 1)}`,
];

/** Text that a refused value carries and that no error may repeat. */
const UNECHOED_TEXT = 'value-text-that-no-error-repeats';

/** Things a caller might pass where bytes belong, each named for failure messages. */
const NOT_BYTES: readonly (readonly [string, unknown])[] = [
  ['a string', UNECHOED_TEXT],
  ['an array of numbers', [1, 2, 3]],
  ['null', null],
  ['undefined', undefined],
  ['a number', 42],
  ['a plain object', { text: UNECHOED_TEXT }],
  ['an ArrayBuffer', new ArrayBuffer(4)],
  ['a DataView', new DataView(new ArrayBuffer(4))],
  ['a Uint16Array', Uint16Array.of(1, 2)],
];

/** Like Node's `Buffer`: a `Uint8Array` subclass whose `slice` shares memory instead of copying. */
class SharedSliceBytes extends Uint8Array {
  override slice(start?: number, end?: number): Uint8Array<ArrayBuffer> {
    return this.subarray(start, end) as Uint8Array<ArrayBuffer>;
  }
}

/**
 * Registers the bad-input cases.
 *
 * @param withStore - gives each test a fresh store
 */
export function describeInvalidArguments(withStore: WithStore): void {
  describeInvalidKeys(withStore);
  describeInvalidValues(withStore);
  describeByteValues(withStore);
  describeInvalidVersionsAndOptions(withStore);
}

function describeInvalidKeys(withStore: WithStore): void {
  it(
    'refuses invalid keys in every operation and writes nothing',
    withStore(async (store) => {
      const value = utf8Encode('x');
      for (const key of INVALID_KEYS) {
        await expectCode(store.read(key), ErrorCode.INVALID_KEY);
        await expectCode(store.write(key, value), ErrorCode.INVALID_KEY);
        await expectCode(store.writeIfAbsent(key, value), ErrorCode.INVALID_KEY);
        await expectCode(store.writeIfVersion(key, value, '1'), ErrorCode.INVALID_KEY);
        await expectCode(store.delete(key), ErrorCode.INVALID_KEY);
        if (key !== '') {
          await expectCode(store.listPage(key), ErrorCode.INVALID_KEY);
        }
      }
      expect(await listAllKeys(store, '')).toEqual([]);
    }),
  );
}

function describeInvalidValues(withStore: WithStore): void {
  it(
    'refuses a value that is not a Uint8Array in every write, without echoing it or writing',
    withStore(async (store) => {
      const kept = await store.write('values/kept', utf8Encode('kept'));

      for (const [what, value] of NOT_BYTES) {
        const bad = value as Uint8Array;
        const attempts: readonly (readonly [string, () => Promise<string>])[] = [
          ['write', () => store.write('values/absent', bad)],
          ['write over an object', () => store.write('values/kept', bad)],
          ['writeIfAbsent', () => store.writeIfAbsent('values/absent', bad)],
          ['writeIfVersion', () => store.writeIfVersion('values/kept', bad, kept)],
        ];
        for (const [operation, attempt] of attempts) {
          const refusal = `${operation} of ${what}`;
          const error = await expectCode(attempt(), ErrorCode.INVALID_ARGUMENT, refusal);
          expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(UNECHOED_TEXT);
        }
      }

      expect(await store.read('values/absent')).toBeUndefined();
      await expectUnchanged(store, 'values/kept', kept, 'kept');
      expect(await listAllKeys(store, 'values')).toEqual(['values/kept']);
    }),
  );
}

function describeByteValues(withStore: WithStore): void {
  it(
    'stores only the viewed bytes of a subarray, and its own copy of a Uint8Array subclass',
    withStore(async (store) => {
      const padded = utf8Encode('--view--');
      await store.write('bytes/view', padded.subarray(2, 6));
      const shared = new SharedSliceBytes(utf8Encode('first'));
      const first = await store.writeIfAbsent('bytes/shared', shared);
      shared.fill(0);
      const changed = new SharedSliceBytes(utf8Encode('second'));
      const second = await store.writeIfVersion('bytes/shared', changed, first);
      changed.fill(0);
      padded.fill(0);

      expect(utf8Decode((await store.read('bytes/view'))?.value ?? new Uint8Array())).toBe('view');
      await expectUnchanged(store, 'bytes/shared', second, 'second');
    }),
  );
}

function describeInvalidVersionsAndOptions(withStore: WithStore): void {
  it(
    'refuses versions and options of the wrong type with INVALID_ARGUMENT',
    withStore(async (store) => {
      const version = await store.write('options/key', utf8Encode('kept'));
      const value = utf8Encode('x');

      for (const bad of ['', 42, null, undefined, {}, [version]]) {
        const attempt = store.writeIfVersion('options/key', value, bad as string);
        await expectCode(attempt, ErrorCode.INVALID_ARGUMENT, `writeIfVersion at ${String(bad)}`);
      }
      for (const bad of ['', 42, null, {}, [version]]) {
        const attempt = store.delete('options/key', { ifVersion: bad as string });
        await expectCode(attempt, ErrorCode.INVALID_ARGUMENT, `delete at ${String(bad)}`);
      }
      for (const bad of [null, version, 42, true]) {
        const what = `options ${String(bad)}`;
        const deletion = store.delete('options/key', bad as DeleteOptions);
        await expectCode(deletion, ErrorCode.INVALID_ARGUMENT, `delete ${what}`);
        const listing = store.listPage('options', bad as ListPageOptions);
        await expectCode(listing, ErrorCode.INVALID_ARGUMENT, `list ${what}`);
      }
      for (const startAfter of [42, null, {}, 'lone\ud800surrogate']) {
        const listing = store.listPage('options', { startAfter: startAfter as string });
        await expectCode(listing, ErrorCode.INVALID_ARGUMENT, `list after ${String(startAfter)}`);
      }
      const textLimit = store.listPage('options', { limit: '10' as unknown as number });
      await expectCode(textLimit, ErrorCode.INVALID_ARGUMENT, 'list with a limit in text');

      await expectUnchanged(store, 'options/key', version, 'kept');
    }),
  );
}

async function expectUnchanged(
  store: ObjectStore,
  key: string,
  version: string,
  text: string,
): Promise<void> {
  const read = await store.read(key);
  expect(read?.version, `version of ${key}`).toBe(version);
  expect(utf8Decode(read?.value ?? new Uint8Array()), `value of ${key}`).toBe(text);
}
