import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../crypto/encoding.js';
import { AcquireError } from '../errors.js';
import { readJson, readText, updateJson, writeJson, writeText } from './json.js';
import { createMemoryStore } from './memory-store.js';

describe('JSON helpers', () => {
  it('round-trip values with their versions', async () => {
    const store = createMemoryStore();
    const version = await writeJson(store, 'doc/1', { a: 1, b: ['x'] });

    expect(await readJson(store, 'doc/1')).toEqual({ value: { a: 1, b: ['x'] }, version });
    expect(await readJson(store, 'doc/none')).toBeUndefined();
  });

  it('report a record that is not JSON as CORRUPT_RECORD', async () => {
    const store = createMemoryStore({ initial: { 'doc/bad': utf8Encode('{nope') } });

    await expect(readJson(store, 'doc/bad')).rejects.toSatisfy((error) =>
      AcquireError.is(error, 'CORRUPT_RECORD'),
    );
  });

  it('report a record of the wrong shape as CORRUPT_RECORD', async () => {
    const store = createMemoryStore();
    await writeJson(store, 'doc/shape', { a: 'text' });
    const parse = (value: unknown) => {
      if (typeof (value as { a?: unknown }).a !== 'number')
        throw new TypeError('a must be a number');
      return value as { a: number };
    };

    await expect(readJson(store, 'doc/shape', parse)).rejects.toSatisfy((error) =>
      AcquireError.is(error, 'CORRUPT_RECORD'),
    );
  });

  it('round-trip text, refusing invalid UTF-8', async () => {
    const store = createMemoryStore({ initial: { 'text/bad': Uint8Array.of(0xff, 0xfe) } });
    await writeText(store, 'text/good', 'héllo');

    expect((await readText(store, 'text/good'))?.value).toBe('héllo');
    await expect(readText(store, 'text/bad')).rejects.toSatisfy((error) =>
      AcquireError.is(error, 'MALFORMED_DATA'),
    );
  });
});

describe('updateJson', () => {
  it('applies every one of many racing updates exactly once', async () => {
    const store = createMemoryStore();
    const appends = Array.from({ length: 50 }, (_, i) =>
      updateJson<number[]>(store, 'list/items', (items) => [...(items ?? []), i]),
    );
    await Promise.all(appends);

    const stored = await readJson<number[]>(store, 'list/items');
    expect([...(stored?.value ?? [])].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('leaves the record alone when the change returns undefined', async () => {
    const store = createMemoryStore();
    const version = await writeJson(store, 'doc/keep', 1);

    expect(await updateJson(store, 'doc/keep', () => undefined)).toBe(1);
    expect((await readJson(store, 'doc/keep'))?.version).toBe(version);
  });

  it('gives up with PRECONDITION_FAILED after its attempts are spent', async () => {
    const store = createMemoryStore();
    await writeJson(store, 'doc/busy', 0);
    let round = 0;

    const update = updateJson<number>(
      store,
      'doc/busy',
      (value) => {
        void writeJson(store, 'doc/busy', 1000 + round++);
        return (value ?? 0) + 1;
      },
      { attemptsMax: 3 },
    );

    await expect(update).rejects.toSatisfy((error) =>
      AcquireError.is(error, 'PRECONDITION_FAILED'),
    );
    expect(round).toBe(3);
  });
});
