/**
 * The concurrency cases of the object-store contract as plain functions, so that adapters can
 * also run them from several processes sharing one store.
 *
 * @module
 */

import { utf8Encode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { updateJson } from './json.js';
import type { ObjectStore } from './object-store.js';

/** The outcome of {@link raceWriteIfAbsent}. */
export interface WriteIfAbsentRace {
  /** How many racers' writes succeeded; the contract demands exactly one. */
  readonly winners: number;
  /** The value each winner wrote, for checking what the store kept. */
  readonly winningValues: readonly string[];
}

/**
 * Starts `racers` write-if-absent calls on one key at once and counts the winners.
 *
 * @param store - the store under test
 * @param key - an empty key
 * @param racers - how many concurrent writers
 * @param label - tells this caller's values apart from other processes'
 * @returns the number of winners and what they wrote
 */
export async function raceWriteIfAbsent(
  store: ObjectStore,
  key: string,
  racers: number,
  label = 'racer',
): Promise<WriteIfAbsentRace> {
  const attempts = Array.from({ length: racers }, async (_, index) => {
    const value = `${label}-${index}`;
    try {
      await store.writeIfAbsent(key, utf8Encode(value));
      return value;
    } catch (error) {
      if (AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
        return undefined;
      }
      throw error;
    }
  });

  const winningValues = (await Promise.all(attempts)).filter((value) => value !== undefined);
  return { winners: winningValues.length, winningValues };
}

/**
 * Runs `workers` concurrent loops that each add 1 to a counter `increments` times with
 * {@link incrementCounter}.
 *
 * @param store - the store under test
 * @param key - the counter's key
 * @param workers - concurrent loops
 * @param increments - increments per loop
 * @returns how many increments were acknowledged
 */
export async function runCasIncrements(
  store: ObjectStore,
  key: string,
  workers: number,
  increments: number,
): Promise<number> {
  let acknowledged = 0;
  const loops = Array.from({ length: workers }, async () => {
    for (let i = 0; i < increments; i++) {
      await incrementCounter(store, key);
      acknowledged++;
    }
  });

  await Promise.all(loops);
  return acknowledged;
}

/**
 * Adds 1 to a counter stored as a JSON number, with {@link updateJson}'s compare-and-swap loop.
 *
 * @param store - the store
 * @param key - the counter's key
 * @returns the new count
 * @throws AcquireError `PRECONDITION_FAILED` when every attempt lost a race
 */
export async function incrementCounter(store: ObjectStore, key: string): Promise<number> {
  const count = await updateJson<number>(store, key, (current) => (current ?? 0) + 1, {
    parse: parseCount,
  });
  return count as number;
}

function parseCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError('counter must be a whole number ≥ 0');
  }
  return value;
}
