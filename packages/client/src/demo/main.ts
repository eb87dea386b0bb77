/**
 * `pnpm demo`: runs the demo in a fresh temporary directory, removes it afterwards and exits 0
 * when every step worked.
 *
 * @module
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFailure } from '../cli/cli-io.js';
import { runDemo } from './run-demo.js';

const dataDirectory = await mkdtemp(join(tmpdir(), 'acquire-demo-'));
const started = Date.now();

try {
  console.log('Acquire demo: a real deployment on this machine, two users, money moving.');
  await runDemo({ dataDirectory, write: (line) => console.log(line) });
  console.log(`\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  console.error(`\nDemo failed: ${describeFailure(error)}`);
  process.exitCode = 1;
} finally {
  await rm(dataDirectory, { recursive: true, force: true });
}
