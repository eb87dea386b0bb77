import {
  AcquireError,
  base64UrlDecode,
  base64UrlEncode,
  ErrorCode,
  type FetchFunction,
  SESSION_CERTIFICATE_CACHE_TTL_MS,
  totpCode,
  utf8Decode,
  utf8Encode,
} from '@acquire/core';
import { wrongTotpCode } from '@acquire/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approveOnLoginPage,
  authorise,
  call,
  nextTotpStep,
  registerUser,
  requestLogin,
  setUpService,
  startAccessService,
  startIdentityService,
  submitLoginForm,
  type TestSession,
  type TestUser,
} from '../../test/deployment-fixtures.js';
import {
  ADMIN_PASSWORD,
  createManualClock,
  snapshotStore,
  type TestService,
} from '../../test/service-fixtures.js';

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

interface Grant extends Record<string, unknown> {
  readonly grant: string;
  readonly grantId: string;
  readonly prefix: string;
  readonly mode: string;
  readonly expiresAtMs: number;
  readonly created: boolean;
}

describe('identity and access services over HTTP', () => {
  const clock = createManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  let identity: TestService;
  let access: TestService;
  let stranger: TestService;
  let identityAdmin: string;
  let accessAdmin: string;
  let alice: TestUser;
  let session: TestSession;

  beforeAll(async () => {
    [identity, access, stranger] = await Promise.all([
      startIdentityService(clock),
      startAccessService(clock),
      startIdentityService(clock),
    ]);
  });

  afterAll(async () => {
    await Promise.all([identity, access, stranger].map((service) => service?.server.close()));
  });

  it('sets both services up, and lets the access admin trust the identity service', async () => {
    identityAdmin = await setUpService(clock, identity.url);
    accessAdmin = await setUpService(clock, access.url);
    await setUpService(clock, stranger.url);

    const again = await caught(call(clock, access.url, 'setup', { password: ADMIN_PASSWORD }));
    expect(again.code).toBe(ErrorCode.INVALID_ARGUMENT);

    nextTotpStep(clock);
    const before = await snapshotStore(access.store);
    const refused = await caught(
      call(clock, access.url, 'setup', {
        password: ADMIN_PASSWORD,
        code: wrongTotpCode(accessAdmin, clock),
        addTrustedService: identity.url,
      }),
    );
    expect(refused.code).toBe(ErrorCode.ADMIN_AUTHENTICATION_FAILED);
    const wrongPassword = await caught(
      call(clock, access.url, 'setup', {
        password: `${ADMIN_PASSWORD} but wrong`,
        code: totpCode(accessAdmin, clock),
        addTrustedService: identity.url,
      }),
    );
    expect(wrongPassword.code).toBe(ErrorCode.ADMIN_AUTHENTICATION_FAILED);
    expect(await snapshotStore(access.store)).toEqual(before);

    const trusted = await call(clock, access.url, 'setup', {
      password: ADMIN_PASSWORD,
      code: totpCode(accessAdmin, clock),
      addTrustedService: identity.url,
    });
    expect(trusted).toMatchObject({
      trustedServices: [identity.url],
      addedTrustedService: { url: identity.url, type: 'identity' },
    });

    // The identity service needs no trust to serve certificates; its admin code still works.
    nextTotpStep(clock);
    const listed = await call(clock, identity.url, 'setup', {
      password: ADMIN_PASSWORD,
      code: totpCode(identityAdmin, clock),
    });
    expect(listed).toMatchObject({ serviceUrl: identity.url, trustedServices: [] });
  });

  it('registers a user with a sealed reply only, and never sends the secret in clear', async () => {
    const seen: string[] = [];
    const recording: FetchFunction = async (input, init) => {
      const response = await fetch(input, init);
      seen.push(await response.clone().text());
      return response;
    };
    const unsealed = await caught(
      call(
        clock,
        identity.url,
        'register',
        { username: 'alice', password: 'alice password 1' },
        { sealReply: false },
      ),
    );
    expect(unsealed.code).toBe(ErrorCode.REPLY_KEY_REQUIRED);

    const result = await call<{ userUid: string; provisioningUri: string }>(
      clock,
      identity.url,
      'register',
      { username: 'alice', password: 'alice password 1' },
      { fetchImpl: recording },
    );
    expect(result.provisioningUri).toMatch(/^otpauth:\/\/totp\//);
    const secret = new URL(result.provisioningUri).searchParams.get('secret') ?? '';
    expect(secret.length).toBeGreaterThan(0);
    expect(seen.join('\n')).not.toContain(secret);
    expect(seen.join('\n')).not.toContain('otpauth');

    const taken = await caught(
      call(clock, identity.url, 'register', { username: 'Alice', password: 'other password' }),
    );
    expect(taken.code).toBe(ErrorCode.USERNAME_TAKEN);
    alice = {
      username: 'alice',
      password: 'alice password 1',
      userUid: result.userUid,
      totpSecret: secret,
    };
  });

  it('approves a login requested with client keys on the login page', async () => {
    session = await requestLogin(clock, identity.url, alice.username);
    expect(session.userUid).toBe(alice.userUid);
    expect(session.loginUrl).toBe(`${identity.url}/s?id=${session.shortUid}`);
    const pending = await call(clock, identity.url, 'get_status', {
      username: 'alice',
      sessionUid: session.sessionUid,
    });
    expect(pending).toEqual({ status: 'unapproved' });

    const form = await fetch(session.loginUrl);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain(`value="${session.shortUid}"`);

    const wrong = await submitLoginForm(identity.url, {
      id: session.shortUid,
      username: alice.username,
      password: alice.password,
      code: wrongTotpCode(alice.totpSecret, clock),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('is not right');
    expect(wrong.html).not.toContain(alice.password);

    const approved = await approveOnLoginPage(clock, session, alice);
    expect(approved.status).toBe(200);
    expect(approved.html).toContain('<h1>Login approved</h1>');
    expect(approved.html).toContain('<strong>alice</strong>');

    const status = await call(clock, identity.url, 'get_status', {
      username: 'alice',
      sessionUid: session.sessionUid,
    });
    expect(status).toEqual({ status: 'approved' });
  });

  it('grants a bucket for an authorisation it verifies with the identity service', async () => {
    const args = { mode: 'read_write', lifetimeMs: 600_000 };
    const authorisation = authorise(clock, session, 'request_bucket', args);
    const before = await snapshotStore(access.store);
    const unsealed = await caught(
      call(clock, access.url, 'request_bucket', { ...args, authorisation }, { sealReply: false }),
    );
    expect(unsealed.code).toBe(ErrorCode.REPLY_KEY_REQUIRED);
    expect(await snapshotStore(access.store)).toEqual(before);

    const granted = await call<Grant>(clock, access.url, 'request_bucket', {
      ...args,
      authorisation,
    });
    expect(granted).toMatchObject({
      prefix: `buckets/${alice.userUid}`,
      mode: 'read_write',
      expiresAtMs: clock.now() + 600_000,
      created: true,
    });

    const grant = granted.grant;
    const value = base64UrlEncode(utf8Encode('hello from alice'));
    expect(await call(clock, access.url, 'write_object', { grant, key: 'notes/a', value })).toEqual(
      { key: 'notes/a' },
    );
    const read = await call<{ found: boolean; value: string }>(clock, access.url, 'read_object', {
      grant,
      key: 'notes/a',
    });
    expect(read.found).toBe(true);
    expect(utf8Decode(base64UrlDecode(read.value, 'value'))).toBe('hello from alice');
    expect(await call(clock, access.url, 'list_objects', { grant })).toEqual({
      keys: ['.bucket', 'notes/a'],
    });
    expect(await call(clock, access.url, 'read_object', { grant, key: 'notes/b' })).toEqual({
      found: false,
    });
    expect((await access.store.read(`buckets/${alice.userUid}/notes/a`))?.value).toEqual(
      utf8Encode('hello from alice'),
    );

    const replayed = await caught(
      call(clock, access.url, 'request_bucket', { ...args, authorisation }),
    );
    expect(replayed.code).toBe(ErrorCode.AUTHORISATION_REPLAYED);

    const otherArgs = await caught(
      call(clock, access.url, 'request_bucket', { mode: 'read', authorisation }),
    );
    expect(otherArgs.code).toBe(ErrorCode.WRONG_RESOURCE);

    const readArgs = { mode: 'read' };
    const readOnly = await call<Grant>(clock, access.url, 'request_bucket', {
      ...readArgs,
      authorisation: authorise(clock, session, 'request_bucket', readArgs),
    });
    expect(readOnly.created).toBe(false);
    const refused = await caught(
      call(clock, access.url, 'write_object', { grant: readOnly.grant, key: 'notes/a', value }),
    );
    expect(refused.code).toBe(ErrorCode.GRANT_READ_ONLY);
  });

  it('knows the identity service by any spelling of its URL', async () => {
    const respelled: TestSession = {
      ...session,
      identityUrl: `${identity.url.replace('http://', 'HTTP://')}/`,
    };
    const args = { mode: 'read' };
    const granted = await call<Grant>(clock, access.url, 'request_bucket', {
      ...args,
      authorisation: authorise(clock, respelled, 'request_bucket', args),
    });
    expect(granted).toMatchObject({ prefix: `buckets/${alice.userUid}`, created: false });
  });

  it('logs out, after which the access service refuses newly signed authorisations', async () => {
    const logoutArgs = { username: 'alice', sessionUid: session.sessionUid };
    const foreign = await caught(
      call(clock, identity.url, 'logout', {
        ...logoutArgs,
        authorisation: authorise(clock, session, 'logout', { ...logoutArgs, extra: 1 }),
      }),
    );
    expect(foreign.code).toBe(ErrorCode.WRONG_RESOURCE);

    const readArgs = { mode: 'read' };
    const signedBefore = authorise(clock, session, 'request_bucket', readArgs);
    clock.advance(1000);
    const loggedOut = await call(clock, identity.url, 'logout', {
      ...logoutArgs,
      authorisation: authorise(clock, session, 'logout', logoutArgs),
    });
    expect(loggedOut).toEqual({ status: 'logged_out', logoutTimeMs: clock.now() });
    expect(await call(clock, identity.url, 'get_status', logoutArgs)).toEqual({
      status: 'logged_out',
    });

    // Certificates are cached briefly by the access service; past that, the logout is seen.
    clock.advance(SESSION_CERTIFICATE_CACHE_TTL_MS + 1);
    const before = await snapshotStore(access.store);
    const after = await caught(
      call(clock, access.url, 'request_bucket', {
        ...readArgs,
        authorisation: authorise(clock, session, 'request_bucket', readArgs),
      }),
    );
    expect(after.code).toBe(ErrorCode.SESSION_LOGGED_OUT);
    expect(await snapshotStore(access.store)).toEqual(before);

    // Signed while the session was live, and not yet stale: still judged valid.
    const granted = await call<Grant>(clock, access.url, 'request_bucket', {
      ...readArgs,
      authorisation: signedBefore,
    });
    expect(granted.mode).toBe('read');
  });

  it('refuses an authorisation from an identity service it does not trust', async () => {
    const bob = await registerUser(clock, stranger.url, 'bob', 'bob password 1');
    const bobSession = await requestLogin(clock, stranger.url, 'bob');
    expect((await approveOnLoginPage(clock, bobSession, bob)).status).toBe(200);
    expect(
      await call(clock, stranger.url, 'get_status', {
        username: 'bob',
        sessionUid: bobSession.sessionUid,
      }),
    ).toEqual({ status: 'approved' });

    const before = await snapshotStore(access.store);
    const args = { mode: 'read_write' };
    const refused = await caught(
      call(clock, access.url, 'request_bucket', {
        ...args,
        authorisation: authorise(clock, bobSession, 'request_bucket', args),
      }),
    );
    expect(refused.code).toBe(ErrorCode.SERVICE_NOT_TRUSTED);
    expect(await snapshotStore(access.store)).toEqual(before);
  });
});
