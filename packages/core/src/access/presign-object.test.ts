import { describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode } from '../crypto/encoding.js';
import { generateSigningKeyPair } from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import {
  createAccessTestbed,
  createHmacPresigner,
  snapshotStore,
} from './access-testbed.test-helper.js';
import {
  type GrantPresigner,
  PRESIGNED_URL_LENGTH_MAX_CHARS,
  type PresignedObjectUrl,
} from './grant-presigner.js';
import { signGrant, verifyGrant } from './grant-token.js';
import { presignObject } from './presign-object.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : 'not an AcquireError';
  }
}

/** A testbed with an HMAC presigner, a read_write and a read grant for alice. */
async function presigningTestbed(presigner: GrantPresigner = createHmacPresigner()) {
  const testbed = createAccessTestbed({ presigner });
  const writable = await testbed.requestGrant('alice', 'read_write', 10 * 60_000);
  const readable = await testbed.requestGrant('alice', 'read', 60_000);
  return { ...testbed, writable, readable };
}

describe('presign_object', () => {
  it('signs GET and PUT for one key under the prefix, until the grant expires', async () => {
    const presigner = createHmacPresigner();
    const { context, clock, writable, readable } = await presigningTestbed(presigner);

    const put = await presignObject.run(
      { grant: writable.grant, key: 'photos/cat', method: 'PUT' },
      context,
    );
    const get = await presignObject.run(
      { grant: readable.grant, key: 'photos/cat', method: 'GET' },
      context,
    );
    const marker = await presignObject.run(
      { grant: readable.grant, key: '.bucket', method: 'GET' },
      context,
    );

    expect(put).toMatchObject({ method: 'PUT', expiresAtMs: writable.expiresAtMs });
    expect(get).toMatchObject({ method: 'GET', expiresAtMs: readable.expiresAtMs });
    expect(presigner.checkObject(put.url, clock.now())).toEqual({
      method: 'PUT',
      key: 'buckets/alice/photos/cat',
    });
    expect(presigner.checkObject(get.url, clock.now()).method).toBe('GET');
    expect(presigner.checkObject(marker.url, clock.now()).key).toBe('buckets/alice/.bucket');
    expect(() => presigner.checkObject(put.url, writable.expiresAtMs)).toThrow(/expired/);
    expect(presigner.objectRequests[0]).toEqual({
      grantId: writable.grantId,
      userUid: 'alice',
      key: 'buckets/alice/photos/cat',
      method: 'PUT',
      expiresAtMs: writable.expiresAtMs,
    });
  });

  it('reports the expiry the presigner gives when it caps the lifetime', async () => {
    const capped: GrantPresigner = {
      presign: async () => ({}),
      presignObject: async (request) => ({
        url: 'https://storage.test/o',
        expiresAtMs: request.expiresAtMs - 5_000,
      }),
    };
    const { context, writable } = await presigningTestbed(capped);

    const signed = await presignObject.run(
      { grant: writable.grant, key: 'k', method: 'GET' },
      context,
    );

    expect(signed.expiresAtMs).toBe(writable.expiresAtMs - 5_000);
  });

  it('refuses PUT for a read grant, and out-of-scope or invalid keys, before signing', async () => {
    const presigner = createHmacPresigner();
    const { context, storage, writable, readable } = await presigningTestbed(presigner);
    const before = await snapshotStore(storage);
    const cases: [string, string, 'GET' | 'PUT', string][] = [
      [readable.grant, 'photos/cat', 'PUT', ErrorCode.GRANT_READ_ONLY],
      [readable.grant, '.bucket', 'PUT', ErrorCode.GRANT_READ_ONLY],
      [writable.grant, '.bucket', 'PUT', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writable.grant, '../bob/secret', 'GET', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writable.grant, '..', 'PUT', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writable.grant, '/buckets/bob/x', 'GET', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writable.grant, 'buckets/bob/x', 'PUT', ErrorCode.GRANT_OUT_OF_SCOPE],
      [writable.grant, '', 'GET', ErrorCode.INVALID_KEY],
      [writable.grant, 'a//b', 'PUT', ErrorCode.INVALID_KEY],
    ];

    for (const [grant, key, method, code] of cases) {
      expect(await codeOf(presignObject.run({ grant, key, method }, context)), key).toBe(code);
    }
    expect(presigner.objectRequests).toEqual([]);
    expect(await snapshotStore(storage)).toEqual(before);
  });

  it('refuses expired and forged grants', async () => {
    const { context, clock, writable } = await presigningTestbed();
    const claims = verifyGrant(writable.grant, { publicKey: context.grantSigner.publicKey, clock });
    const [header, payload, signature] = writable.grant.split('.') as [string, string, string];
    const signatureBytes = base64UrlDecode(signature);
    signatureBytes[0] = (signatureBytes[0] as number) ^ 1;
    const forgeries = [
      signGrant({ ...claims, prefix: 'buckets/bob' }, generateSigningKeyPair().secretKey),
      `${header}.${payload}.${base64UrlEncode(signatureBytes)}`,
    ];

    for (const grant of forgeries) {
      const attempt = presignObject.run({ grant, key: 'k', method: 'GET' }, context);
      expect(await codeOf(attempt)).toBe(ErrorCode.GRANT_FORGED);
    }
    clock.set(writable.expiresAtMs);
    const late = presignObject.run({ grant: writable.grant, key: 'k', method: 'PUT' }, context);
    expect(await codeOf(late)).toBe(ErrorCode.GRANT_EXPIRED);
  });

  it('refuses with ACCESS_PRESIGNING_NOT_OFFERED without a single-object presigner', async () => {
    const grantOnly: GrantPresigner = { presign: async () => ({}) };

    for (const presigner of [undefined, grantOnly]) {
      const testbed = createAccessTestbed(presigner === undefined ? {} : { presigner });
      const { grant } = await testbed.requestGrant('alice', 'read_write');
      const attempt = presignObject.run({ grant, key: 'k', method: 'GET' }, testbed.context);
      expect(await codeOf(attempt)).toBe(ErrorCode.ACCESS_PRESIGNING_NOT_OFFERED);
    }
  });

  it('refuses to pass on what a faulty presigner returns', async () => {
    const answering = (answer: unknown): GrantPresigner => ({
      presign: async () => ({}),
      presignObject: async () => answer as PresignedObjectUrl,
    });
    const longUrl = `https://storage.test/${'x'.repeat(PRESIGNED_URL_LENGTH_MAX_CHARS)}`;
    const faulty: GrantPresigner[] = [
      {
        presign: async () => ({}),
        presignObject: async () => {
          throw new Error('no credentials');
        },
      },
      answering('https://storage.test/o'),
      answering({ url: 'not a url', expiresAtMs: 0 }),
      answering({ url: longUrl, expiresAtMs: 0 }),
      answering({ url: 'https://storage.test/o', expiresAtMs: 1.5 }),
      answering({ url: 'https://storage.test/o', expiresAtMs: 0, extra: true }),
      answering({ url: 'https://storage.test/o', expiresAtMs: Number.MAX_SAFE_INTEGER }),
    ];

    for (const presigner of faulty) {
      const { context, writable } = await presigningTestbed(presigner);
      const attempt = presignObject.run(
        { grant: writable.grant, key: 'k', method: 'GET' },
        context,
      );
      expect(await codeOf(attempt)).toBe(ErrorCode.ACCESS_PRESIGNER_FAILED);
    }
  });

  it('passes on an AcquireError the presigner throws', async () => {
    const unavailable: GrantPresigner = {
      presign: async () => ({}),
      presignObject: async () => {
        throw new AcquireError(ErrorCode.STORE_UNAVAILABLE, 'could not sign');
      },
    };
    const { context, writable } = await presigningTestbed(unavailable);

    const attempt = presignObject.run({ grant: writable.grant, key: 'k', method: 'PUT' }, context);

    expect(await codeOf(attempt)).toBe(ErrorCode.STORE_UNAVAILABLE);
  });
});
