import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runObjectStoreConformance } from '@acquire/core/testing';
import { afterAll } from 'vitest';
import { createFsStore } from './fs-store.js';

const roots: string[] = [];

async function temporaryRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'acquire-store-fs-'));
  roots.push(root);
  return root;
}

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

runObjectStoreConformance({
  name: 'fs, durable',
  create: async () => createFsStore({ root: await temporaryRoot() }),
});

runObjectStoreConformance({
  name: 'fs, without fsync',
  create: async () => createFsStore({ root: await temporaryRoot(), fsync: false }),
});
