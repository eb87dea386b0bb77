/**
 * The one source of randomness in Acquire. By default it is Web Crypto's
 * `getRandomValues`; tests may install a seeded source to make runs repeatable.
 *
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';

/** Fills a byte array with random bytes. */
export type RandomSource = (bytes: Uint8Array) => void;

/** Web Crypto refuses to fill more than 65,536 bytes in one call. */
const WEB_CRYPTO_CHUNK_BYTES_MAX = 65_536;

const webCryptoSource: RandomSource = (bytes) => {
  for (let offset = 0; offset < bytes.length; offset += WEB_CRYPTO_CHUNK_BYTES_MAX) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, offset + WEB_CRYPTO_CHUNK_BYTES_MAX));
  }
};

let currentSource: RandomSource = webCryptoSource;

/**
 * Returns `length` random bytes from the current source.
 *
 * @param length - how many bytes
 * @returns a new array of random bytes
 */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  currentSource(bytes);
  return bytes;
}

/**
 * Replaces the randomness source for the whole process, for repeatable tests.
 * Never use a seeded source in production: every key it makes can be recomputed.
 *
 * @param source - the new source
 * @returns a function that restores the previous source
 */
export function setRandomSource(source: RandomSource): () => void {
  const previous = currentSource;
  currentSource = source;
  return () => {
    currentSource = previous;
  };
}

/**
 * A deterministic source for tests: SHA-256 in counter mode over a seed.
 *
 * @param seed - any string; equal seeds give equal byte streams
 * @returns a {@link RandomSource} to pass to {@link setRandomSource}
 */
export function createSeededRandomSource(seed: string): RandomSource {
  const seedBytes = new TextEncoder().encode(seed);
  let counter = 0;
  let pool = new Uint8Array(0);
  let poolOffset = 0;

  return (bytes) => {
    for (let i = 0; i < bytes.length; i++) {
      if (poolOffset === pool.length) {
        const block = new Uint8Array(seedBytes.length + 8);
        block.set(seedBytes);
        new DataView(block.buffer).setFloat64(seedBytes.length, counter++);
        pool = sha256(block);
        poolOffset = 0;
      }
      bytes[i] = pool[poolOffset++] as number;
    }
  };
}
