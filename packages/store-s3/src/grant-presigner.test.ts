import {
  AcquireError,
  base64UrlDecode,
  base64UrlEncode,
  type CallResult,
  callFunction,
  createAccessService,
  createManualClock,
  createMemoryStore,
  decodeObjectFrame,
  ErrorCode,
  encodeValueFrame,
  type FetchFunction,
  type GrantClaims,
  type ManualClock,
  openGrantSigningKey,
  randomBytes,
  SCRYPT_LOG_N_MIN,
  type ServiceHandler,
  type SigningKeyPair,
  signGrant,
  utf8Encode,
} from '@acquire/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConditionalProxy, startConditionalProxy } from '../test/conditional-proxy.js';
import { createS3rverClient, type S3rverServer, startS3rver } from '../test/s3rver-server.js';
import { freshPrefix, rawListing } from '../test/store-fixtures.js';
import { createS3GrantPresigner, objectUrlTiming } from './grant-presigner.js';
import { PRESIGNED_URL_EXPIRY_S_MAX } from './presign.js';
import { createS3Store, type S3Store } from './s3-store.js';

const ACCESS_URL = 'https://access.test';
const SERVICE_PASSWORD = 'service password for the presigner tests';
const ADMIN_PASSWORD = 'admin password for the presigner tests';

/** Ten minutes: long enough for every request of a test, on any machine. */
const GRANT_LIFETIME_MS = 10 * 60_000;

/** How far back the clock goes to make URLs that the server already finds expired. */
const PAST_MS = 30 * 60_000;

/** Seven days, SigV4's longest URL lifetime, in ms. */
const SIGV4_LIFETIME_MS_MAX = PRESIGNED_URL_EXPIRY_S_MAX * 1000;

let server: S3rverServer;
let proxy: ConditionalProxy;
let storage: S3Store;
let clock: ManualClock;
let access: ServiceHandler;
let grantKeys: SigningKeyPair;
let fetchAccess: FetchFunction;

