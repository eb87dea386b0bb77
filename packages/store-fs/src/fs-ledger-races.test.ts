import { runLedgerRaceSuite } from '@acquire/core/testing';
import { afterAll } from 'vitest';
import { removeTemporaryRoots, temporaryRoot } from '../test/temporary-root.js';
import { createFsStore } from './fs-store.js';

afterAll(removeTemporaryRoots);

runLedgerRaceSuite({
  name: 'fs',
  create: async () => createFsStore({ root: await temporaryRoot() }),
});
