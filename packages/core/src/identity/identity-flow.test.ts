import { describe, expect, it } from 'vitest';
import { totpCode } from '../crypto/totp.js';
import { AcquireError } from '../errors.js';
import { requestResource } from '../service/request-resource.js';
import { readJson } from '../store/json.js';
import { listAllKeys } from '../store/listing.js';
import { createAuthorisation } from './authorisation.js';
import { createAuthorisationVerifier } from './authorisation-verifier.js';
import { getKeys } from './get-keys.js';
import { getStatus } from './get-status.js';
import { createLocalSessionResolver } from './local-session-resolver.js';
import { login } from './login.js';
import { SESSION_REQUEST_TTL_MS, SESSION_TTL_MS, SESSIONS_OPEN_MAX } from './login-session.js';
import { logout } from './logout.js';
import { register } from './register.js';
import {
  createTestContext,
  logIn,
  registerUser,
  requestSession,
  secretOf,
  TEST_SERVICE_URL,
  type TestContext,
  type TestSession,
  type TestUser,
  TOTP_STEP_MS,
} from './test-support.js';
import { whois } from './whois.js';

function authorise(context: TestContext, user: TestUser, session: TestSession, resource: string) {
  return createAuthorisation({
    userUid: user.userUid,
    sessionUid: session.sessionUid,
    identityUrl: TEST_SERVICE_URL,
    resource,
    signingSecretKey: session.keys.signing.secretKey,
    clock: context.clock,
  });
}

function logoutArgs(context: TestContext, user: TestUser, session: TestSession) {
  const args = { username: user.username, sessionUid: session.sessionUid };
  return {
    ...args,
    authorisation: authorise(context, user, session, requestResource('logout', args)),
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : `not an AcquireError: ${String(error)}`;
  }
}

