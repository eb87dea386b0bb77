import {
  AcquireError,
  ErrorCode,
  listAllKeys,
  OBJECT_FRAME_HEADER_BYTES,
  utf8Decode,
  utf8Encode,
} from '@acquire/core';
import { runObjectStoreConformance } from '@acquire/core/testing';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, type S3rverServer, startS3rver } from '../test/s3rver-server.js';
import { createRecordingLogger, freshPrefix, rawListing } from '../test/store-fixtures.js';
import { createS3Store, type S3Store, VERSION_LENGTH_MAX_CHARS } from './s3-store.js';
import type { S3StoreOptions } from './s3-store-options.js';

/** Over one 1,000-key S3 page, so listings cross a page boundary, yet quick on s3rver. */
const LISTING_KEY_COUNT = 1100;

let server: S3rverServer;

beforeAll(async () => {
  server = await startS3rver();
});

afterAll(async () => {
  await server?.stop();
});

function s3rverStore(options: Partial<S3StoreOptions> = {}): S3Store {
  return createS3Store({
    bucket: server.bucket,
    prefix: freshPrefix('store'),
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    ...options,
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

runObjectStoreConformance({
  name: 's3 on s3rver, which ignores conditional writes (unsafe opt-out, no concurrency)',
  create: () => s3rverStore({ unsafeAllowNonConditionalServer: true }),
  concurrency: false,
  listingKeyCount: LISTING_KEY_COUNT,
});

describe('s3 store on a server that ignores conditional writes', () => {
  it('refuses every operation with STORE_UNSUPPORTED naming the missing features', async () => {
    const store = s3rverStore();
    const value = utf8Encode('x');

    const refusal = await caught(store.checkCapabilities());
    expect(AcquireError.is(refusal, ErrorCode.STORE_UNSUPPORTED)).toBe(true);
    expect((refusal as Error).message).toMatch(/If-None-Match: \* on PutObject/);
    expect((refusal as Error).message).toMatch(/If-Match on PutObject/);
    const operations = [
      () => store.read('a/key'),
      () => store.write('a/key', value),
      () => store.writeIfAbsent('a/key', value),
      () => store.writeIfVersion('a/key', value, '"etag"'),
      () => store.delete('a/key'),
      () => store.delete('a/key', { ifVersion: '"etag"' }),
      () => store.listPage(''),
    ];
    for (const operation of operations) {
      expect(AcquireError.is(await caught(operation()), ErrorCode.STORE_UNSUPPORTED)).toBe(true);
    }
    expect(await rawListing(server.client, server.bucket, `${store.prefix}/`)).toEqual([]);
  });

  it('runs with the opt-out, says its writes are not atomic, and warns', async () => {
    const logger = createRecordingLogger();
    const store = s3rverStore({ unsafeAllowNonConditionalServer: true, logger });

    expect(store.capabilities.atomicConditionalWrites).toBe(false);
    const support = await store.checkCapabilities();

    expect(support).toMatchObject({ conditionalWrites: false, conditionalDeletes: false });
    expect(support.missing.length).toBeGreaterThanOrEqual(3);
    expect(store.capabilities).toEqual({
      atomicConditionalWrites: false,
      durable: true,
      sharedAcrossProcesses: true,
    });
    expect(logger.lines.map((line) => line.level)).toEqual(['warn']);
  });

  it('claims atomic conditional writes when it will refuse to run without them', () => {
    expect(s3rverStore().capabilities.atomicConditionalWrites).toBe(true);
  });
});

describe('s3 store keys and bodies', () => {
  it('keeps stores with different prefixes in one bucket apart', async () => {
    const left = s3rverStore({ prefix: 'tenants/left', unsafeAllowNonConditionalServer: true });
    const right = s3rverStore({ prefix: 'tenants/right', unsafeAllowNonConditionalServer: true });

    await left.write('shared/key', utf8Encode('left'));
    await right.write('shared/key', utf8Encode('right'));
    await left.write('left/only', utf8Encode('left'));
    await right.delete('shared/key');

    expect(utf8Decode((await left.read('shared/key'))?.value ?? new Uint8Array())).toBe('left');
    expect(await right.read('shared/key')).toBeUndefined();
    expect(await right.read('left/only')).toBeUndefined();
    expect(await listAllKeys(left, '')).toEqual(['left/only', 'shared/key']);
    expect(await listAllKeys(right, '')).toEqual([]);
    const raw = await rawListing(server.client, server.bucket, 'tenants/');
    expect(raw.map((entry) => entry.key).sort()).toEqual([
      'tenants/left/left/only',
      'tenants/left/shared/key',
    ]);
  });

  it('reports a tampered, truncated or foreign object as CORRUPT_RECORD', async () => {
    const store = s3rverStore({ unsafeAllowNonConditionalServer: true });
    await store.write('records/tampered', utf8Encode('the value'));
    await store.write('records/truncated', utf8Encode('the value'));
    const stored = await rawBody(store, 'records/tampered');

    const tampered = stored.slice();
    tampered[OBJECT_FRAME_HEADER_BYTES] = (tampered[OBJECT_FRAME_HEADER_BYTES] ?? 0) ^ 0x01;
    await putRaw(store, 'records/tampered', tampered);
    await putRaw(store, 'records/truncated', stored.subarray(0, OBJECT_FRAME_HEADER_BYTES - 1));
    await putRaw(store, 'records/foreign', utf8Encode('{"plain": "json"}'));

    for (const key of ['records/tampered', 'records/truncated', 'records/foreign']) {
      const error = await caught(store.read(key));
      expect(AcquireError.is(error, ErrorCode.CORRUPT_RECORD), key).toBe(true);
    }
  });

  it('gives identical values written twice different versions', async () => {
    const store = s3rverStore({ unsafeAllowNonConditionalServer: true });
    const first = await store.write('same/value', utf8Encode('same'));
    const second = await store.write('same/value', utf8Encode('same'));

    expect(second).not.toBe(first);
    await expect(store.writeIfVersion('same/value', utf8Encode('x'), first)).rejects.toMatchObject({
      code: ErrorCode.PRECONDITION_FAILED,
    });
  });
});

describe('s3 store failures', () => {
  it('reports an unreachable server as STORE_UNAVAILABLE, naming no credentials', async () => {
    const secretAccessKey = 'very-secret-access-key';
    const store = createS3Store({
      bucket: 'acquire',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'the-access-key', secretAccessKey },
    });

    const error = await caught(store.read('some/key'));

    expect(AcquireError.is(error, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
    expect((error as Error).cause).toBeDefined();
    expect((error as Error).message).not.toContain(secretAccessKey);
    expect((error as Error).message).not.toContain('the-access-key');
  });

  it('probes again after an unreachable server, instead of remembering the failure', async () => {
    const store = s3rverStore({
      endpoint: 'http://127.0.0.1:9',
      unsafeAllowNonConditionalServer: true,
    });

    const first = await caught(store.checkCapabilities());
    const second = await caught(store.checkCapabilities());

    expect(AcquireError.is(first, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
    expect(AcquireError.is(second, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
    expect(second).not.toBe(first);
  });
});

describe('s3 store pre-signed URLs', () => {
  it('lets a client without credentials PUT and GET one object', async () => {
    const store = s3rverStore({ unsafeAllowNonConditionalServer: true });
    const upload = await store.presignUrl('uploads/avatar', { method: 'PUT', expiresInS: 60 });
    const download = await store.presignUrl('uploads/avatar', { method: 'GET' });

    const put = await fetch(upload, { method: 'PUT', body: 'picture bytes' });
    const got = await fetch(download);

    expect(put.status).toBe(200);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('picture bytes');
    expect(new URL(download).searchParams.get('X-Amz-Expires')).toBe('900');
  });

  it('dates a URL when told to, so that it ends at a set time on the server', async () => {
    const store = s3rverStore({ unsafeAllowNonConditionalServer: true });
    const hourAgoMs = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const ended = await store.presignUrl('dated/object', {
      method: 'PUT',
      expiresInS: 60,
      signedAtMs: hourAgoMs,
    });

    const put = await fetch(ended, { method: 'PUT', body: 'late bytes' });

    expect(put.status).toBe(403);
    expect(new URL(ended).searchParams.get('X-Amz-Date')).toBe(
      new Date(hourAgoMs).toISOString().replace(/[-:]|\.\d{3}/g, ''),
    );
    expect(await rawListing(server.client, server.bucket, `${store.prefix}/`)).toEqual([]);
  });

  it('refuses bad keys, methods, lifetimes and signing times', async () => {
    const store = s3rverStore();
    const cases: [() => Promise<unknown>, string][] = [
      [() => store.presignUrl('bad//key', { method: 'GET' }), ErrorCode.INVALID_KEY],
      [() => store.presignUrl('key', { method: 'POST' as 'GET' }), ErrorCode.INVALID_ARGUMENT],
      [() => store.presignUrl('key', { method: 'GET', expiresInS: 0 }), ErrorCode.INVALID_ARGUMENT],
      [
        () => store.presignUrl('key', { method: 'GET', expiresInS: 1.5 }),
        ErrorCode.INVALID_ARGUMENT,
      ],
      [
        () => store.presignUrl('key', { method: 'PUT', expiresInS: 604_801 }),
        ErrorCode.INVALID_ARGUMENT,
      ],
      [
        () => store.presignUrl('key', { method: 'GET', signedAtMs: -1 }),
        ErrorCode.INVALID_ARGUMENT,
      ],
      [
        () => store.presignUrl('key', { method: 'GET', signedAtMs: 1.5 }),
        ErrorCode.INVALID_ARGUMENT,
      ],
    ];
    for (const [attempt, code] of cases) {
      expect(AcquireError.is(await caught(attempt()), code)).toBe(true);
    }
  });
});

async function rawBody(store: S3Store, key: string): Promise<Uint8Array> {
  const response = await server.client.send(
    new GetObjectCommand({ Bucket: server.bucket, Key: `${store.prefix}/${key}` }),
  );
  return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
}

async function putRaw(store: S3Store, key: string, body: Uint8Array): Promise<void> {
  await server.client.send(
    new PutObjectCommand({ Bucket: server.bucket, Key: `${store.prefix}/${key}`, Body: body }),
  );
}

describe('s3 store bad input', () => {
  it('refuses malformed values, versions and listing starts, and writes nothing', async () => {
    const store = s3rverStore({ unsafeAllowNonConditionalServer: true });
    const version = await store.write('kept/key', utf8Encode('kept'));
    const before = await rawListing(server.client, server.bucket, `${store.prefix}/`);
    const badValue = fc.anything().filter((value) => !(value instanceof Uint8Array));
    const badVersion = fc.oneof(
      fc.anything().filter((value) => typeof value !== 'string' && value !== undefined),
      fc.constantFrom(
        '',
        ' "etag"',
        '"a b"',
        'tab\t',
        'é',
        'x'.repeat(VERSION_LENGTH_MAX_CHARS + 1),
      ),
    );

    const badStart = fc.oneof(
      fc.anything().filter((value) => typeof value !== 'string' && value !== undefined),
      fc.constant('lone\ud800surrogate'),
    );

    await fc.assert(
      fc.asyncProperty(badValue, badVersion, badStart, async (value, bad, start) => {
        const attempts = [
          () => store.write('kept/key', value as Uint8Array),
          () => store.writeIfAbsent('new/key', value as Uint8Array),
          () => store.writeIfVersion('kept/key', value as Uint8Array, version),
          () => store.writeIfVersion('kept/key', utf8Encode('x'), bad as string),
          () => store.delete('kept/key', { ifVersion: bad as string }),
          () => store.listPage('kept', { startAfter: start as string }),
        ];
        for (const attempt of attempts) {
          const error = await caught(attempt());
          expect(AcquireError.is(error, ErrorCode.INVALID_ARGUMENT), String(error)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );

    expect(await rawListing(server.client, server.bucket, `${store.prefix}/`)).toEqual(before);
    expect((await store.read('kept/key'))?.version).toBe(version);
  });
});
