/**
 * Small real service functions and helpers for the Node server tests: services on real HTTP
 * servers on 127.0.0.1, one memory store each.
 *
 * @module
 */

import {
  AcquireError,
  base64UrlEncode,
  type CallFunctionOptions,
  callFunction,
  createManualClock,
  createMemoryStore,
  createService,
  createServiceInfoCache,
  defineServiceFunction,
  generateTotpSecret,
  listAllKeys,
  type ManualClock,
  type ObjectStore,
  readJson,
  SCRYPT_LOG_N_MIN,
  type ServiceFunction,
  type ServiceType,
  TOTP_PERIOD_S,
  totpCode,
  verifyTotpCode,
  writeJson,
  writeJsonIfVersion,
} from '@acquire/core';
import { pino } from 'pino';
import * as v from 'valibot';
import { type RunningServer, startServer } from '../src/node.js';

export const SERVICE_PASSWORD = 'service password for tests';
export const ADMIN_PASSWORD = 'admin password for tests';
export const silentLogger = pino({ level: 'silent' });

export const echo = defineServiceFunction('echo', v.object({ text: v.string() }), async (args) => ({
  text: args.text,
}));

export const remember = defineServiceFunction(
  'remember',
  v.object({ name: v.pipe(v.string(), v.regex(/^[a-z]{1,20}$/)), note: v.string() }),
  async (args, context) => {
    await writeJson(context.store, `notes/${args.name}`, { note: args.note });
    return { stored: args.name };
  },
);

/** Stores a user and a pending login request for {@link testLogin}. */
export async function seedLoginRequest(
  store: ObjectStore,
  shortUid: string,
  username: string,
  password: string,
): Promise<string> {
  const totpSecret = generateTotpSecret();
  await writeJson(store, `test-users/${username}`, { password, totpSecret });
  await writeJson(store, `test-requests/${shortUid}`, { username, status: 'unapproved' });
  return totpSecret;
}

/** A small `login` like the identity service's, with one undifferentiated error. */
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

/** A session certificate the test `get_keys` returns for every session. */
export const TEST_CERTIFICATE = 'ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';

/** A `get_keys` like the identity service's. */
export const testGetKeys = defineServiceFunction(
  'get_keys',
  v.object({ userUid: v.string(), sessionUid: v.string() }),
  async (args) => ({
    username: 'alice',
    userUid: args.userUid,
    session: {
      userUid: args.userUid,
      sessionUid: args.sessionUid,
      status: 'approved' as const,
      certificate: TEST_CERTIFICATE,
      loginTimeMs: 1_000,
    },
  }),
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

/** A service running on its own HTTP server. */
export interface TestService {
  readonly url: string;
  readonly store: ObjectStore;
  readonly server: RunningServer;
}

/** Starts a service on a random port of 127.0.0.1. */
export async function startTestService(
  clock: ManualClock,
  type: ServiceType,
  functions: readonly ServiceFunction<v.GenericSchema, unknown, never>[],
  context?: Parameters<typeof createService>[0]['context'],
): Promise<TestService> {
  const store = createMemoryStore();
  let url = '';
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    env: {},
    createServices: async (address) => {
      url = address.url;
      return createService({
        type,
        url,
        store,
        servicePassword: SERVICE_PASSWORD,
        functions: functions as ServiceFunction[],
        clock,
        scryptLogN: SCRYPT_LOG_N_MIN,
        ...(context === undefined ? {} : { context }),
      });
    },
  });
  return { url, store, server };
}

/** Call options over real HTTP with a fresh info cache. */
export function httpCallOptions(
  clock: ManualClock,
  extra: CallFunctionOptions = {},
): CallFunctionOptions {
  return { clock, infoCache: createServiceInfoCache(), ...extra };
}

/** Runs the first set-up and returns the admin's TOTP secret. */
export async function setUpAdmin(clock: ManualClock, url: string): Promise<string> {
  const result = await callFunction<{ provisioningUri: string }>(
    url,
    'setup',
    { password: ADMIN_PASSWORD },
    httpCallOptions(clock),
  );
  return new URL(result.provisioningUri).searchParams.get('secret') ?? '';
}

/** Runs an admin set-up action with a fresh code (the clock moves one TOTP step first). */
export async function adminSetup(
  clock: ManualClock,
  url: string,
  totpSecret: string,
  action: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  clock.advance(TOTP_PERIOD_S * 1000);
  return callFunction(
    url,
    'setup',
    { password: ADMIN_PASSWORD, code: totpCode(totpSecret, clock), ...action },
    httpCallOptions(clock),
  );
}

export { createManualClock };
