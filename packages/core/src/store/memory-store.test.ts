import { runObjectStoreConformance } from '@acquire/core/testing';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../crypto/encoding.js';
import { listAllKeys } from './listing.js';
import { createMemoryStore } from './memory-store.js';

runObjectStoreConformance({ name: 'memory', create: () => createMemoryStore() });

describe('createMemoryStore', () => {
  it('starts with the initial objects it is given', async () => {
    const store = createMemoryStore({
      initial: { 'a/1': utf8Encode('one'), 'a/2': utf8Encode('two') },
    });

    expect(await listAllKeys(store, 'a')).toEqual(['a/1', 'a/2']);
  });

  it('declares atomic conditional writes but no durability', () => {
    expect(createMemoryStore().capabilities).toEqual({
      atomicConditionalWrites: true,
      durable: false,
      sharedAcrossProcesses: false,
    });
  });
});
