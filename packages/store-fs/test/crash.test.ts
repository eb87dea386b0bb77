import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { listAllKeys, readJson, updateJson } from '@acquire/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createFsStore } from '../src/index.js';
import { TEMP_FILE_PREFIX } from '../src/temp-files.js';
import { bundleChild, spawnBundledChild } from './child-process.js';
import { removeTemporaryRoots, scratchRoot } from './temporary-root.js';

afterAll(removeTemporaryRoots);

/**
 * About one kill in five lands while a write's temporary file exists, so the chance that all 80
 * miss every write, and the test checks no torn write, is about 0.8^80, under 1 in 10^7.
 */
const KILLS = 80;

/**
 * Each child is killed at a random moment within this long after it reports ready: long enough
 * that most kills fall after its first, slower iteration.
 */
const KILL_WINDOW_MS = 160;

/** Well under the 10 s lock lease: recovering a dead process's lock must not wait for it. */
const RECOVERY_MS_MAX = 2000;

/**
 * Counts the temporary files anywhere in the store. Call it only while no child runs: a kill that
 * lands between creating a write's temporary file and renaming or linking it leaves one more.
 */
async function temporaryFiles(root: string): Promise<number> {
  const paths = await readdir(root, { recursive: true });
  return paths.filter((path) => basename(path).startsWith(TEMP_FILE_PREFIX)).length;
}

describe('fs store after processes are killed mid-operation', () => {
  it(`loses no acknowledged increment and tears no record over ${KILLS} SIGKILLs`, async () => {
    const child = await bundleChild('./children/crash-child.ts');
    const root = await scratchRoot();
    const store = createFsStore({ root });
    let count = 0;
    let killsWithCommitInFlight = 0;
    let killsMidWrite = 0;
    let temporary = 0;

    for (let kill = 0; kill < KILLS; kill++) {
      const running = spawnBundledChild(child, [root]);
      expect(await running.nextLine()).toBe('ready');
      let acknowledged = count;
      const reading = (async () => {
        for (;;) {
          const line = await running.nextLine().catch(() => undefined);
          if (line === undefined) {
            return;
          }
          acknowledged = Number(line.slice('ack '.length));
        }
      })();

      await new Promise((resolve) => setTimeout(resolve, Math.random() * KILL_WINDOW_MS));
      running.process.kill('SIGKILL');
      expect(await running.exited).toBe('SIGKILL');
      await reading;

      const stored = (await readJson<number>(store, 'crash/counter'))?.value ?? 0;
      expect([acknowledged, acknowledged + 1], `after kill ${kill}`).toContain(stored);
      for (const key of await listAllKeys(store, 'crash')) {
        const record = await readJson<number | { count: number }>(store, key);
        const recorded = typeof record?.value === 'number' ? record.value : record?.value.count;
        expect(recorded, key).toBeLessThanOrEqual(stored);
      }
      killsWithCommitInFlight += stored - acknowledged;
      const temporaryNow = await temporaryFiles(root);
      killsMidWrite += temporaryNow > temporary ? 1 : 0;
      temporary = temporaryNow;
      count = stored;
    }

    const started = performance.now();
    expect(await updateJson<number>(store, 'crash/counter', (value) => (value ?? 0) + 1)).toBe(
      count + 1,
    );
    expect(performance.now() - started).toBeLessThan(RECOVERY_MS_MAX);
    console.log(
      `crash test: ${count} acknowledged increments; of ${KILLS} kills, ${killsMidWrite} ` +
        `landed mid-write and ${killsWithCommitInFlight} between a commit and its report`,
    );
    expect(killsMidWrite, 'kills that left a temporary file behind').toBeGreaterThan(0);
  }, 180_000);
});
