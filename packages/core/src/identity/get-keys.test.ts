import { beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../crypto/totp.js';
import { AcquireError } from '../errors.js';
import { requestResource } from '../service/request-resource.js';
import { readJson, writeJson } from '../store/json.js';
import { createAuthorisation } from './authorisation.js';
import { getKeys } from './get-keys.js';
import { login } from './login.js';
import { type LoginSession, SESSION_REQUEST_TTL_MS, SESSION_TTL_MS } from './login-session.js';
import { logout } from './logout.js';
import {
  createTestContext,
  logIn,
  registerUser,
  requestSession,
  snapshotStore,
  TEST_SERVICE_URL,
  type TestContext,
  type TestSession,
  type TestUser,
  TOTP_STEP_MS,
} from './test-support.js';
import type { UserKeys } from './user-keys.js';
import { whois } from './whois.js';

const STRANGER_UID = '00000000-0000-4000-8000-0000000000ff';

type Lookup = (context: TestContext, user: TestUser, sessionUid: string) => Promise<UserKeys>;

/** Every form of argument that asks `get_keys` or `whois` about one session. */
const LOOKUPS: Readonly<Record<string, Lookup>> = {
  'get_keys by uid': (context, { userUid }, sessionUid) =>
    getKeys.run({ userUid, sessionUid }, context),
  'get_keys by name': (context, { username }, sessionUid) =>
    getKeys.run({ username, sessionUid }, context),
  'get_keys by both': (context, { username, userUid }, sessionUid) =>
    getKeys.run({ username, userUid, sessionUid }, context),
  'whois by uid': (context, { userUid }, sessionUid) => whois.run({ userUid, sessionUid }, context),
  'whois by name': (context, { username }, sessionUid) =>
    whois.run({ username, sessionUid }, context),
};

function everyLookup(context: TestContext, user: TestUser, sessionUid: string) {
  return Promise.all(Object.values(LOOKUPS).map((lookup) => lookup(context, user, sessionUid)));
}

/** The code each form of lookup is refused with. */
async function refusals(
  context: TestContext,
  user: TestUser,
  sessionUid: string,
): Promise<Record<string, string>> {
  const codes: Record<string, string> = {};
  for (const [form, lookup] of Object.entries(LOOKUPS)) {
    codes[form] = await lookup(context, user, sessionUid).then(
      () => 'resolved',
      (error: unknown) => (AcquireError.is(error) ? error.code : String(error)),
    );
  }
  return codes;
}

function everyForm(code: string): Record<string, string> {
  return Object.fromEntries(Object.keys(LOOKUPS).map((form) => [form, code]));
}

async function logOut(context: TestContext, user: TestUser, session: TestSession) {
  const args = { username: user.username, sessionUid: session.sessionUid };
  const authorisation = createAuthorisation({
    userUid: user.userUid,
    sessionUid: session.sessionUid,
    identityUrl: TEST_SERVICE_URL,
    resource: requestResource('logout', args),
    signingSecretKey: session.keys.signing.secretKey,
    clock: context.clock,
  });
  return (await logout.run({ ...args, authorisation }, context)).logoutTimeMs;
}

describe('get_keys and whois with a session', () => {
  let context: TestContext;
  let user: TestUser;

  beforeEach(async () => {
    context = createTestContext();
    user = await registerUser(context, 'Alice');
  });

  it('give an approved session its encryption key and certificate', async () => {
    const session = await logIn(context, user);
    const loginTimeMs = context.clock.now();
    const before = await snapshotStore(context.store);

    const expected: UserKeys = {
      username: 'Alice',
      userUid: user.userUid,
      session: {
        userUid: user.userUid,
        sessionUid: session.sessionUid,
        status: 'approved',
        publicKey: session.keys.publicKey,
        certificate: session.keys.certificate,
        loginTimeMs,
      },
    };
    for (const result of await everyLookup(context, user, session.sessionUid)) {
      expect(result).toStrictEqual(expected);
    }
    expect(await snapshotStore(context.store)).toEqual(before);
  });

  it('give a logged-out session its certificate and logout time, no encryption key', async () => {
    const session = await logIn(context, user);
    const loginTimeMs = context.clock.now();
    context.clock.advance(1000);
    const logoutTimeMs = await logOut(context, user, session);

    for (const result of await everyLookup(context, user, session.sessionUid)) {
      expect(result.session).toStrictEqual({
        userUid: user.userUid,
        sessionUid: session.sessionUid,
        status: 'logged_out',
        certificate: session.keys.certificate,
        loginTimeMs,
        logoutTimeMs,
      });
    }
  });

  it('treat an approved session past its lifetime as logged out when it expired', async () => {
    const session = await logIn(context, user);
    const loginTimeMs = context.clock.now();
    context.clock.advance(SESSION_TTL_MS);

    for (const result of await everyLookup(context, user, session.sessionUid)) {
      expect(result.session).toMatchObject({
        status: 'logged_out',
        logoutTimeMs: loginTimeMs + SESSION_TTL_MS,
      });
      expect(result.session).not.toHaveProperty('publicKey');
    }
  });

  it('refuse a session still waiting for approval', async () => {
    const pending = await requestSession(context, user);
    expect(await refusals(context, user, pending.sessionUid)).toEqual(
      everyForm('SESSION_NOT_APPROVED'),
    );
  });

  it('refuse a request that expired unapproved as denied', async () => {
    const pending = await requestSession(context, user);
    context.clock.advance(SESSION_REQUEST_TTL_MS);
    expect(await refusals(context, user, pending.sessionUid)).toEqual(everyForm('SESSION_DENIED'));
  });

  it('refuse a session whose one-time code was used again', async () => {
    const first = await requestSession(context, user);
    const second = await requestSession(context, user);
    context.clock.advance(TOTP_STEP_MS);
    const code = totpCode(user.totpSecret, context.clock);
    const attempt = (shortUid: string) =>
      login.run({ shortUid, username: user.username, password: user.password, code }, context);
    await attempt(first.shortUid);
    await expect(attempt(second.shortUid)).rejects.toMatchObject({
      code: 'ONE_TIME_CODE_REUSED',
    });

    expect(await refusals(context, user, first.sessionUid)).toEqual(
      everyForm('SESSION_SUSPICIOUS'),
    );
  });

  it("refuse another user's session and a session nobody has", async () => {
    const other = await registerUser(context, 'bob');
    const theirs = await logIn(context, other);
    expect(await refusals(context, user, theirs.sessionUid)).toEqual(
      everyForm('SESSION_NOT_FOUND'),
    );
    expect(await refusals(context, user, STRANGER_UID)).toEqual(everyForm('SESSION_NOT_FOUND'));
  });

  it('report an approved record without its encryption key as corrupt', async () => {
    const session = await logIn(context, user);
    const key = `sessions/alice/${session.sessionUid}`;
    const stored = await readJson<LoginSession>(context.store, key);
    const { publicKey: _dropped, ...damaged } = stored?.value ?? ({} as LoginSession);
    await writeJson(context.store, key, damaged);

    expect(await refusals(context, user, session.sessionUid)).toEqual(everyForm('CORRUPT_RECORD'));
  });

  it('refuse whois naming the user twice or not at all, writing nothing', async () => {
    const session = await logIn(context, user);
    const before = await snapshotStore(context.store);
    const { username, userUid } = user;
    const { sessionUid } = session;

    for (const args of [{ username, userUid }, { username, userUid, sessionUid }, { sessionUid }]) {
      await expect(whois.run(args, context)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await snapshotStore(context.store)).toEqual(before);
  });
});
