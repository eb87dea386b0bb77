import { runObjectStoreConformance } from '@acquire/core/testing';
import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { ErrorCode } from '../errors.js';
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

  it('keeps its own copy of a Node Buffer, whose slice shares memory', async () => {
    const store = createMemoryStore();
    const value = Buffer.from('original');

    await store.write('copy/buffer', value);
    value.fill(0);

    expect(utf8Decode((await store.read('copy/buffer'))?.value ?? new Uint8Array())).toBe(
      'original',
    );
  });

  it('refuses initial content that is not bytes', () => {
    const initial = { 'a/1': 'text' as unknown as Uint8Array };

    expect(() => createMemoryStore({ initial })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
  });

  it('declares atomic conditional writes but no durability', () => {
    expect(createMemoryStore().capabilities).toEqual({
      atomicConditionalWrites: true,
      durable: false,
      sharedAcrossProcesses: false,
    });
  });
});
