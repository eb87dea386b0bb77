import {
  AcquireError,
  ErrorCode,
  listAllKeys,
  OBJECT_FRAME_TOMBSTONE_BYTES,
  utf8Decode,
  utf8Encode,
} from '@acquire/core';
import {
  CONFORMANCE_RACERS,
  raceWriteIfAbsent,
  runCasIncrements,
  runObjectStoreConformance,
} from '@acquire/core/testing';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConditionalProxy, startConditionalProxy } from '../test/conditional-proxy.js';
import { createS3rverClient, type S3rverServer, startS3rver } from '../test/s3rver-server.js';
import { freshPrefix, rawListing } from '../test/store-fixtures.js';
import { CONFLICT_ATTEMPTS_MAX } from './s3-objects.js';
import { createS3Store, type S3Store } from './s3-store.js';

/**
 * Listing goes through the same code as in the s3rver suite, which lists 1,100 keys across an S3
 * page boundary; here a few pages of 100 are enough, and every write through the proxy is slow.
 */
const LISTING_KEY_COUNT = 150;

/** Racing compare-and-swap loops: the proxy serialises each key, so fewer than the suite's 16. */
const CAS_WORKERS = 6;

/** Increments per loop, for a count of 60 that must come out exact. */
const CAS_INCREMENTS = 10;

/** Racing conditional deletes of one version: exactly one may win. */
const DELETE_RACERS = 16;

let server: S3rverServer;
let withoutDeletes: ConditionalProxy;
let withDeletes: ConditionalProxy;

beforeAll(async () => {
  server = await startS3rver();
  withoutDeletes = await startConditionalProxy(server, { conditionalDeletes: false });
  withDeletes = await startConditionalProxy(server, { conditionalDeletes: true });
});

afterAll(async () => {
  await withoutDeletes?.close();
  await withDeletes?.close();
  await server?.stop();
});

