import { describe, expect, it } from 'vitest';
import { AcquireError, ErrorCode } from '../errors.js';
import { requestResource } from '../service/request-resource.js';
import { readJson } from '../store/json.js';
import { listAllKeys } from '../store/listing.js';
import type { AccessPermissions } from './access-permissions.js';
import {
  createAccessTestbed,
  createHmacPresigner,
  createTestIdentity,
  snapshotStore,
  TEST_AUTHORISATION_STALE_MS,
  trustIdentities,
} from './access-testbed.test-helper.js';
import type { GrantPresigner } from './grant-presigner.js';
import { verifyGrant } from './grant-token.js';
import { requestBucket } from './request-bucket.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : 'not an AcquireError';
  }
}

const RACERS = 24;

describe('request_bucket', () => {
  it('grants read_write on the user bucket and makes the bucket once', async () => {
    const { context, clock, requestGrant, storage } = createAccessTestbed();

    const first = await requestGrant('alice', 'read_write', 10 * 60_000);
    const second = await requestGrant('alice', 'read');

    expect(first).toMatchObject({ prefix: 'buckets/alice', mode: 'read_write', created: true });
    expect(first.expiresAtMs).toBe(clock.now() + 10 * 60_000);
    expect(first.urls).toBeUndefined();
    expect(second).toMatchObject({ prefix: 'buckets/alice', mode: 'read', created: false });
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);

    const claims = verifyGrant(first.grant, { publicKey: context.grantSigner.publicKey, clock });
    expect(claims).toMatchObject({ userUid: 'alice', prefix: 'buckets/alice', mode: 'read_write' });
    expect(claims.grantId).toBe(first.grantId);
    expect(await listAllKeys(storage, '')).toEqual(['buckets/alice/.bucket']);
    expect((await readJson(storage, 'buckets/alice/.bucket'))?.value).toEqual({
      userUid: 'alice',
      identityUrl: 'https://identity.test',
      createdAtMs: clock.now(),
    });
  });

  it('makes the bucket exactly once when many requests race', async () => {
    const { requestGrant, storage } = createAccessTestbed();

    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, index) =>
        requestGrant('alice', index % 2 === 0 ? 'read' : 'read_write'),
      ),
    );

    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.grantId)).size).toBe(RACERS);
    expect(await listAllKeys(storage, '')).toEqual(['buckets/alice/.bucket']);
  });

  it('refuses a mode the permission list does not give, and writes nothing', async () => {
    const permissions: AccessPermissions = {
      rules: {
        '*': { modes: ['read'], lifetimeMsMax: 60_000 },
        bob: { modes: ['read', 'read_write'], lifetimeMsMax: 60_000 },
      },
    };
    const { requestGrant, storage } = createAccessTestbed({ permissions });

    expect(await codeOf(requestGrant('alice', 'read_write'))).toBe(ErrorCode.ACCESS_NOT_PERMITTED);
    expect(await codeOf(requestGrant('bob', 'read', 60_001))).toBe(ErrorCode.ACCESS_NOT_PERMITTED);
    expect(await listAllKeys(storage, '')).toEqual([]);
    expect((await requestGrant('alice', 'read')).mode).toBe('read');
    expect((await requestGrant('bob', 'read_write')).mode).toBe('read_write');
  });

  it('refuses authorisations that are forged, stale, replayed or signed for other arguments', async () => {
    const { context, clock, identity, storage } = createAccessTestbed();
    const args = { mode: 'read_write' } as const;
    const resource = requestResource('request_bucket', args);

    const forged = { ...identity.authorise('alice', resource), userUid: 'bob' };
    identity.authorise('bob', resource);
    expect(await codeOf(requestBucket.run({ ...args, authorisation: forged }, context))).toBe(
      ErrorCode.INVALID_SIGNATURE,
    );

    const otherArgs = identity.authorise(
      'alice',
      requestResource('request_bucket', { mode: 'read' }),
    );
    expect(await codeOf(requestBucket.run({ ...args, authorisation: otherArgs }, context))).toBe(
      ErrorCode.INVALID_SIGNATURE,
    );

    const stale = identity.authorise('alice', resource);
    clock.advance(TEST_AUTHORISATION_STALE_MS + 1);
    expect(await codeOf(requestBucket.run({ ...args, authorisation: stale }, context))).toBe(
      ErrorCode.INVALID_SIGNATURE,
    );
    expect(await listAllKeys(storage, '')).toEqual([]);

    const fresh = identity.authorise('alice', resource);
    await requestBucket.run({ ...args, authorisation: fresh }, context);
    expect(await codeOf(requestBucket.run({ ...args, authorisation: fresh }, context))).toBe(
      ErrorCode.INVALID_SIGNATURE,
    );
  });

  it('keeps a bucket for the identity service that made it', async () => {
    const testbed = createAccessTestbed();
    const other = createTestIdentity(testbed.clock, 'https://other-identity.test');
    const context = {
      ...testbed.context,
      verifyAuthorisation: trustIdentities(testbed.identity, other),
    };
    const args = { mode: 'read' } as const;
    const resource = requestResource('request_bucket', args);

    await requestBucket.run(
      { ...args, authorisation: testbed.identity.authorise('alice', resource) },
      context,
    );
    const before = await snapshotStore(testbed.storage);

    const claim = requestBucket.run(
      { ...args, authorisation: other.authorise('alice', resource) },
      context,
    );
    expect(await codeOf(claim)).toBe(ErrorCode.ACCESS_NOT_PERMITTED);
    expect(await snapshotStore(testbed.storage)).toEqual(before);
  });

  it('refuses user uids that cannot name one bucket', async () => {
    const { requestGrant, storage } = createAccessTestbed();

    for (const uid of ['alice/inner', '..', '.', '', 'x'.repeat(201)]) {
      expect(await codeOf(requestGrant(uid, 'read'))).toBe(ErrorCode.ACCESS_NOT_PERMITTED);
    }
    expect(await listAllKeys(storage, '')).toEqual([]);
  });

  it('keeps the bucket apart from service state when both share one store', async () => {
    const { context, requestGrant } = createAccessTestbed({ sharedStore: true });

    await requestGrant('alice', 'read');

    expect(context.storage).toBe(context.store);
    expect(await listAllKeys(context.store, '')).toEqual(['buckets/alice/.bucket']);
  });
});

