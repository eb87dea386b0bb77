import { describe, expect, it } from 'vitest';
import { createUniqueIdGenerator } from './unique-ids.js';

describe('unique ids', () => {
  it('never repeat within a generator, and differ between generators', () => {
    const first = createUniqueIdGenerator();
    const second = createUniqueIdGenerator();
    const ids = new Set<string>();
    for (let index = 0; index < 10_000; index++) {
      ids.add(first());
      ids.add(second());
    }

    expect(ids.size).toBe(20_000);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
    expect(first().slice(0, 16)).not.toBe(second().slice(0, 16));
  });
});
