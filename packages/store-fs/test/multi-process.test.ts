import { utf8Decode } from '@acquire/core';
import {
  CONFORMANCE_CAS_INCREMENTS,
  CONFORMANCE_CAS_WORKERS,
  CONFORMANCE_RACERS,
} from '@acquire/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createFsStore } from '../src/index.js';
import { type LineChild, spawnTypeScriptChild } from './child-process.js';
import { removeTemporaryRoots, scratchRoot } from './temporary-root.js';

afterAll(removeTemporaryRoots);

const CHILDREN = 4;
const ROUNDS = 20;

/** Every child gets its task this long before the common start, so they begin together. */
const START_DELAY_MS = 40;

interface RoundResult {
  readonly round: number;
  readonly winners: number;
  readonly winningValues: readonly string[];
  readonly acknowledged: number;
}

describe('fs store shared by several processes', () => {
  it(`keeps conditional writes exclusive in ${CHILDREN} processes, ${ROUNDS} rounds`, async () => {
    const root = await scratchRoot();
    const children: LineChild[] = Array.from({ length: CHILDREN }, (_, index) =>
      spawnTypeScriptChild('./children/race-child.ts', [root, `process-${index}`]),
    );
    const store = createFsStore({ root });

    try {
      for (const child of children) {
        expect(await child.nextLine()).toBe('ready');
      }
      for (let round = 0; round < ROUNDS; round++) {
        const startAtMs = Date.now() + START_DELAY_MS;
        const task = JSON.stringify({
          round,
          racers: CONFORMANCE_RACERS / CHILDREN,
          workers: CONFORMANCE_CAS_WORKERS / CHILDREN,
          increments: CONFORMANCE_CAS_INCREMENTS,
          startAtMs,
        });
        for (const child of children) {
          child.send(task);
        }
        const results = await Promise.all(
          children.map(async (child) => JSON.parse(await child.nextLine()) as RoundResult),
        );

        const winningValues = results.flatMap((result) => result.winningValues);
        expect(winningValues, `round ${round}`).toHaveLength(1);
        const claim = await store.read(`rounds/${round}/claim`);
        expect(utf8Decode(claim?.value ?? new Uint8Array())).toBe(winningValues[0]);

        const total = CONFORMANCE_CAS_WORKERS * CONFORMANCE_CAS_INCREMENTS;
        expect(results.reduce((sum, result) => sum + result.acknowledged, 0)).toBe(total);
        const counter = await store.read(`rounds/${round}/counter`);
        expect(utf8Decode(counter?.value ?? new Uint8Array()), `round ${round}`).toBe(
          String(total),
        );
      }
    } finally {
      for (const child of children) {
        child.process.stdin?.end();
      }
      await Promise.all(children.map((child) => child.exited));
    }
  }, 120_000);
});
