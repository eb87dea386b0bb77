import {
  lstat,
  mkdir,
  readdir,
  readlink,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  AcquireError,
  compareKeys,
  createManualClock,
  ErrorCode,
  isValidKey,
  listAllKeys,
  type ObjectStore,
  utf8Decode,
  utf8Encode,
} from '@acquire/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryRoots, snapshotTree, temporaryRoot } from '../test/temporary-root.js';
import { createFsStore } from './fs-store.js';
import { encodeKey } from './key-names.js';
import { TEMP_FILE_STALE_MS } from './temp-files.js';

afterAll(removeTemporaryRoots);

/** Rounds of replacing an empty object while others read it. */
const REPLACE_ROUNDS = 300;

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(AcquireError.is(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

async function text(store: ObjectStore, key: string): Promise<string | undefined> {
  const stored = await store.read(key);
  return stored === undefined ? undefined : utf8Decode(stored.value);
}

async function newStore(): Promise<{ root: string; store: ObjectStore }> {
  const root = await temporaryRoot();
  return { root, store: createFsStore({ root, fsync: false }) };
}

const PORTABLE_ENTRY = /^(?:\.locks|[a-z0-9_%+-]+(?:\.obj)?)$/;

const invalidKeyArbitrary = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc
      .array(fc.constantFrom('..', '.', '', 'a', 'nul\u0000', 'new\nline', '\ud800', 'Z'), {
        maxLength: 6,
      })
      .map((segments) => segments.join('/')),
    fc.constantFrom(
      '/etc/passwd',
      '../outside',
      'a/../../b',
      'x'.repeat(901),
      `a/${'b'.repeat(201)}`,
    ),
  )
  .filter((key) => !isValidKey(key));

describe('fs store: keys never leave the root', () => {
  it('refuses malformed keys of any shape with INVALID_KEY and writes nothing', async () => {
    const { root, store } = await newStore();
    await store.write('keep/me', utf8Encode('x'));
    const before = await snapshotTree(root);
    const value = utf8Encode('y');

    await fc.assert(
      fc.asyncProperty(invalidKeyArbitrary, async (key) => {
        await expectCode(store.read(key), ErrorCode.INVALID_KEY);
        await expectCode(store.write(key, value), ErrorCode.INVALID_KEY);
        await expectCode(store.writeIfAbsent(key, value), ErrorCode.INVALID_KEY);
        await expectCode(store.writeIfVersion(key, value, 'v'), ErrorCode.INVALID_KEY);
        await expectCode(store.delete(key), ErrorCode.INVALID_KEY);
        if (key !== '') {
          await expectCode(store.listPage(key), ErrorCode.INVALID_KEY);
        }
      }),
      { numRuns: 150 },
    );

    expect(await snapshotTree(root)).toEqual(before);
  });

  it('stores keys that look like paths of other systems as names inside the root', async () => {
    const { root, store } = await newStore();
    const keys = [
      '..\\..\\outside',
      'C:\\Windows\\system32',
      '\\\\server\\share',
      'con/aux/nul',
      'CON',
      'LPT1.txt',
      'trailing./dots.',
      'space /x ',
      '~/home',
      '%2e%2e/escaped',
      'a:b/c*?d<>|"',
      '.hidden/.locks',
    ];
    for (const key of keys) {
      await store.write(key, utf8Encode(key));
    }

    for (const key of keys) {
      expect(await text(store, key)).toBe(key);
    }
    expect(await listAllKeys(store, '')).toEqual([...keys].sort(compareKeys));
    const entries = Object.keys(await snapshotTree(root));
    for (const entry of entries) {
      expect(relative(root, join(root, entry)).startsWith('..')).toBe(false);
      for (const name of entry.split(/[/\\]/)) {
        expect(name).toMatch(PORTABLE_ENTRY);
      }
    }
    expect(entries.filter((entry) => entry.endsWith('.obj'))).toHaveLength(keys.length);
  });

  it('keeps names/A and names/a in two files whose names differ in more than case', async () => {
    const { root, store } = await newStore();
    await store.write('names/A', utf8Encode('upper'));
    await store.write('names/a', utf8Encode('lower'));

    const names = await readdir(join(root, 'names'));
    expect(names.sort()).toEqual(['%41.obj', 'a.obj']);
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(2);
    expect(await text(store, 'names/A')).toBe('upper');
    expect(await text(store, 'names/a')).toBe('lower');
  });

  it('stores, lists and deletes keys whose segments are too long to be names', async () => {
    const { root, store } = await newStore();
    const long = 'É'.repeat(100);
    const nearlyLong = `${'É'.repeat(99)}F`;
    const keys = [
      `long/${long}`,
      `long/${nearlyLong}`,
      `long/${long}/child`,
      `long/${nearlyLong}/deep/${'Z'.repeat(200)}`,
      'long/a',
      `long/${'Z'.repeat(200)}`,
    ];
    for (const key of keys) {
      await store.write(key, utf8Encode(key));
    }

    expect(await listAllKeys(store, 'long')).toEqual([...keys].sort(compareKeys));
    expect(await listAllKeys(store, `long/${long}`)).toEqual([`long/${long}/child`]);
    const page = await store.listPage('long', { startAfter: `long/${nearlyLong}`, limit: 2 });
    expect(page).toEqual({
      keys: [`long/${nearlyLong}/deep/${'Z'.repeat(200)}`, `long/${long}`],
      next: `long/${long}`,
    });
    for (const key of keys) {
      expect(await text(store, key)).toBe(key);
      await store.delete(key);
    }
    expect(Object.keys(await snapshotTree(root))).toEqual(['.locks']);
  });
});

describe('fs store: links planted in the root are not followed', () => {
  it('refuses to read, write or delete through a linked directory', async () => {
    const { root, store } = await newStore();
    const outside = await temporaryRoot();
    const outsideStore = createFsStore({ root: outside, fsync: false });
    const version = await outsideStore.write('evil/x', utf8Encode('outside'));
    await symlink(join(outside, 'evil'), join(root, 'evil'));
    const before = await snapshotTree(outside);
    const value = utf8Encode('planted');

    await expectCode(store.read('evil/x'), ErrorCode.CORRUPT_RECORD);
    await expectCode(store.write('evil/y', value), ErrorCode.CORRUPT_RECORD);
    await expectCode(store.write('evil/sub/z', value), ErrorCode.CORRUPT_RECORD);
    await expectCode(store.writeIfAbsent('evil/y', value), ErrorCode.CORRUPT_RECORD);
    await expectCode(store.writeIfVersion('evil/x', value, version), ErrorCode.CORRUPT_RECORD);
    await expectCode(store.delete('evil/x'), ErrorCode.CORRUPT_RECORD);
    expect(await listAllKeys(store, '')).toEqual([]);
    expect(await listAllKeys(store, 'evil')).toEqual([]);
    expect(await snapshotTree(outside)).toEqual(before);
  });

  it('refuses to read through a linked object file and replaces the link on write', async () => {
    const { root, store } = await newStore();
    const outside = await temporaryRoot();
    await createFsStore({ root: outside, fsync: false }).write('x', utf8Encode('outside'));
    await symlink(join(outside, 'x.obj'), join(root, 'x.obj'));
    const before = await snapshotTree(outside);

    await expectCode(store.read('x'), ErrorCode.CORRUPT_RECORD);
    await expectCode(store.writeIfVersion('x', utf8Encode('no'), 'v'), ErrorCode.CORRUPT_RECORD);
    // Listing goes by names alone, as it does for files; reading is what checks.
    expect(await listAllKeys(store, '')).toEqual(['x']);
    await store.write('x', utf8Encode('inside'));

    expect(await text(store, 'x')).toBe('inside');
    expect(await snapshotTree(outside)).toEqual(before);
  });

  it('refuses a lock directory that is a link', async () => {
    const root = await temporaryRoot();
    const outside = await temporaryRoot();
    await symlink(outside, join(root, '.locks'));

    await expectCode(
      createFsStore({ root, fsync: false }).write('k', utf8Encode('v')),
      ErrorCode.CORRUPT_RECORD,
    );
    expect(await readdir(outside)).toEqual([]);
  });
});

describe('fs store: empty objects', () => {
  it('keeps an empty object under a hashed name as a file, so that listing finds it', async () => {
    const { root, store } = await newStore();
    const long = 'A'.repeat(100);
    await store.writeIfAbsent(`${long}/item`, new Uint8Array(0));
    await store.writeIfAbsent('plain/item', new Uint8Array(0));

    expect(await listAllKeys(store, '')).toEqual([`${long}/item`, 'plain/item']);
    const { directories, fileName } = encodeKey(`${long}/item`);
    expect((await lstat(join(root, ...directories, fileName))).isFile()).toBe(true);
  });

  it('reads an empty object or its replacement while it is replaced, never failing', async () => {
    const { root } = await newStore();
    const writer = createFsStore({ root, fsync: false });
    const reader = createFsStore({ root, fsync: false });
    let writing = true;
    const writes = (async () => {
      for (let round = 0; round < REPLACE_ROUNDS; round++) {
        const version = await writer.writeIfAbsent('swap/key', new Uint8Array(0));
        const full = await writer.writeIfVersion('swap/key', utf8Encode('full'), version);
        await writer.delete('swap/key', { ifVersion: full });
      }
      writing = false;
    })();
    const reads = Array.from({ length: 3 }, async () => {
      const seen = new Set<string>();
      while (writing) {
        const stored = await reader.read('swap/key');
        seen.add(stored === undefined ? 'absent' : utf8Decode(stored.value) || 'empty');
      }
      return seen;
    });

    await writes;
    const seen = new Set((await Promise.all(reads)).flatMap((one) => [...one]));
    expect([...seen].every((value) => ['absent', 'empty', 'full'].includes(value))).toBe(true);
  });

  it('stores an empty object from write-if-absent as a link, used as any object', async () => {
    const { root, store } = await newStore();
    const empty = new Uint8Array(0);
    const version = await store.writeIfAbsent('items/one', empty);
    const path = join(root, 'items', 'one.obj');

    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await readlink(path)).toBe(`AQFSLNK1.${version}`);
    expect(await store.read('items/one')).toEqual({ value: empty, version });
    await expectCode(store.writeIfAbsent('items/one', empty), ErrorCode.PRECONDITION_FAILED);
    expect(await listAllKeys(store, 'items')).toEqual(['items/one']);

    const replaced = await store.writeIfVersion('items/one', utf8Encode('full'), version);
    expect(await text(store, 'items/one')).toBe('full');
    await expectCode(
      store.delete('items/one', { ifVersion: version }),
      ErrorCode.PRECONDITION_FAILED,
    );
    await store.delete('items/one', { ifVersion: replaced });
    expect(await store.read('items/one')).toBeUndefined();

    const again = await store.writeIfAbsent('items/two', empty);
    await store.delete('items/two', { ifVersion: again });
    expect(await listAllKeys(store, '')).toEqual([]);
  });

  it('refuses a link whose target is not one of its own', async () => {
    const { root, store } = await newStore();
    await store.writeIfAbsent('items/one', new Uint8Array(0));
    for (const target of ['AQFSLNK1.', 'AQFSLNK1.not a version', 'AQFSLNK2.abc', '/etc/passwd']) {
      await rm(join(root, 'items', 'one.obj'));
      await symlink(target, join(root, 'items', 'one.obj'));

      await expectCode(store.read('items/one'), ErrorCode.CORRUPT_RECORD);
    }
  });
});