describe('identity end to end', () => {
  it('registers, logs in, authorises, verifies, logs out, and then refuses', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'Alice');
    const pending = await requestSession(context, user);

    expect(pending.shortUid).toBe(pending.sessionUid.slice(0, 8));
    expect(
      (await getStatus.run({ username: 'alice', sessionUid: pending.sessionUid }, context)).status,
    ).toBe('unapproved');
    expect(
      await codeOf(getKeys.run({ userUid: user.userUid, sessionUid: pending.sessionUid }, context)),
    ).toBe('SESSION_NOT_APPROVED');

    context.clock.advance(TOTP_STEP_MS);
    const approved = await login.run(
      {
        shortUid: pending.shortUid,
        username: 'ALICE',
        password: user.password,
        code: totpCode(user.totpSecret, context.clock),
      },
      context,
    );
    expect(approved).toEqual({ status: 'approved', sessionUid: pending.sessionUid });

    const keys = await getKeys.run(
      { userUid: user.userUid, sessionUid: pending.sessionUid },
      context,
    );
    expect(keys.session).toMatchObject({
      status: 'approved',
      certificate: pending.keys.certificate,
      userUid: user.userUid,
    });

    const verify = createAuthorisationVerifier({
      clock: context.clock,
      resolveSession: createLocalSessionResolver(context),
      cacheTtlMs: 0,
    });
    const authorisation = authorise(context, user, pending, 'accounts/main');
    await expect(verify(authorisation, { resource: 'accounts/main' })).resolves.toEqual({
      userUid: user.userUid,
      sessionUid: pending.sessionUid,
      identityUrl: TEST_SERVICE_URL,
      resource: 'accounts/main',
    });

    context.clock.advance(1000);
    const ended = await logout.run(logoutArgs(context, user, pending), context);
    expect(ended.status).toBe('logged_out');
    expect(
      (await getStatus.run({ username: 'Alice', sessionUid: pending.sessionUid }, context)).status,
    ).toBe('logged_out');
    expect(await listAllKeys(context.store, 'sessions')).toEqual([]);
    expect(await listAllKeys(context.store, 'requests')).toEqual([]);
    const expired = await readJson(context.store, `expired_sessions/alice/${pending.sessionUid}`);
    expect(expired?.value).toMatchObject({
      status: 'logged_out',
      certificate: pending.keys.certificate,
    });
    expect(expired?.value).not.toHaveProperty('publicKey');

    const afterLogout = await getKeys.run(
      { username: 'alice', sessionUid: pending.sessionUid },
      context,
    );
    expect(afterLogout.session).toMatchObject({
      status: 'logged_out',
      logoutTimeMs: ended.logoutTimeMs,
    });

    await expect(verify(authorisation, { resource: 'accounts/main' })).resolves.toBeDefined();
    context.clock.advance(1000);
    const late = authorise(context, user, pending, 'accounts/main');
    expect(await codeOf(verify(late, { resource: 'accounts/main' }))).toBe('SESSION_LOGGED_OUT');
  });

  it('maps names and uids both ways, treating case as one user and punctuation as distinct', async () => {
    const context = createTestContext();
    const alice = await registerUser(context, 'Alice');
    expect(
      await codeOf(register.run({ username: 'alice', password: 'another one' }, context)),
    ).toBe('USERNAME_TAKEN');

    expect(await whois.run({ username: 'aLiCe' }, context)).toEqual({
      username: 'Alice',
      userUid: alice.userUid,
    });
    expect(await whois.run({ userUid: alice.userUid }, context)).toEqual({
      username: 'Alice',
      userUid: alice.userUid,
    });
    expect(await getKeys.run({ username: 'ALICE' }, context)).toEqual({
      username: 'Alice',
      userUid: alice.userUid,
    });

    const pairs = [
      ['a b', 'a_b'],
      ['x@y.z', 'x_AT_y_DOT_z'],
    ] as const;
    for (const [first, second] of pairs) {
      const one = await registerUser(context, first);
      const two = await registerUser(context, second);
      expect(one.userUid).not.toBe(two.userUid);
      expect((await whois.run({ username: first }, context)).userUid).toBe(one.userUid);
      expect((await whois.run({ username: second }, context)).userUid).toBe(two.userUid);
    }

    expect(await codeOf(whois.run({ username: 'nobody' }, context))).toBe('USER_NOT_FOUND');
    expect(
      await codeOf(
        getKeys.run(
          { username: 'alice', userUid: '00000000-0000-4000-8000-000000000000' },
          context,
        ),
      ),
    ).toBe('USER_NOT_FOUND');
  });

  it('changes the password only with the old one, keeping uid and authenticator', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'carol', 'first password');

    expect(
      await codeOf(
        register.run(
          { username: 'carol', password: 'second password', oldPassword: 'wrong' },
          context,
        ),
      ),
    ).toBe('WRONG_PASSWORD');
    const changed = await register.run(
      { username: 'Carol', password: 'second password', oldPassword: 'first password' },
      context,
    );
    expect(changed).toEqual({ userUid: user.userUid });

    const session = await requestSession(context, user);
    context.clock.advance(TOTP_STEP_MS);
    const attempt = (password: string) =>
      login.run(
        {
          shortUid: session.shortUid,
          username: 'carol',
          password,
          code: totpCode(user.totpSecret, context.clock),
        },
        context,
      );
    expect(await codeOf(attempt('first password'))).toBe('LOGIN_FAILED');
    await expect(attempt('second password')).resolves.toMatchObject({ status: 'approved' });
    expect(
      await codeOf(
        register.run({ username: 'nobody-here', password: 'x', oldPassword: 'y' }, context),
      ),
    ).toBe('USER_NOT_FOUND');
  });

  it('remembers a device, which then logs in with its own codes until the password changes', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'dave');
    const first = await requestSession(context, user);
    context.clock.advance(TOTP_STEP_MS);
    const remembered = await login.run(
      {
        shortUid: first.shortUid,
        username: 'dave',
        password: user.password,
        code: totpCode(user.totpSecret, context.clock),
        rememberDevice: true,
      },
      context,
    );
    expect(remembered.deviceUid).toMatch(/^[0-9a-f-]{36}$/);
    const deviceSecret = secretOf(remembered.deviceProvisioningUri ?? '');
    expect(deviceSecret).not.toBe(user.totpSecret);

    const viaDevice = async (code: string) => {
      const session = await requestSession(context, user);
      return login.run(
        {
          shortUid: session.shortUid,
          username: 'dave',
          password: user.password,
          code,
          deviceUid: remembered.deviceUid,
        },
        context,
      );
    };
    context.clock.advance(TOTP_STEP_MS);
    expect(await codeOf(viaDevice(totpCode(user.totpSecret, context.clock)))).toBe('LOGIN_FAILED');
    context.clock.advance(TOTP_STEP_MS);
    await expect(viaDevice(totpCode(deviceSecret, context.clock))).resolves.toMatchObject({
      status: 'approved',
    });

    await register.run(
      { username: 'dave', password: 'new password', oldPassword: user.password },
      context,
    );
    context.clock.advance(TOTP_STEP_MS);
    const session = await requestSession(context, user);
    const code = totpCode(deviceSecret, context.clock);
    expect(
      await codeOf(
        login.run(
          {
            shortUid: session.shortUid,
            username: 'dave',
            password: 'new password',
            code,
            deviceUid: remembered.deviceUid,
          },
          context,
        ),
      ),
    ).toBe('LOGIN_FAILED');
  });

  it('caps open sessions and prunes expired requests and sessions as time passes', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'erin');
    const approved = await logIn(context, user);
    for (let i = 1; i < SESSIONS_OPEN_MAX; i++) {
      await requestSession(context, user);
    }
    expect(await codeOf(requestSession(context, user))).toBe('TOO_MANY_SESSIONS');

    context.clock.advance(SESSION_REQUEST_TTL_MS);
    await requestSession(context, user);
    expect(await listAllKeys(context.store, 'sessions')).toHaveLength(2);
    expect(await listAllKeys(context.store, 'expired_sessions')).toHaveLength(
      SESSIONS_OPEN_MAX - 1,
    );
    expect(await listAllKeys(context.store, 'requests')).toHaveLength(1);

    expect(
      (await getStatus.run({ username: 'erin', sessionUid: approved.sessionUid }, context)).status,
    ).toBe('approved');
    context.clock.advance(SESSION_TTL_MS);
    expect(
      (await getStatus.run({ username: 'erin', sessionUid: approved.sessionUid }, context)).status,
    ).toBe('logged_out');
    await requestSession(context, user);
    expect(await listAllKeys(context.store, 'sessions')).toHaveLength(1);
    const keys = await getKeys.run(
      { userUid: user.userUid, sessionUid: approved.sessionUid },
      context,
    );
    expect(keys.session?.logoutTimeMs).toBe((keys.session?.loginTimeMs ?? 0) + SESSION_TTL_MS);
  });

  it('refuses a login whose short uid is shared by two pending requests of the user', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'frank');
    const session = await requestSession(context, user);
    const twin = `${session.shortUid}-0000-4000-8000-000000000000`;
    const request = await context.store.read(`requests/${session.shortUid}/${session.sessionUid}`);
    await context.store.write(
      `requests/${session.shortUid}/${twin}`,
      request?.value ?? new Uint8Array(),
    );

    context.clock.advance(TOTP_STEP_MS);
    const code = totpCode(user.totpSecret, context.clock);
    expect(
      await codeOf(
        login.run(
          { shortUid: session.shortUid, username: 'frank', password: user.password, code },
          context,
        ),
      ),
    ).toBe('LOGIN_AMBIGUOUS');
  });
});
