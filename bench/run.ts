/**
 * Runs every benchmark and prints its figures. Pass section names to run only those, for
 * example `pnpm bench crypto`.
 *
 * @module
 */

import { benchCrypto } from './crypto.bench.js';
import { benchIdentity } from './identity.bench.js';
import { benchLedger } from './ledger.bench.js';
import { benchRuntime } from './runtime.bench.js';
import { benchS3 } from './s3.bench.js';
import { benchStore } from './store.bench.js';

/**
 * The sections in the order they run. The ledger's disk figures are judged against targets, so
 * it runs before the sections that fill a disk with thousands of files and remove them: on ext4
 * without a journal, new files are slower to create for a while after many were removed.
 */
const SECTIONS: Record<string, () => Promise<void>> = {
  crypto: benchCrypto,
  identity: benchIdentity,
  runtime: benchRuntime,
  ledger: benchLedger,
  s3: benchS3,
  store: benchStore,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  console.error(
    `unknown bench sections: ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`,
  );
  process.exit(2);
}

console.log(`Acquire benchmarks on Node ${process.version}, ${process.platform}/${process.arch}`);
for (const [name, run] of Object.entries(SECTIONS)) {
  if (wanted.length === 0 || wanted.includes(name)) {
    await run();
  }
}