describe('fs store: torn writes and leftovers', () => {
  it('keeps the old value when a writer died midway through writing a new one', async () => {
    const { root, store } = await newStore();
    const version = await store.write('torn/key', utf8Encode('old'));
    await writeFile(join(root, 'torn', `.tmp-${Date.now()}-killedwriter`), 'AQFSOBJ1 half a fi');

    expect(await text(store, 'torn/key')).toBe('old');
    expect(await listAllKeys(store, '')).toEqual(['torn/key']);
    await store.writeIfVersion('torn/key', utf8Encode('new'), version);
    expect(await text(store, 'torn/key')).toBe('new');
  });

  it('reports a file cut short under its final name as corrupt rather than as data', async () => {
    const { root, store } = await newStore();
    await store.write('cut/key', utf8Encode('a value that will be cut short'));
    await truncate(join(root, 'cut', 'key.obj'), 40);

    await expectCode(store.read('cut/key'), ErrorCode.CORRUPT_RECORD);
  });

  it('removes temporary files abandoned long ago when listing, and keeps recent ones', async () => {
    const root = await temporaryRoot();
    const clock = createManualClock();
    const store = createFsStore({ root, fsync: false, clock });
    await store.write('left/key', utf8Encode('v'));
    const abandoned = `.tmp-${clock.now() - TEMP_FILE_STALE_MS - 1}-abandoned`;
    const recent = `.tmp-${clock.now()}-recent`;
    await writeFile(join(root, 'left', abandoned), 'x');
    await writeFile(join(root, 'left', recent), 'x');

    expect(await listAllKeys(store, '')).toEqual(['left/key']);
    expect((await readdir(join(root, 'left'))).sort()).toEqual([recent, 'key.obj'].sort());
  });

  it('skips files and directories it did not make', async () => {
    const { root, store } = await newStore();
    await store.write('mixed/key', utf8Encode('v'));
    await writeFile(join(root, 'mixed', 'README.txt'), 'x');
    await writeFile(join(root, 'mixed', 'Upper.obj'), 'x');
    await mkdir(join(root, 'mixed', 'Foreign Dir'));

    expect(await listAllKeys(store, '')).toEqual(['mixed/key']);
  });
});

