import { describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  addTestService,
  createRecordingLogger,
  createTestNetwork,
  SERVICE_PASSWORD,
  setUpAdmin,
  snapshotStore,
  TEST_SCRYPT_LOG_N,
} from '../../test/service-fixtures.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { readJson } from '../store/json.js';
import { createMemoryStore } from '../store/memory-store.js';
import { callFunction } from './call-function.js';
import { createService } from './create-service.js';
import { SERVICE_IDENTITY_KEY } from './service-identity.js';
import { parseServicePublicInfo } from './service-info.js';
import { createServiceInfoCache } from './service-info-client.js';

const ALPHA = 'http://alpha.test';

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

describe('createService', () => {
  it('serves its public info, with a uid only once set up', async () => {
    const network = createTestNetwork();
    const { handler } = await addTestService(network, { url: `${ALPHA}/` });

    const before = parseServicePublicInfo(await (await handler(new Request(`${ALPHA}/`))).json());
    expect(before).toMatchObject({
      type: 'accounting',
      url: ALPHA,
      setUp: false,
      protocolVersion: 1,
    });
    expect(before.uid).toBeUndefined();

    await setUpAdmin(network, ALPHA);
    const response = await handler(new Request(ALPHA));
    const after = parseServicePublicInfo(await response.json());
    expect(after.setUp).toBe(true);
    expect(after.uid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(after.encryptionKey).toBe(before.encryptionKey);
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('makes exactly one service when set-ups race on two instances sharing a store', async () => {
    const network = createTestNetwork();
    const store = createMemoryStore();
    await addTestService(network, { url: 'http://one.test', store });
    const second = await createService({
      type: 'accounting',
      url: 'http://one.test',
      store,
      servicePassword: SERVICE_PASSWORD,
      functions: [],
      clock: network.clock,
      scryptLogN: TEST_SCRYPT_LOG_N,
    });
    const first = network.handlers['http://one.test']!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, index) => {
        const instance = index % 2 === 0 ? first : second;
        return callFunction<{ provisioningUri?: string; serviceUid: string }>(
          'http://one.test',
          'setup',
          { password: ADMIN_PASSWORD },
          network.callOptions({
            fetchImpl: (input, init) => instance(new Request(input, init)),
            infoCache: createServiceInfoCache(),
          }),
        );
      }),
    );

    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(AcquireError);
        expect([
          ErrorCode.SERVICE_ALREADY_SET_UP,
          ErrorCode.INVALID_ARGUMENT,
          ErrorCode.ARGUMENTS_UNDECRYPTABLE,
        ]).toContain((outcome.reason as AcquireError).code);
      }
    }
    const stored = await readJson<{ uid: string }>(store, SERVICE_IDENTITY_KEY);
    expect(stored?.value.uid).toBe(
      (winners[0] as PromiseFulfilledResult<{ serviceUid: string }>).value.serviceUid,
    );

    const infos = await Promise.all(
      [first, second].map(async (handler) =>
        (await handler(new Request('http://one.test/'))).json(),
      ),
    );
    expect(infos[0]).toEqual(infos[1]);
  });

  it('calls functions with sealed arguments and sealed, signed replies', async () => {
    const network = createTestNetwork();
    const { store } = await addTestService(network, { url: ALPHA });
    await setUpAdmin(network, ALPHA);

    const options = network.callOptions();
    expect(await callFunction(ALPHA, 'echo', { text: 'héllo ✓' }, options)).toEqual({
      text: 'héllo ✓',
    });
    expect(await callFunction(ALPHA, 'add', { a: 2, b: 40 }, options)).toEqual({ sum: 42 });
    const plain = network.callOptions({ sealReply: false, signReply: false });
    expect(await callFunction(ALPHA, 'add', { a: 1, b: 1 }, plain)).toEqual({ sum: 2 });

    expect(await callFunction(ALPHA, 'remember', { name: 'lunch', note: 'soup' }, options)).toEqual(
      {
        stored: 'lunch',
      },
    );
    expect((await readJson(store, 'notes/lunch'))?.value).toEqual({ note: 'soup' });
  });

  it('refuses every function but setup before set-up, writing nothing', async () => {
    const network = createTestNetwork();
    const { store } = await addTestService(network, { url: ALPHA });
    const before = await snapshotStore(store);

    const error = await caught(
      callFunction(ALPHA, 'remember', { name: 'a', note: 'b' }, network.callOptions()),
    );
    expect(error.code).toBe(ErrorCode.SERVICE_NOT_SET_UP);
    expect(await snapshotStore(store)).toEqual(before);
  });

  it("returns a function's own error code, and a generic message for surprises", async () => {
    const network = createTestNetwork();
    const logger = createRecordingLogger();
    await addTestService(network, { url: ALPHA, logger });
    await setUpAdmin(network, ALPHA);
    const options = network.callOptions();

    const refused = await caught(callFunction(ALPHA, 'refuse', {}, options));
    expect(refused.code).toBe('NOTE_ALREADY_TAKEN');
    expect(refused.message).toBe('the note is taken');
    expect(refused.details).toMatchObject({ httpStatus: 409, service: ALPHA });

    const crashed = await caught(callFunction(ALPHA, 'crash', { secret: 'hunter2' }, options));
    expect(crashed.code).toBe(ErrorCode.INTERNAL_ERROR);
    expect(crashed.message).not.toContain('hunter2');
    expect(crashed.message).not.toContain('at ');
    expect(crashed.details).toMatchObject({ httpStatus: 500 });

    const logged = logger.lines.filter((line) => line.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ function: 'crash', errorName: 'Error' });
    expect(crashed.message).toContain(String(logged[0]?.requestId));
    expect(JSON.stringify(logger.lines)).not.toContain('hunter2');
    expect(JSON.stringify(logger.lines)).not.toContain(ADMIN_PASSWORD);
  });

  it('keeps a result’s own status field apart from the reply status', async () => {
    const network = createTestNetwork();
    await addTestService(network, { url: ALPHA });
    await setUpAdmin(network, ALPHA);

    expect(await callFunction(ALPHA, 'status_result', {}, network.callOptions())).toEqual({
      status: 'mine',
    });
  });

  it('opens its identity again after a restart; refuses a wrong password or type', async () => {
    const network = createTestNetwork();
    const { store } = await addTestService(network, { url: ALPHA });
    await setUpAdmin(network, ALPHA);
    const info = await (await network.handlers[ALPHA]!(new Request(ALPHA))).json();

    const reopened = await createService({
      type: 'accounting',
      url: ALPHA,
      store,
      servicePassword: SERVICE_PASSWORD,
      functions: [],
      clock: network.clock,
    });
    expect(await (await reopened(new Request(ALPHA))).json()).toEqual(info);

    const common = { url: ALPHA, store, functions: [], clock: network.clock };
    const wrong = await caught(
      createService({ ...common, type: 'accounting', servicePassword: 'nope' }),
    );
    expect(wrong.code).toBe(ErrorCode.WRONG_PASSWORD);
    const other = await caught(
      createService({ ...common, type: 'identity', servicePassword: SERVICE_PASSWORD }),
    );
    expect(other.code).toBe(ErrorCode.SERVICE_IDENTITY_MISMATCH);
  });

  it('answers unknown routes and methods with codes, and CORS pre-flights', async () => {
    const network = createTestNetwork();
    const { handler } = await addTestService(network, { url: `${ALPHA}/acquire` });

    const missing = await handler(new Request(`${ALPHA}/acquire/elsewhere`));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: ErrorCode.ROUTE_NOT_FOUND });
    const login = await handler(new Request(`${ALPHA}/acquire/s?id=abc`));
    expect(login.status).toBe(404);
    const put = await handler(new Request(`${ALPHA}/acquire/`, { method: 'PUT', body: '{}' }));
    expect(put.status).toBe(405);
    expect(await put.json()).toMatchObject({ code: ErrorCode.METHOD_NOT_ALLOWED });

    const preflight = await handler(new Request(`${ALPHA}/acquire`, { method: 'OPTIONS' }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect((await handler(new Request(`${ALPHA}/acquire`))).status).toBe(200);
  });

  it('refuses a function list that repeats a name or brings its own setup', async () => {
    const network = createTestNetwork();
    const { echo } = await import('../../test/service-fixtures.js');
    const setup = { ...echo, name: 'setup' };
    for (const functions of [[echo, echo], [setup]]) {
      const error = await caught(addTestService(network, { url: 'http://dup.test', functions }));
      expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    }
  });

  it('refuses an empty service password when created, writing nothing', async () => {
    const store = createMemoryStore();
    for (const servicePassword of ['', undefined as unknown as string]) {
      const error = await caught(
        createService({ type: 'identity', url: ALPHA, store, servicePassword, functions: [] }),
      );
      expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
      expect(error.message).toContain('servicePassword');
    }
    expect((await store.listPage('')).keys).toEqual([]);
  });
});
