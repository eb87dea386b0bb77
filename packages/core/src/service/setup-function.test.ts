import { describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  addTestService,
  adminSetup,
  createTestNetwork,
  echo,
  setUpAdmin,
  snapshotStore,
} from '../../test/service-fixtures.js';
import { TOTP_PERIOD_S, totpCode } from '../crypto/totp.js';
import { wrongTotpCode } from '../crypto/wrong-totp-code.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { callFunction } from './call-function.js';
import { createService } from './create-service.js';
import type { FetchFunction } from './http-fetch.js';
import { KEY_ROTATION_GRACE_MS_DEFAULT } from './key-rotation.js';
import { parseServicePublicInfo, type ServicePublicInfo } from './service-info.js';
import { createServiceInfoCache } from './service-info-client.js';
import { ADMIN_FAILURE_WINDOW_MS, ADMIN_FAILURES_MAX } from './setup-function.js';
import {
  createTrustedServiceCheck,
  listTrustedServices,
  readTrustedService,
} from './trusted-services.js';

const ID = 'http://identity.test';
const BOOKS = 'http://accounting.test';

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

async function publicInfo(handler: (request: Request) => Promise<Response>, url: string) {
  return parseServicePublicInfo(await (await handler(new Request(url))).json());
}

describe('setup', () => {
  it('returns the provisioning URI only from the first set-up', async () => {
    const network = createTestNetwork();
    await addTestService(network, { url: ID, type: 'identity', functions: [] });
    const first = await callFunction(
      ID,
      'setup',
      { password: ADMIN_PASSWORD },
      network.callOptions(),
    );
    expect(first.provisioningUri).toMatch(/^otpauth:\/\/totp\//);

    const again = await caught(
      callFunction(ID, 'setup', { password: ADMIN_PASSWORD }, network.callOptions()),
    );
    expect(again.code).toBe(ErrorCode.INVALID_ARGUMENT);
    const short = createTestNetwork();
    await addTestService(short, { url: ID, type: 'identity', functions: [] });
    const weak = await caught(
      callFunction(ID, 'setup', { password: 'short' }, short.callOptions()),
    );
    expect(weak.code).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('refuses a wrong admin password, a wrong code or a spent code, writing nothing', async () => {
    const network = createTestNetwork();
    const { store } = await addTestService(network, { url: ID, type: 'identity', functions: [] });
    await addTestService(network, { url: BOOKS });
    const secret = await setUpAdmin(network, ID);
    await setUpAdmin(network, BOOKS);
    network.clock.advance(TOTP_PERIOD_S * 1000);
    const code = totpCode(secret, network.clock);
    const wrongCode = wrongTotpCode(secret, network.clock);
    const before = await snapshotStore(store);

    const attempts = [
      { password: 'not the admin password', code },
      { password: ADMIN_PASSWORD, code: wrongCode },
    ];
    for (const attempt of attempts) {
      const error = await caught(
        callFunction(ID, 'setup', { ...attempt, addTrustedService: BOOKS }, network.callOptions()),
      );
      expect(error.code).toBe(ErrorCode.ADMIN_AUTHENTICATION_FAILED);
      expect(error.message).not.toContain(attempt.password);
    }
    expect(await snapshotStore(store)).toEqual(before);

    const args = { password: ADMIN_PASSWORD, code, addTrustedService: BOOKS };
    await callFunction(ID, 'setup', args, network.callOptions());
    const spent = await snapshotStore(store);
    const reused = await caught(callFunction(ID, 'setup', args, network.callOptions()));
    expect(reused.code).toBe(ErrorCode.ADMIN_AUTHENTICATION_FAILED);
    expect(await snapshotStore(store)).toEqual(spent);
  });

  it('throttles admin attempts after repeated failures, until the window passes', async () => {
    const network = createTestNetwork();
    await addTestService(network, { url: BOOKS });
    const secret = await setUpAdmin(network, BOOKS);
    const wrong = { password: 'guess', code: '123456', rotateKeys: true };
    for (let attempt = 0; attempt < ADMIN_FAILURES_MAX; attempt++) {
      const error = await caught(callFunction(BOOKS, 'setup', wrong, network.callOptions()));
      expect(error.code).toBe(ErrorCode.ADMIN_AUTHENTICATION_FAILED);
    }

    const throttled = await caught(adminSetup(network, BOOKS, secret, { rotateKeys: true }));
    expect(throttled.code).toBe(ErrorCode.ADMIN_THROTTLED);
    expect(throttled.details).toMatchObject({ httpStatus: 429 });

    network.clock.advance(ADMIN_FAILURE_WINDOW_MS);
    expect(await adminSetup(network, BOOKS, secret, { rotateKeys: true })).toHaveProperty(
      'rotatedKeys',
    );
  });

  it('adds and removes trusted services, pinning their keys', async () => {
    const network = createTestNetwork();
    const { store: idStore, handler: idHandler } = await addTestService(network, {
      url: ID,
      type: 'identity',
      functions: [],
    });
    const { store: booksStore } = await addTestService(network, { url: BOOKS });
    const idSecret = await setUpAdmin(network, ID);
    const booksSecret = await setUpAdmin(network, BOOKS);

    const added = await adminSetup(network, BOOKS, booksSecret, { addTrustedService: `${ID}/` });
    const idInfo = await publicInfo(idHandler, ID);
    expect(added.addedTrustedService).toEqual({
      url: ID,
      type: 'identity',
      uid: idInfo.uid,
      signingKeyFingerprint: idInfo.signingKeyFingerprint,
      encryptionKeyFingerprint: idInfo.encryptionKeyFingerprint,
    });
    expect(added.trustedServices).toEqual([ID]);
    await adminSetup(network, ID, idSecret, { addTrustedService: BOOKS });
    expect((await listTrustedServices(idStore)).map((record) => record.url)).toEqual([BOOKS]);

    const isTrustedIdentity = createTrustedServiceCheck(booksStore);
    expect(await isTrustedIdentity(ID)).toBe(true);
    expect(await isTrustedIdentity('HTTP://IDENTITY.TEST:80/')).toBe(true);
    expect(await isTrustedIdentity(BOOKS)).toBe(false);
    expect(await isTrustedIdentity('not a url')).toBe(false);
    expect(await createTrustedServiceCheck(idStore, 'accounting')(BOOKS)).toBe(true);

    const removed = await adminSetup(network, BOOKS, booksSecret, { removeTrustedService: ID });
    expect(removed).toMatchObject({ removedTrustedService: true, trustedServices: [] });
    expect(await isTrustedIdentity(ID)).toBe(false);
    const again = await adminSetup(network, BOOKS, booksSecret, { removeTrustedService: ID });
    expect(again.removedTrustedService).toBe(false);
  });

  it('refuses to trust a service that is not set up, is unreachable, or is itself', async () => {
    const network = createTestNetwork();
    await addTestService(network, { url: BOOKS });
    await addTestService(network, { url: ID, type: 'identity', functions: [] });
    const secret = await setUpAdmin(network, BOOKS);

    const cases: [string, string][] = [
      [ID, ErrorCode.SERVICE_NOT_SET_UP],
      ['http://nowhere.test', ErrorCode.SERVICE_UNREACHABLE],
      [BOOKS, ErrorCode.INVALID_ARGUMENT],
      ['ftp://files.test', ErrorCode.INVALID_ARGUMENT],
    ];
    for (const [url, code] of cases) {
      const error = await caught(adminSetup(network, BOOKS, secret, { addTrustedService: url }));
      expect(error.code).toBe(code);
    }
  });

  it('rotates keys: old keys work during the grace time, and pinned callers follow', async () => {
    const network = createTestNetwork();
    const { store, handler } = await addTestService(network, { url: BOOKS });
    const secret = await setUpAdmin(network, BOOKS);
    const old = await publicInfo(handler, BOOKS);
    const pinned = {
      signingKeyFingerprint: old.signingKeyFingerprint,
      encryptionKeyFingerprint: old.encryptionKeyFingerprint,
    };
    const staleCache = createServiceInfoCache();
    await callFunction(
      BOOKS,
      'add',
      { a: 1, b: 1 },
      network.callOptions({ infoCache: staleCache }),
    );

    const rotated = await adminSetup(network, BOOKS, secret, { rotateKeys: true });
    const now: ServicePublicInfo = await publicInfo(handler, BOOKS);
    expect(now.signingKeyFingerprint).not.toBe(old.signingKeyFingerprint);
    expect(rotated.rotatedKeys).toEqual({
      signingKeyFingerprint: now.signingKeyFingerprint,
      encryptionKeyFingerprint: now.encryptionKeyFingerprint,
      graceEndsMs: network.clock.now() + KEY_ROTATION_GRACE_MS_DEFAULT,
    });
    expect(now.previousKeys.map((keys) => keys.signingKey)).toEqual([old.signingKey]);

    let posts = 0;
    const counting: FetchFunction = (input, init) => {
      posts += init?.method === 'POST' ? 1 : 0;
      return network.fetchImpl(input, init);
    };
    const stale = network.callOptions({ infoCache: staleCache, fetchImpl: counting });
    expect(await callFunction(BOOKS, 'add', { a: 2, b: 2 }, stale)).toEqual({ sum: 4 });
    expect(posts).toBe(1);
    const follows = network.callOptions({ infoCache: createServiceInfoCache(), pinned });
    expect(await callFunction(BOOKS, 'add', { a: 3, b: 3 }, follows)).toEqual({ sum: 6 });

    const restarted = await createService({
      type: 'accounting',
      url: BOOKS,
      store,
      servicePassword: 'service password for tests',
      functions: [],
      clock: network.clock,
    });
    expect(await publicInfo(restarted, BOOKS)).toEqual(now);

    network.clock.advance(KEY_ROTATION_GRACE_MS_DEFAULT + 1);
    const late = network.callOptions({ infoCache: createServiceInfoCache(), pinned });
    const error = await caught(callFunction(BOOKS, 'add', { a: 1, b: 1 }, late));
    expect(error.code).toBe(ErrorCode.SERVICE_INFO_MISMATCH);
    expect((await publicInfo(handler, BOOKS)).previousKeys).toEqual([]);
  });

  it('lets another instance sharing the store answer with the rotated keys at once', async () => {
    const network = createTestNetwork();
    const { store, handler: first } = await addTestService(network, { url: BOOKS });
    const secret = await setUpAdmin(network, BOOKS);
    const second = await createService({
      type: 'accounting',
      url: BOOKS,
      store,
      servicePassword: 'service password for tests',
      functions: [echo],
      clock: network.clock,
    });
    await adminSetup(network, BOOKS, secret, { rotateKeys: true });

    // Public info from the instance that rotated, the call to the one that has not reread yet.
    const split: FetchFunction = (input, init) =>
      (init?.method === 'POST' ? second : first)(new Request(input, init));
    const options = network.callOptions({ fetchImpl: split, infoCache: createServiceInfoCache() });
    expect(await callFunction(BOOKS, 'echo', { text: 'fresh' }, options)).toEqual({
      text: 'fresh',
    });
  });

  it('keeps the pinned record readable by URL in any spelling', async () => {
    const network = createTestNetwork();
    const { store } = await addTestService(network, { url: BOOKS });
    await addTestService(network, { url: `${ID}/acquire`, type: 'identity', functions: [] });
    const secret = await setUpAdmin(network, BOOKS);
    await setUpAdmin(network, `${ID}/acquire`);
    await adminSetup(network, BOOKS, secret, { addTrustedService: `${ID}/acquire` });

    const record = await readTrustedService(store, 'http://Identity.test/acquire/');
    expect(record).toMatchObject({ url: `${ID}/acquire`, type: 'identity' });
    expect(await store.read('service/trusted/http:%2F%2Fidentity.test%2Facquire')).toBeDefined();
  });
});