describe('fs store: directories', () => {
  it('removes the directories a delete leaves empty, and only those', async () => {
    const { root, store } = await newStore();
    await store.write('a/b/c/d', utf8Encode('1'));
    await store.write('a/b/x', utf8Encode('2'));

    await store.delete('a/b/c/d');
    expect(Object.keys(await snapshotTree(root))).toEqual(['.locks', 'a', 'a/b', 'a/b/x.obj']);
    await store.delete('a/b/x');
    expect(Object.keys(await snapshotTree(root))).toEqual(['.locks']);
  });

  it('stays correct while writes and deletes race to create and remove a directory', async () => {
    const { root, store } = await newStore();
    const workers = 4;
    const rounds = 40;

    await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        const key = `churn/shared/deep/w${worker}`;
        for (let round = 0; round < rounds; round++) {
          await store.write(key, utf8Encode(String(round)));
          expect(await text(store, key)).toBe(String(round));
          await store.delete(key);
        }
        await store.writeIfAbsent(key, utf8Encode('last'));
      }),
    );

    const expected = Array.from({ length: workers }, (_, worker) => `churn/shared/deep/w${worker}`);
    expect(await listAllKeys(store, 'churn')).toEqual(expected);
    for (const key of expected) {
      await store.delete(key);
    }
    expect(Object.keys(await snapshotTree(root))).toEqual(['.locks']);
  });

  it('lists an empty store, and a prefix that was never written, as empty', async () => {
    const { store } = await newStore();

    expect(await store.listPage('')).toEqual({ keys: [] });
    expect(await store.listPage('never/written')).toEqual({ keys: [] });
  });
});

