/**
 * S3 adapter figures against s3rver, a local S3-protocol test server that this section starts
 * itself: sequential writes and reads of 1 KiB values, and listing 10,000 keys.
 *
 * @module
 */

import { listAllKeys, randomBytes, utf8Encode } from '@acquire/core';
import { createS3Store } from '@acquire/store-s3';
import { S3RVER_CREDENTIALS, startS3rver } from '../packages/store-s3/test/s3rver-server.js';
import { measure, section } from './measure.js';

const VALUE_BYTES = 1024;

/** Ten full S3 listing pages. */
const LISTING_KEY_COUNT = 10_000;

/** Parallel writers while filling the listing prefix; s3rver handles a few dozen at once. */
const FILL_PARALLELISM = 32;

/** Listing 10,000 keys takes seconds, so it gets a longer window than the default second. */
const LISTING_DURATION_MS = 5000;

/** Runs the S3 benchmarks. */
export async function benchS3(): Promise<void> {
  section('s3 adapter on a local s3rver (1 KiB values, one request at a time)');
  console.log(
    '  caveat: these figures measure the adapter against s3rver on this machine, not Amazon S3.\n' +
      '  On S3 every request is a network round trip of tens of milliseconds; throughput there\n' +
      '  comes from running many requests in parallel. s3rver ignores conditional writes, so\n' +
      '  the store runs with unsafeAllowNonConditionalServer here.',
  );
  const server = await startS3rver('acquire-bench');
  try {
    const store = createS3Store({
      bucket: server.bucket,
      prefix: 'bench',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      unsafeAllowNonConditionalServer: true,
    });
    await store.checkCapabilities();
    const value = randomBytes(VALUE_BYTES);
    let written = 0;

    await measure('write', () => store.write(`values/${written++ % 100}`, value));
    await measure('read', () => store.read(`values/${written % 100}`));

    const keys = Array.from({ length: LISTING_KEY_COUNT }, (_, i) => `list/${i}`);
    const fillStarted = performance.now();
    await fill(keys, (key) => store.write(key, utf8Encode(key)));
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    console.log(
      `  filled ${LISTING_KEY_COUNT} keys with ${FILL_PARALLELISM} parallel writers: ` +
        `${(LISTING_KEY_COUNT / fillSeconds).toFixed(0)} writes/s`,
    );
    const listing = await measure(
      `list ${LISTING_KEY_COUNT} keys (pages of 1,000)`,
      async () => {
        const listed = await listAllKeys(store, 'list');
        if (listed.length !== LISTING_KEY_COUNT) {
          throw new Error(`listed ${listed.length} keys, expected ${LISTING_KEY_COUNT}`);
        }
      },
      LISTING_DURATION_MS,
    );
    console.log(`  that is ${(listing.perSecond * LISTING_KEY_COUNT).toFixed(0)} keys listed/s`);
  } finally {
    await server.stop();
  }
}

async function fill(keys: readonly string[], write: (key: string) => Promise<unknown>) {
  let next = 0;
  const writer = async () => {
    while (next < keys.length) {
      await write(keys[next++] as string);
    }
  };
  await Promise.all(Array.from({ length: FILL_PARALLELISM }, writer));
}
