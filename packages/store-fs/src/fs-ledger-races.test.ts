import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLedgerRaceSuite } from '@acquire/core/testing';
import { afterAll } from 'vitest';
import { createFsStore } from './fs-store.js';

const roots: string[] = [];

async function temporaryRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'acquire-store-fs-ledger-'));
  roots.push(root);
  return root;
}

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

runLedgerRaceSuite({
  name: 'fs',
  create: async () => createFsStore({ root: await temporaryRoot() }),
});
