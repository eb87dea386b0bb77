/**
 * What the parts of the object-store conformance suite share: the wrapper that gives each test a
 * fresh store, and small expectations.
 *
 * @module
 */

import { expect } from 'vitest';
import { utf8Encode } from '../crypto/encoding.js';
import { AcquireError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

/** Turns a test body that needs a store into a vitest test function that makes and releases one. */
export type WithStore = (body: (store: ObjectStore) => Promise<void>) => () => Promise<void>;

/**
 * Expects a promise to reject with an {@link AcquireError} of a given code.
 *
 * @param promise - the operation under test
 * @param code - the code it must fail with
 * @param what - names the attempt in the failure message
 * @returns the error, for further checks
 */
export async function expectCode(
  promise: Promise<unknown>,
  code: string,
  what = 'the operation',
): Promise<AcquireError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(AcquireError.is(error, code), `${what}: expected ${code}, got ${String(error)}`).toBe(
    true,
  );
  return error as AcquireError;
}

/** Bounded parallelism keeps network stores from opening thousands of sockets at once. */
const WRITE_ALL_PARALLELISM = 32;

/**
 * Writes each key with its own name as the value, a few at a time.
 *
 * @param store - the store under test
 * @param keys - the keys to write
 */
export async function writeAll(store: ObjectStore, keys: readonly string[]): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      await store.write(key, utf8Encode(key));
    }
  };
  await Promise.all(Array.from({ length: WRITE_ALL_PARALLELISM }, writer));
}
