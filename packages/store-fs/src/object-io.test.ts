import { join } from 'node:path';
import { utf8Encode } from '@acquire/core';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryRoots, temporaryRoot } from '../test/temporary-root.js';
import { createFsStore } from './fs-store.js';
import { encodeKey } from './key-names.js';
import { openEarly, readVersionOpenedEarly } from './object-io.js';

afterAll(removeTemporaryRoots);

async function storeWithObject(key: string) {
  const root = await temporaryRoot();
  const store = createFsStore({ root, fsync: false });
  const version = await store.write(key, utf8Encode('first'));
  const { directories, fileName } = encodeKey(key);
  return { store, version, path: join(root, ...directories, fileName) };
}

describe('reading a version through a descriptor opened before the lock', () => {
  it('gives the version of the file still in place', async () => {
    const { version, path } = await storeWithObject('k/one');

    expect(await readVersionOpenedEarly(await openEarly(path), path, 'k/one')).toBe(version);
  });

  it('gives the new version when the file was replaced after it was opened', async () => {
    const { store, path } = await storeWithObject('k/two');
    const early = await openEarly(path);
    const replaced = await store.write('k/two', utf8Encode('second'));

    expect(await readVersionOpenedEarly(early, path, 'k/two')).toBe(replaced);
  });

  it('finds no object when it was deleted after it was opened', async () => {
    const { store, path } = await storeWithObject('k/three');
    const early = await openEarly(path);
    await store.delete('k/three');

    expect(await readVersionOpenedEarly(early, path, 'k/three')).toBeUndefined();
  });

  it('reads afresh when nothing could be opened early', async () => {
    const { store, path } = await storeWithObject('k/four');
    await store.delete('k/four');
    const early = await openEarly(path);
    const created = await store.writeIfAbsent('k/four', utf8Encode('again'));

    expect(early).toBeUndefined();
    expect(await readVersionOpenedEarly(early, path, 'k/four')).toBe(created);
  });
});
