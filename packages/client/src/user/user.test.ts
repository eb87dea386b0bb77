import {
  AcquireError,
  type ManualClock,
  requestResource,
  TOTP_PERIOD_S,
  totpCode,
} from '@acquire/core';
import { wrongTotpCode } from '@acquire/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  nextTotpStep,
  secretOf,
  setUpService,
  startIdentityService,
} from '../../test/deployment-fixtures.js';
import {
  createManualClock,
  httpCallOptions,
  type TestService,
} from '../../test/service-fixtures.js';
import { createWallet } from '../wallet/wallet.js';
import { createMemoryWalletStorage } from '../wallet/wallet-storage.js';
import { LOGIN_REFUSED, LOGIN_TIMEOUT } from './approval-wait.js';
import { createUser, NOT_LOGGED_IN, type User } from './user.js';

const PASSWORD = 'a password for the user flow';

async function caught(promise: Promise<unknown> | (() => unknown)): Promise<AcquireError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof AcquireError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a failure');
}

describe('the user login flow against a real identity service', () => {
  const clock: ManualClock = createManualClock(Date.UTC(2026, 2, 1, 12, 0, 0));
  let identity: TestService;
  let counter = 0;

  beforeAll(async () => {
    identity = await startIdentityService(clock);
    await setUpService(clock, identity.url);
  });

  afterAll(async () => {
    await identity?.server.close();
  });

  function newUser(options: { wallet?: Awaited<ReturnType<typeof createWallet>> } = {}) {
    counter += 1;
    return createUser({
      identityUrl: identity.url,
      username: `user-${counter}`,
      clock,
      callOptions: httpCallOptions(clock),
      ...options,
    });
  }

  async function registered(user: User): Promise<string> {
    const { provisioningUri } = await user.register(PASSWORD);
    return secretOf(provisioningUri);
  }

  it('registers once per name, whatever its case', async () => {
    const user = newUser();
    const { userUid, provisioningUri } = await user.register(PASSWORD);
    const shouting = createUser({
      identityUrl: identity.url,
      username: user.username.toUpperCase(),
      clock,
      callOptions: httpCallOptions(clock),
    });

    expect(userUid).toMatch(/^[0-9a-f-]{36}$/);
    expect(provisioningUri).toMatch(/^otpauth:\/\/totp\//);
    expect((await caught(shouting.register(PASSWORD))).code).toBe('USERNAME_TAKEN');
  });

  it('logs in with password and code, signs authorisations, and logs out', async () => {
    const user = newUser();
    const secret = await registered(user);
    nextTotpStep(clock);

    const session = await user.requestLogin({ message: 'user flow test' });
    await user.approve(PASSWORD, totpCode(secret, clock));
    await user.waitForApproval();
    const args = user.authoriseCall('get_account_uids', {});

    expect(session.loginUrl).toBe(`${identity.url}/s?id=${session.shortUid}`);
    expect(args.authorisation.resource).toBe(requestResource('get_account_uids', {}));
    expect(args.authorisation.sessionUid).toBe(session.sessionUid);

    await user.logout();

    const status = await user.identity.getStatus({
      username: user.username,
      sessionUid: session.sessionUid,
    });
    expect(status.status).toBe('logged_out');
    expect((await caught(() => user.authorise('anything'))).code).toBe(NOT_LOGGED_IN);
  });

  it('keeps the session in a wallet, so a later run resumes it', async () => {
    const wallet = await createWallet({
      storage: createMemoryWalletStorage(),
      password: 'wallet password',
    });
    const first = newUser({ wallet });
    const secret = await registered(first);
    nextTotpStep(clock);
    const session = await first.requestLogin();
    await first.approve(PASSWORD, totpCode(secret, clock));

    const later = createUser({
      identityUrl: identity.url,
      username: first.username,
      wallet,
      clock,
    });
    const resumed = await later.resume();

    expect(resumed?.sessionUid).toBe(session.sessionUid);
    expect(later.authorise('x').sessionUid).toBe(session.sessionUid);
  });

  it('refuses a wrong code and a wrong password alike', async () => {
    const user = newUser();
    const secret = await registered(user);
    nextTotpStep(clock);
    await user.requestLogin();

    const wrongPassword = await caught(user.approve('not the password', totpCode(secret, clock)));
    const badCode = await caught(user.approve(PASSWORD, wrongTotpCode(secret, clock)));

    expect(wrongPassword.code).toBe('LOGIN_FAILED');
    expect(badCode.code).toBe('LOGIN_FAILED');
    expect(badCode.message).toBe(wrongPassword.message);
  });

  it('gives up waiting with LOGIN_TIMEOUT when nobody approves', async () => {
    const user = newUser();
    await registered(user);
    await user.requestLogin();

    const waiting = caught(user.waitForApproval({ timeoutMs: 10_000, pollMs: 5 }));
    setTimeout(() => clock.advance(11_000), 50);

    expect((await waiting).code).toBe(LOGIN_TIMEOUT);
  });

  it('ends the wait with LOGIN_REFUSED when a reused code makes the session suspect', async () => {
    const user = newUser();
    const secret = await registered(user);
    nextTotpStep(clock);
    const code = totpCode(secret, clock);
    await user.requestLogin();
    await user.approve(PASSWORD, code);
    const first = user.session();

    const thief = createUser({
      identityUrl: identity.url,
      username: user.username,
      clock,
      callOptions: httpCallOptions(clock),
    });
    await thief.requestLogin();
    const reuse = await caught(thief.approve(PASSWORD, code));
    clock.advance(TOTP_PERIOD_S * 1000);

    expect(reuse.code).toBe('ONE_TIME_CODE_REUSED');
    expect(first).toBeDefined();
    expect((await caught(user.waitForApproval())).code).toBe(LOGIN_REFUSED);
  });

  it('refuses to sign before a login request', async () => {
    expect((await caught(() => newUser().authorise('x'))).code).toBe(NOT_LOGGED_IN);
  });
});