describe('request_bucket with a presigner', () => {
  it('returns URLs the storage can check, limited to the prefix and the grant lifetime', async () => {
    const presigner = createHmacPresigner();
    const { clock, requestGrant } = createAccessTestbed({ presigner });

    const writable = await requestGrant('alice', 'read_write', 60_000);
    const readable = await requestGrant('alice', 'read', 60_000);

    expect(Object.keys(writable.urls ?? {}).sort()).toEqual(['delete', 'get', 'list', 'put']);
    expect(Object.keys(readable.urls ?? {}).sort()).toEqual(['get', 'list']);
    for (const url of Object.values(writable.urls ?? {})) {
      expect(presigner.check(url, clock.now())).toMatchObject({ prefix: 'buckets/alice' });
      const tampered = new URL(url);
      tampered.searchParams.set('prefix', 'buckets/bob');
      expect(() => presigner.check(tampered.toString(), clock.now())).toThrow(/does not verify/);
      expect(() => presigner.check(url, writable.expiresAtMs)).toThrow(/expired/);
    }
  });

  it('refuses to pass on a presigner that fails or offers writing for a read grant', async () => {
    const writesAnyway: GrantPresigner = {
      presign: async () => ({ get: 'https://s.test/g', put: 'https://s.test/p' }),
    };
    const fails: GrantPresigner = {
      presign: async () => {
        throw new Error('no credentials');
      },
    };
    const malformed = { presign: async () => ({ get: 'not a url' }) } as GrantPresigner;

    for (const presigner of [writesAnyway, fails, malformed]) {
      const { requestGrant } = createAccessTestbed({ presigner });
      expect(await codeOf(requestGrant('alice', 'read'))).toBe(ErrorCode.ACCESS_PRESIGNER_FAILED);
    }
  });
});
