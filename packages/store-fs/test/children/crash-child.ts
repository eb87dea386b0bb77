/**
 * A child process for the crash test: it adds 1 to a counter with compare-and-swap and reports
 * each acknowledged count on stdout (a pipe, written synchronously), and in between rewrites
 * larger records and claims and releases a key, until the test kills it.
 *
 * @module
 */

import { encodeJson, updateJson } from '@acquire/core';
import { createFsStore } from '../../src/index.js';

/** The test kills the child long before it gets this far. */
const ITERATIONS_MAX = 1_000_000;

/** Large records take long enough to write that some kills land in the middle of one. */
const PADDING = 'x'.repeat(256 * 1024);

/** A few records rewritten in turn. */
const BLOBS = 4;

const [root] = process.argv.slice(2) as [string];
const store = createFsStore({ root });
await store.read('crash/counter');
process.stdout.write('ready\n');

for (let iteration = 0; iteration < ITERATIONS_MAX; iteration++) {
  const count = await updateJson<number>(store, 'crash/counter', (current) => (current ?? 0) + 1);
  process.stdout.write(`ack ${count}\n`);
  await store.write(`crash/blobs/${iteration % BLOBS}`, encodeJson({ count, padding: PADDING }));
  const claim = await store.writeIfAbsent(`crash/claims/${count}`, encodeJson({ count }));
  await store.delete(`crash/claims/${count}`, { ifVersion: claim });
}
