import { describe, expect, it } from 'vitest';
import { createSeededRandomSource, randomBytes, setRandomSource } from './random.js';

describe('randomness', () => {
  it('gives fresh bytes by default, also past Web Crypto’s 64 KiB limit', () => {
    expect(randomBytes(32)).not.toEqual(randomBytes(32));
    expect(randomBytes(100_000).length).toBe(100_000);
  });

  it('repeats itself under a seeded source, and restores the previous one', () => {
    const restore = setRandomSource(createSeededRandomSource('seed'));
    const first = randomBytes(100);
    restore();

    const restoreAgain = setRandomSource(createSeededRandomSource('seed'));
    const second = randomBytes(100);
    restoreAgain();

    expect(second).toEqual(first);
    expect(randomBytes(100)).not.toEqual(first);
  });
});