beforeAll(async () => {
  server = await startS3rver();
  proxy = await startConditionalProxy(server, { conditionalDeletes: true });
  storage = createS3Store({
    bucket: server.bucket,
    prefix: freshPrefix('grants'),
    client: createS3rverClient(proxy.endpoint),
  });
  clock = createManualClock(Date.now());

  const options = {
    url: ACCESS_URL,
    store: createMemoryStore(),
    servicePassword: SERVICE_PASSWORD,
    scryptLogN: SCRYPT_LOG_N_MIN,
    clock,
  };
  access = await createAccessService({
    ...options,
    storage,
    presigner: createS3GrantPresigner(storage, { clock }),
  });
  fetchAccess = async (input, init) => access(new Request(input, init));
  await call('setup', { password: ADMIN_PASSWORD });
  grantKeys = await openGrantSigningKey(options);
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

function call<T extends CallResult>(
  name: string,
  args: Record<string, unknown>,
  sealReply = true,
): Promise<T> {
  return callFunction<T>(ACCESS_URL, name, args, { fetchImpl: fetchAccess, clock, sealReply });
}

/** Signs a grant as `request_bucket` would, without an identity service. */
function grantFor(
  mode: GrantClaims['mode'],
  lifetimeMs = GRANT_LIFETIME_MS,
): GrantClaims & {
  token: string;
} {
  const claims: GrantClaims = {
    grantId: base64UrlEncode(randomBytes(16)),
    userUid: 'alice',
    prefix: 'buckets/alice',
    mode,
    issuedAtMs: clock.now(),
    expiresAtMs: clock.now() + lifetimeMs,
  };
  return { ...claims, token: signGrant(claims, grantKeys.secretKey) };
}

/** What `presign_object` answers, as a type `callFunction` takes. */
type PresignedUrlReply = { url: string; method: string; expiresAtMs: number };

function presign(grant: string, key: string, method: 'GET' | 'PUT'): Promise<PresignedUrlReply> {
  return call<PresignedUrlReply>('presign_object', { grant, key, method });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : `not an AcquireError: ${String(error)}`;
  }
}

function objectListing() {
  return rawListing(server.client, server.bucket, `${storage.prefix}/`);
}

describe('presign_object on S3', () => {
  it('signs a PUT URL whose framed upload the store and read_object both read', async () => {
    const grant = grantFor('read_write');
    const value = utf8Encode('uploaded straight to S3');

    const signed = await presign(grant.token, 'photos/cat', 'PUT');
    const { body } = await encodeValueFrame(value);
    const upload = await fetch(signed.url, { method: 'PUT', body });

    expect(upload.status).toBe(200);
    expect(signed.method).toBe('PUT');
    expect(signed.expiresAtMs).toBeLessThanOrEqual(grant.expiresAtMs);
    expect(signed.expiresAtMs).toBeGreaterThan(grant.expiresAtMs - 1000);
    expect(new URL(signed.url).pathname).toBe(
      `/${server.bucket}/${storage.prefix}/buckets/alice/photos/cat`,
    );
    expect((await storage.read('buckets/alice/photos/cat'))?.value).toEqual(value);
    const read = await call<{ found: boolean; value: string }>('read_object', {
      grant: grant.token,
      key: 'photos/cat',
    });
    expect(base64UrlDecode(read.value)).toEqual(value);
  });

  it('signs a GET URL that downloads what write_object wrote, for read grants too', async () => {
    const writer = grantFor('read_write');
    const reader = grantFor('read');
    const value = randomBytes(4096);
    await call('write_object', {
      grant: writer.token,
      key: 'docs/report',
      value: base64UrlEncode(value),
    });

    for (const grant of [writer, reader]) {
      const signed = await presign(grant.token, 'docs/report', 'GET');
      const download = await fetch(signed.url);

      expect(download.status).toBe(200);
      const decoded = await decodeObjectFrame(new Uint8Array(await download.arrayBuffer()), 'x');
      expect(decoded).toEqual({ kind: 'value', value });
    }
  });

  it('refuses read grants, keys outside the prefix, the marker and expired grants', async () => {
    const writer = grantFor('read_write');
    const reader = grantFor('read');
    clock.advance(1);
    const expired = grantFor('read_write', 1000);
    clock.advance(1000);
    const before = await objectListing();
    const cases: [string, string, 'GET' | 'PUT', string][] = [
      [reader.token, 'photos/new', 'PUT', ErrorCode.GRANT_READ_ONLY],
      [writer.token, '../bob/secret', 'PUT', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writer.token, '../bob/secret', 'GET', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writer.token, '..', 'PUT', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writer.token, 'notes/../../bob/x', 'PUT', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writer.token, 'buckets/bob/x', 'GET', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writer.token, '.bucket', 'PUT', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writer.token, 'a//b', 'PUT', ErrorCode.INVALID_KEY],
      [expired.token, 'photos/new', 'PUT', ErrorCode.GRANT_EXPIRED],
      [expired.token, 'photos/cat', 'GET', ErrorCode.GRANT_EXPIRED],
    ];

    for (const [grant, key, method, code] of cases) {
      expect(await codeOf(presign(grant, key, method)), `${method} ${key}`).toBe(code);
    }
    const unsealed = call(
      'presign_object',
      { grant: writer.token, key: 'k', method: 'GET' },
      false,
    );
    expect(await codeOf(unsealed)).toBe(ErrorCode.REPLY_KEY_REQUIRED);
    expect(await objectListing()).toEqual(before);
  });

  it('makes URLs the server stops honouring when their grant ends', async () => {
    const now = clock.now();
    clock.set(now - PAST_MS);
    const grant = grantFor('read_write', 60_000);
    const put = await presign(grant.token, 'late/upload', 'PUT');
    const get = await presign(grant.token, 'photos/cat', 'GET');
    clock.set(now);
    const before = await objectListing();

    const { body } = await encodeValueFrame(utf8Encode('too late'));
    const upload = await fetch(put.url, { method: 'PUT', body });
    const download = await fetch(get.url);

    expect(put.expiresAtMs).toBeLessThanOrEqual(grant.expiresAtMs);
    expect([upload.status, download.status]).toEqual([403, 403]);
    expect(await upload.text()).toMatch(/Request has expired/);
    expect(await objectListing()).toEqual(before);
  });

  it('offers no URLs for the grant as a whole', async () => {
    const presigner = createS3GrantPresigner(storage);
    const grant = grantFor('read_write');

    expect(await presigner.presign(grant)).toEqual({});
  });
});

describe('object URL timing', () => {
  it('dates and sizes URLs to end by the wanted time, to the whole second', () => {
    const times = fc
      .tuple(
        fc.integer({ min: 1_000_000, max: 4_000_000_000_000 }),
        fc.integer({ min: -5_000, max: 2 * SIGV4_LIFETIME_MS_MAX }),
      )
      .map(([nowMs, leftMs]) => ({ nowMs, endMs: nowMs + leftMs }));

    fc.assert(
      fc.property(times, ({ nowMs, endMs }) => {
        const timing = objectUrlTiming(nowMs, endMs);

        expect(timing.expiresAtMs).toBeLessThanOrEqual(endMs);
        expect(timing.signedAtMs % 1000).toBe(0);
        expect(timing.signedAtMs).toBeLessThanOrEqual(nowMs);
        expect(timing.expiresInS).toBeGreaterThanOrEqual(1);
        expect(timing.expiresInS).toBeLessThanOrEqual(PRESIGNED_URL_EXPIRY_S_MAX);
        expect(timing.expiresAtMs).toBe(timing.signedAtMs + timing.expiresInS * 1000);
        if (endMs - nowMs >= 1000 && endMs - nowMs <= SIGV4_LIFETIME_MS_MAX) {
          expect(timing.signedAtMs).toBeGreaterThan(nowMs - 1000);
          expect(timing.expiresAtMs).toBeGreaterThan(endMs - 1000);
        }
      }),
    );
  });

  it('caps a long grant at seven days and dates a nearly ended one back', () => {
    expect(objectUrlTiming(10_000, 10_000 + 2 * SIGV4_LIFETIME_MS_MAX)).toEqual({
      signedAtMs: 10_000,
      expiresInS: PRESIGNED_URL_EXPIRY_S_MAX,
      expiresAtMs: 10_000 + SIGV4_LIFETIME_MS_MAX,
    });
    expect(objectUrlTiming(10_500, 10_900)).toEqual({
      signedAtMs: 9_000,
      expiresInS: 1,
      expiresAtMs: 10_000,
    });
  });
});
