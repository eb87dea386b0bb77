import * as v from 'valibot';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addTestService,
  adminSetup,
  createTestNetwork,
  setUpAdmin,
  type TestNetwork,
} from '../../test/service-fixtures.js';
import { encodePublicKey } from '../crypto/public-key.js';
import { generateEncryptionKeyPair } from '../crypto/sealed-box.js';
import { generateSigningKeyPair } from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import type { SessionCertificate } from './authorisation-verifier.js';
import { CALL_RETRIES_MAX } from './call-function.js';
import type { FetchFunction } from './http-fetch.js';
import {
  createRemoteSessionResolver,
  SESSION_CERTIFICATE_CACHE_TTL_MS,
  SESSION_CERTIFICATE_REFRESH_AHEAD_SHARE,
} from './remote-session-resolver.js';
import { defineServiceFunction } from './service-function.js';
import { createServiceInfoCache } from './service-info-client.js';

const ID = 'http://id.test';

/** Long enough for a refresh's retries and their back-offs on a busy machine. */
const REFRESH_RETRIES_WAIT_MS = 10_000;
const BOOKS = 'http://books.test';

const certificate: SessionCertificate = {
  userUid: 'user-1',
  sessionUid: 'session-1',
  status: 'approved',
  certificate: encodePublicKey('ed25519', generateSigningKeyPair().publicKey),
  loginTimeMs: 1_000,
};

const loggedOut: SessionCertificate = {
  ...certificate,
  sessionUid: 'session-2',
  status: 'logged_out',
  logoutTimeMs: 2_000,
};

const encryptionKey = encodePublicKey('x25519', generateEncryptionKeyPair().publicKey);

/**
 * A `get_keys` like the identity service's, over known sessions: approved ones come with their
 * encryption key, logged-out ones without.
 */
const getKeys = defineServiceFunction(
  'get_keys',
  v.object({ userUid: v.string(), sessionUid: v.string() }),
  async (args) => {
    if (args.sessionUid === 'never-approved') {
      throw new AcquireError('SESSION_NOT_APPROVED', 'session was never approved');
    }
    if (args.sessionUid === 'confused') {
      return {
        username: 'alice',
        userUid: args.userUid,
        session: { ...certificate, sessionUid: 'other' },
      };
    }
    if (args.sessionUid === loggedOut.sessionUid) {
      return { username: 'alice', userUid: args.userUid, session: loggedOut };
    }
    if (args.sessionUid === 'no-logout-time') {
      const { logoutTimeMs: _dropped, ...rest } = loggedOut;
      const session = { ...rest, sessionUid: args.sessionUid };
      return { username: 'alice', userUid: args.userUid, session };
    }
    const session = { ...certificate, publicKey: encryptionKey };
    return { username: 'alice', userUid: args.userUid, session };
  },
);

