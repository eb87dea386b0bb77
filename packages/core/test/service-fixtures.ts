/**
 * Small real service functions and helpers for the service-runtime tests.
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlEncode } from '../src/crypto/encoding.js';
import { SCRYPT_LOG_N_MIN } from '../src/crypto/password-seal.js';
import { generateTotpSecret, TOTP_PERIOD_S, totpCode, verifyTotpCode } from '../src/crypto/totp.js';
import { AcquireError, ErrorCode } from '../src/errors.js';
import type { LogFields, Logger } from '../src/logging.js';
import { type CallFunctionOptions, callFunction } from '../src/service/call-function.js';
import {
  type CreateServiceOptions,
  createService,
  type ServiceHandler,
} from '../src/service/create-service.js';
import type { FetchFunction } from '../src/service/http-fetch.js';
import { defineServiceFunction, type ServiceContext } from '../src/service/service-function.js';
import {
  createServiceInfoCache,
  type ServiceInfoCache,
} from '../src/service/service-info-client.js';
import type { ServiceType } from '../src/service/service-url.js';
import { readJson, writeJson, writeJsonIfVersion } from '../src/store/json.js';
import { listAllKeys } from '../src/store/listing.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import type { ObjectStore } from '../src/store/object-store.js';
import { createManualClock, type ManualClock } from '../src/time/clock.js';

export const TEST_SCRYPT_LOG_N = SCRYPT_LOG_N_MIN;
export const SERVICE_PASSWORD = 'service password for tests';
export const ADMIN_PASSWORD = 'admin password for tests';

export const echo = defineServiceFunction('echo', v.object({ text: v.string() }), async (args) => ({
  text: args.text,
}));

export const add = defineServiceFunction(
  'add',
  v.object({ a: v.number(), b: v.number() }),
  async (args) => ({ sum: args.a + args.b }),
);

export const remember = defineServiceFunction(
  'remember',
  v.object({ name: v.pipe(v.string(), v.regex(/^[a-z]{1,20}$/)), note: v.string() }),
  async (args, context) => {
    await writeJson(context.store, `notes/${args.name}`, { note: args.note });
    return { stored: args.name };
  },
);

export const refuse = defineServiceFunction('refuse', v.object({}), async () => {
  throw new AcquireError('NOTE_ALREADY_TAKEN', 'the note is taken');
});

export const crash = defineServiceFunction(
  'crash',
  v.object({ secret: v.string() }),
  async (args) => {
    throw new Error(`exploded while holding ${args.secret}`);
  },
);

export const statusResult = defineServiceFunction('status_result', v.object({}), async () => ({
  status: 'mine',
}));

export const RUNTIME_TEST_FUNCTIONS = [echo, add, remember, refuse, crash, statusResult];

/** A pending login request and a user, as the test `login` function expects them. */
export interface TestLoginFixture {
  readonly shortUid: string;
  readonly username: string;
  readonly password: string;
  readonly totpSecret: string;
}

/** Stores a user and a pending login request for the test `login` function. */
export async function seedLoginRequest(
  store: ObjectStore,
  shortUid: string,
  username: string,
  password: string,
): Promise<TestLoginFixture> {
  const totpSecret = generateTotpSecret();
  await writeJson(store, `test-users/${username}`, { password, totpSecret });
  await writeJson(store, `test-requests/${shortUid}`, { username, status: 'unapproved' });
  return { shortUid, username, password, totpSecret };
}

/**
 * A small `login` like the identity service's: approves a pending request when username,
 * password and code match, with one undifferentiated error otherwise.
 */
export const testLogin = defineServiceFunction(
  'login',
  v.object({ shortUid: v.string(), username: v.string(), password: v.string(), code: v.string() }),
  async (args, context) => {
    const request = await readJson<{ username: string; status: string }>(
      context.store,
      `test-requests/${args.shortUid}`,
    );
    const user = await readJson<{ password: string; totpSecret: string }>(
      context.store,
      `test-users/${args.username}`,
    );
    const valid =
      request !== undefined &&
      user !== undefined &&
      request.value.status === 'unapproved' &&
      request.value.username === args.username &&
      user.value.password === args.password &&
      verifyTotpCode(user.value.totpSecret, args.code, context.clock) !== undefined;
    if (!valid || request === undefined) {
      throw new AcquireError('LOGIN_FAILED', 'login failed');
    }
    await writeJsonIfVersion(
      context.store,
      `test-requests/${args.shortUid}`,
      { username: args.username, status: 'approved' },
      request.version,
    );
    return { shortUid: args.shortUid, approved: true };
  },
);