describe('fs store: versions and options', () => {
  it('gives every write its own version, across two stores writing at once', async () => {
    const root = await temporaryRoot();
    const stores = [createFsStore({ root, fsync: false }), createFsStore({ root, fsync: false })];
    const writesPerStore = 100;

    const versions = await Promise.all(
      Array.from({ length: writesPerStore * stores.length }, (_, i) =>
        (stores[i % stores.length] as ObjectStore).write('versions/key', utf8Encode(String(i))),
      ),
    );

    expect(new Set(versions).size).toBe(versions.length);
    const stored = await (stores[0] as ObjectStore).read('versions/key');
    expect(versions).toContain(stored?.version);
    expect((await (stores[1] as ObjectStore).read('versions/key'))?.version).toBe(stored?.version);
  });

  it('refuses invalid options with INVALID_ARGUMENT', () => {
    const invalid: unknown[] = [
      {},
      { root: '' },
      { root: 7 },
      { root: '/tmp/x', fsync: 'yes' },
      { root: '/tmp/x', lockLeaseMs: 5 },
      { root: '/tmp/x', lockLeaseMs: 1.5 },
      { root: '/tmp/x', clock: {} },
      { root: '/tmp/x', fsynk: false },
    ];
    for (const options of invalid) {
      const attempt = () => createFsStore(options as Parameters<typeof createFsStore>[0]);
      expect(attempt).toThrowError(AcquireError);
      try {
        attempt();
      } catch (error) {
        expect(AcquireError.is(error, ErrorCode.INVALID_ARGUMENT)).toBe(true);
      }
    }
  });

  it('declares atomic, shared conditional writes, and durability as configured', async () => {
    const root = await temporaryRoot();

    expect(createFsStore({ root }).capabilities).toEqual({
      atomicConditionalWrites: true,
      durable: true,
      sharedAcrossProcesses: true,
    });
    expect(createFsStore({ root, fsync: false }).capabilities.durable).toBe(false);
  });

  it('maps keys to the files the README describes', () => {
    expect(encodeKey('ledger/Alice/2026-01-01')).toEqual({
      directories: ['ledger', '%41lice'],
      fileName: '2026-01-01.obj',
    });
  });
});