async function caught(promise: Promise<unknown>): Promise<AcquireError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AcquireError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('createRemoteSessionResolver', () => {
  let network: TestNetwork;
  let booksStore: ObjectStore;
  let posts = 0;
  let unreachable = false;
  let fetchImpl: FetchFunction;

  beforeAll(async () => {
    network = createTestNetwork();
    await addTestService(network, { url: ID, type: 'identity', functions: [getKeys] });
    ({ store: booksStore } = await addTestService(network, { url: BOOKS }));
    await setUpAdmin(network, ID);
    const secret = await setUpAdmin(network, BOOKS);
    await adminSetup(network, BOOKS, secret, { addTrustedService: ID });
    fetchImpl = (input, init) => {
      posts += init?.method === 'POST' ? 1 : 0;
      if (unreachable) {
        return Promise.reject(new TypeError('fetch failed'));
      }
      return network.fetchImpl(input, init);
    };
  });

  /** A resolver over the test network, with a cache of service info of its own. */
  function newResolver() {
    return createRemoteSessionResolver({
      store: booksStore,
      fetchImpl,
      clock: network.clock,
      infoCache: createServiceInfoCache(),
    });
  }

  it('fetches a certificate from a trusted identity service and keeps it briefly', async () => {
    const resolve = newResolver();
    posts = 0;

    const results = await Promise.all([1, 2, 3].map(() => resolve(ID, 'user-1', 'session-1')));
    expect(results).toEqual([certificate, certificate, certificate]);
    expect(posts).toBe(1);

    network.clock.advance(SESSION_CERTIFICATE_CACHE_TTL_MS);
    expect(await resolve(`${ID}/`, 'user-1', 'session-1')).toEqual(certificate);
    expect(posts).toBe(2);
  });

  it('fetches a certificate in use again before it expires, the cached one answering', async () => {
    const resolve = newResolver();
    const refreshAt =
      SESSION_CERTIFICATE_CACHE_TTL_MS * (1 - SESSION_CERTIFICATE_REFRESH_AHEAD_SHARE);
    posts = 0;
    await resolve(ID, 'user-1', 'session-1');

    network.clock.advance(refreshAt - 1);
    expect(await resolve(ID, 'user-1', 'session-1')).toEqual(certificate);
    expect(posts).toBe(1);

    network.clock.advance(1);
    expect(await resolve(ID, 'user-1', 'session-1')).toEqual(certificate);
    await vi.waitFor(() => expect(posts).toBe(2));

    network.clock.advance(SESSION_CERTIFICATE_CACHE_TTL_MS - refreshAt);
    expect(await resolve(ID, 'user-1', 'session-1')).toEqual(certificate);
    expect(posts).toBe(2);
  });

  it('answers from the cache when a refresh fails, and reports failure once expired', async () => {
    const resolve = newResolver();
    posts = 0;
    await resolve(ID, 'user-1', 'session-1');
    unreachable = true;

    try {
      network.clock.advance(SESSION_CERTIFICATE_CACHE_TTL_MS - 2);
      expect(await resolve(ID, 'user-1', 'session-1')).toEqual(certificate);
      const postsAfterRefresh = 2 + CALL_RETRIES_MAX;
      await vi.waitFor(() => expect(posts).toBe(postsAfterRefresh), {
        timeout: REFRESH_RETRIES_WAIT_MS,
      });
      network.clock.advance(1);
      expect(await resolve(ID, 'user-1', 'session-1')).toEqual(certificate);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(posts).toBe(postsAfterRefresh);

      network.clock.advance(1);
      expect((await caught(resolve(ID, 'user-1', 'session-1'))).code).toBe(
        ErrorCode.SERVICE_UNREACHABLE,
      );
    } finally {
      unreachable = false;
    }
  });

  it('keeps only the certificate of approved sessions, and logout time of ended ones', async () => {
    const resolve = createRemoteSessionResolver({
      store: booksStore,
      fetchImpl,
      clock: network.clock,
    });

    const approved = await resolve(ID, 'user-1', 'session-1');
    expect(approved).toEqual(certificate);
    expect(approved).not.toHaveProperty('publicKey');
    expect(await resolve(ID, 'user-1', loggedOut.sessionUid)).toEqual(loggedOut);
    expect((await caught(resolve(ID, 'user-1', 'no-logout-time'))).code).toBe(
      ErrorCode.SESSION_CERTIFICATE_UNAVAILABLE,
    );
  });

  it("refuses untrusted services, passes on the identity's refusal, checks sessions", async () => {
    const resolve = createRemoteSessionResolver({
      store: booksStore,
      fetchImpl,
      clock: network.clock,
    });

    expect((await caught(resolve(BOOKS, 'user-1', 'session-1'))).code).toBe(
      ErrorCode.SERVICE_NOT_TRUSTED,
    );
    expect((await caught(resolve('http://other.test', 'u', 's'))).code).toBe(
      ErrorCode.SERVICE_NOT_TRUSTED,
    );
    expect((await caught(resolve(ID, 'user-1', 'never-approved'))).code).toBe(
      'SESSION_NOT_APPROVED',
    );
    expect((await caught(resolve(ID, 'user-1', 'confused'))).code).toBe(
      ErrorCode.SESSION_CERTIFICATE_UNAVAILABLE,
    );
  });
});