function storeBehind(proxy: ConditionalProxy, label = 'conditional'): S3Store {
  return createS3Store({
    bucket: server.bucket,
    prefix: freshPrefix(label),
    client: createS3rverClient(proxy.endpoint),
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

// Every write through the proxy costs several s3rver requests, so the racing cases run below
// with fewer racers instead of the suite's 16 loops of 25 increments.
runObjectStoreConformance({
  name: 's3 on a server with conditional writes but not conditional deletes (tombstones)',
  create: () => storeBehind(withoutDeletes),
  concurrency: false,
  listingKeyCount: LISTING_KEY_COUNT,
});

runObjectStoreConformance({
  name: 's3 on a server with conditional writes and conditional deletes',
  create: () => storeBehind(withDeletes),
  concurrency: false,
  listingKeyCount: LISTING_KEY_COUNT,
});

describe.each([
  ['without conditional deletes', () => withoutDeletes],
  ['with conditional deletes', () => withDeletes],
])('s3 racing conditional requests on a server %s', (_, proxy) => {
  it(`lets exactly one of ${CONFORMANCE_RACERS} racing write-if-absent calls win`, async () => {
    const store = storeBehind(proxy());
    const race = await raceWriteIfAbsent(store, 'race/key', CONFORMANCE_RACERS);

    expect(race.winners).toBe(1);
    const stored = await store.read('race/key');
    expect(utf8Decode(stored?.value ?? new Uint8Array())).toBe(race.winningValues[0]);
  });

  it(`counts exactly ${CAS_WORKERS * CAS_INCREMENTS} racing CAS increments`, async () => {
    const store = storeBehind(proxy());
    const acknowledged = await runCasIncrements(store, 'race/counter', CAS_WORKERS, CAS_INCREMENTS);

    expect(acknowledged).toBe(CAS_WORKERS * CAS_INCREMENTS);
    const stored = await store.read('race/counter');
    expect(utf8Decode(stored?.value ?? new Uint8Array())).toBe(String(acknowledged));
  });

  it(`lets exactly one of ${DELETE_RACERS} racing conditional deletes win`, async () => {
    const store = storeBehind(proxy());
    const version = await store.write('race/delete', utf8Encode('x'));

    const outcomes = await Promise.allSettled(
      Array.from({ length: DELETE_RACERS }, () =>
        store.delete('race/delete', { ifVersion: version }),
      ),
    );

    const refused = outcomes.filter(
      (outcome) =>
        outcome.status === 'rejected' &&
        AcquireError.is(outcome.reason, ErrorCode.PRECONDITION_FAILED),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(DELETE_RACERS - 1);
    expect(await store.read('race/delete')).toBeUndefined();
  });
});

describe('s3 capability check on servers with conditional writes', () => {
  it('finds conditional writes and deletes where both are honoured', async () => {
    const store = storeBehind(withDeletes);

    expect(await store.checkCapabilities()).toEqual({
      conditionalWrites: true,
      conditionalDeletes: true,
      missing: [],
    });
    expect(store.capabilities.atomicConditionalWrites).toBe(true);
    expect(await rawListing(server.client, server.bucket, `${store.prefix}/`)).toEqual([]);
  });

  it('runs without conditional deletes and names them as missing', async () => {
    const store = storeBehind(withoutDeletes);
    const support = await store.checkCapabilities();

    expect(support).toMatchObject({ conditionalWrites: true, conditionalDeletes: false });
    expect(support.missing).toEqual([expect.stringMatching(/If-Match on DeleteObject/)]);
  });
});

describe('s3 conditional deletes by tombstone', () => {
  it('leaves a tombstone that reads as absent, lists as nothing, may be claimed', async () => {
    const store = storeBehind(withoutDeletes);
    const version = await store.write('names/alice', utf8Encode('first'));
    await store.write('names/bob', utf8Encode('bob'));

    await store.delete('names/alice', { ifVersion: version });

    const raw = await rawListing(server.client, server.bucket, `${store.prefix}/names/alice`);
    expect(raw).toEqual([
      { key: `${store.prefix}/names/alice`, size: OBJECT_FRAME_TOMBSTONE_BYTES },
    ]);
    expect(await store.read('names/alice')).toBeUndefined();
    expect(await listAllKeys(store, 'names')).toEqual(['names/bob']);
    await expect(
      store.writeIfVersion('names/alice', utf8Encode('x'), version),
    ).rejects.toMatchObject({ code: ErrorCode.PRECONDITION_FAILED });
    await expect(store.delete('names/alice', { ifVersion: version })).rejects.toMatchObject({
      code: ErrorCode.PRECONDITION_FAILED,
    });

    const again = await store.writeIfAbsent('names/alice', utf8Encode('second'));
    const read = await store.read('names/alice');
    expect(read?.version).toBe(again);
    expect(utf8Decode(read?.value ?? new Uint8Array())).toBe('second');
  });

  it('removes a tombstone with an unconditional delete', async () => {
    const store = storeBehind(withoutDeletes);
    const version = await store.write('gone/key', utf8Encode('x'));
    await store.delete('gone/key', { ifVersion: version });

    await store.delete('gone/key');

    expect(await rawListing(server.client, server.bucket, `${store.prefix}/`)).toEqual([]);
  });

  it('deletes the object itself where the server honours conditional deletes', async () => {
    const store = storeBehind(withDeletes);
    const version = await store.write('gone/key', utf8Encode('x'));

    await store.delete('gone/key', { ifVersion: version });

    const head = await caught(
      server.client.send(
        new HeadObjectCommand({ Bucket: server.bucket, Key: `${store.prefix}/gone/key` }),
      ),
    );
    expect(head).toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });
});

describe('s3 conditional writes whose answer was lost', () => {
  it('reports a write-if-absent as done when its retried request finds its own write', async () => {
    const store = storeBehind(withDeletes);
    await store.checkCapabilities();

    withDeletes.dropAnswers(1);
    const version = await store.writeIfAbsent('lost/absent', utf8Encode('mine'));

    expect((await store.read('lost/absent'))?.version).toBe(version);
  });

  it('reports a write-if-version done when its retried request finds its own write', async () => {
    const store = storeBehind(withDeletes);
    const first = await store.write('lost/cas', utf8Encode('1'));

    withDeletes.dropAnswers(1);
    const second = await store.writeIfVersion('lost/cas', utf8Encode('2'), first);

    const read = await store.read('lost/cas');
    expect(read?.version).toBe(second);
    expect(utf8Decode(read?.value ?? new Uint8Array())).toBe('2');
  });

  it('reports a tombstone delete done when its retry finds its own tombstone', async () => {
    const store = storeBehind(withoutDeletes);
    const version = await store.write('lost/delete', utf8Encode('x'));

    withoutDeletes.dropAnswers(1);
    await store.delete('lost/delete', { ifVersion: version });

    expect(await store.read('lost/delete')).toBeUndefined();
  });
});

describe('s3 conditional writes meeting 409 conflicts', () => {
  it('retries a conflicting write until it goes through', async () => {
    const store = storeBehind(withDeletes);
    await store.checkCapabilities();

    withDeletes.injectConflicts(CONFLICT_ATTEMPTS_MAX - 1);
    const version = await store.writeIfAbsent('conflict/key', utf8Encode('x'));

    expect((await store.read('conflict/key'))?.version).toBe(version);
  });

  it('gives up after a bounded number of conflicts and writes nothing', async () => {
    const store = storeBehind(withDeletes);
    await store.checkCapabilities();

    withDeletes.injectConflicts(CONFLICT_ATTEMPTS_MAX);
    const error = await caught(store.writeIfAbsent('conflict/key', utf8Encode('x')));

    expect(AcquireError.is(error, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
    expect((error as Error).message).toMatch(/ConditionalRequestConflict \(HTTP 409\)/);
    expect(await store.read('conflict/key')).toBeUndefined();
  });
});
