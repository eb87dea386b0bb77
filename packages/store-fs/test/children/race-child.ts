/**
 * A child process for the multi-process test: for each task line on stdin it races
 * write-if-absent calls and runs compare-and-swap increments on a store shared with its
 * siblings, then prints what it saw as one JSON line.
 *
 * @module
 */

import { createInterface } from 'node:readline';
import { raceWriteIfAbsent, runCasIncrements } from '@acquire/core/testing';
import { createFsStore } from '../../src/index.js';

/** One round's work, sent by the test. */
interface RaceTask {
  readonly round: number;
  readonly racers: number;
  readonly workers: number;
  readonly increments: number;
  /** Wall-clock start, so that all children begin at the same moment. */
  readonly startAtMs: number;
}

const [root, label] = process.argv.slice(2) as [string, string];
const store = createFsStore({ root });
await store.read('warm/up');
console.log('ready');

for await (const line of createInterface({ input: process.stdin })) {
  const task = JSON.parse(line) as RaceTask;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, task.startAtMs - Date.now())));

  const [race, acknowledged] = await Promise.all([
    raceWriteIfAbsent(store, `rounds/${task.round}/claim`, task.racers, label),
    runCasIncrements(store, `rounds/${task.round}/counter`, task.workers, task.increments),
  ]);
  console.log(JSON.stringify({ round: task.round, ...race, acknowledged }));
}