/** Every key and value in a store, to compare before and after. */
export async function snapshotStore(store: ObjectStore): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const key of await listAllKeys(store, '')) {
    const stored = await store.read(key);
    snapshot[key] =
      stored === undefined ? '' : `${stored.version}:${base64UrlEncode(stored.value)}`;
  }
  return snapshot;
}

/** A fetch that hands requests to in-process handlers by origin, with no network. */
export function routeFetch(handlers: Record<string, ServiceHandler>): FetchFunction {
  return async (input, init) => {
    const request = new Request(input, init);
    const handler = handlers[new URL(request.url).origin];
    if (handler === undefined) {
      throw new TypeError(`no route to ${request.url}`);
    }
    return handler(request);
  };
}

/** A logger that keeps every line, to check what would be logged. */
export function createRecordingLogger(): Logger & { readonly lines: LogFields[] } {
  const lines: LogFields[] = [];
  const record =
    (level: string) =>
    (fields: LogFields, message: string): void => {
      lines.push({ level, message, ...fields });
    };
  return {
    lines,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

export { ErrorCode };

/** A set of in-process services sharing one clock and one routing fetch. */
export interface TestNetwork {
  readonly clock: ManualClock;
  readonly handlers: Record<string, ServiceHandler>;
  readonly fetchImpl: FetchFunction;
  readonly infoCache: ServiceInfoCache;
  /** Options for callFunction that use this network. */
  callOptions(extra?: CallFunctionOptions): CallFunctionOptions;
}

export function createTestNetwork(): TestNetwork {
  const clock = createManualClock();
  const handlers: Record<string, ServiceHandler> = {};
  const fetchImpl = routeFetch(handlers);
  const infoCache = createServiceInfoCache();
  return {
    clock,
    handlers,
    fetchImpl,
    infoCache,
    callOptions: (extra = {}) => ({ fetchImpl, clock, infoCache, ...extra }),
  };
}

/** Options for {@link addTestService}. */
export interface TestServiceOptions<TContext extends ServiceContext = ServiceContext> {
  readonly url: string;
  readonly type?: ServiceType;
  readonly store?: ObjectStore;
  readonly functions?: CreateServiceOptions<TContext>['functions'];
  readonly logger?: Logger;
  readonly servicePassword?: string;
}

/** Creates a service on the network (not set up yet). */
export async function addTestService<TContext extends ServiceContext = ServiceContext>(
  network: TestNetwork,
  options: TestServiceOptions<TContext>,
): Promise<{ store: ObjectStore; handler: ServiceHandler }> {
  const store = options.store ?? createMemoryStore();
  const handler = await createService<TContext>({
    type: options.type ?? 'accounting',
    url: options.url,
    store,
    servicePassword: options.servicePassword ?? SERVICE_PASSWORD,
    functions: options.functions ?? (RUNTIME_TEST_FUNCTIONS as never),
    clock: network.clock,
    fetchImpl: network.fetchImpl,
    scryptLogN: TEST_SCRYPT_LOG_N,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  network.handlers[new URL(options.url).origin] = handler;
  return { store, handler };
}

/** Runs the first set-up and returns the admin's TOTP secret. */
export async function setUpAdmin(network: TestNetwork, url: string): Promise<string> {
  const result = await callFunction<{ provisioningUri: string }>(
    url,
    'setup',
    { password: ADMIN_PASSWORD },
    network.callOptions(),
  );
  const secret = new URL(result.provisioningUri).searchParams.get('secret');
  if (secret === null) {
    throw new Error('provisioning URI has no secret');
  }
  return secret;
}

/** Runs an admin set-up action with a fresh code (the clock moves one TOTP step first). */
export async function adminSetup(
  network: TestNetwork,
  url: string,
  totpSecret: string,
  action: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  network.clock.advance(TOTP_PERIOD_S * 1000);
  return callFunction(
    url,
    'setup',
    { password: ADMIN_PASSWORD, code: totpCode(totpSecret, network.clock), ...action },
    network.callOptions(),
  );
}
