import {
  ACCESS_OBJECT_SIZE_MAX_BYTES,
  AcquireError,
  AUTHORISATION_CLOCK_SKEW_MS,
  AUTHORISATION_STALE_MS,
  base64UrlDecode,
  base64UrlEncode,
  createAuthorisation,
  createServiceInfoCache,
  ErrorCode,
  GRANT_TOKEN_LENGTH_MAX_CHARS,
  generateSigningKeyPair,
  isValidKey,
  randomBytes,
  requestResource,
  utf8Decode,
  utf8Encode,
} from '@acquire/core';
import { wrongTotpCode } from '@acquire/core/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorise,
  call,
  requestGrant,
  requestLogin,
  startDeployment,
  type TestDeployment,
  type TestSession,
} from '../../test/deployment-fixtures.js';
import { createManualClock, snapshotStore } from '../../test/service-fixtures.js';

/** Property runs for key and grant fuzzing: each is one call over HTTP and two store scans. */
const RUNS = 40;

const OTHER_UID = '6f1c2f4e-9a3b-4c2d-8e1f-0a1b2c3d4e5f';

/** What resolving a relative key inside a grant gives: the refusal code, or `ok`. */
function keyVerdict(prefix: string, key: string, change: boolean): string {
  const segments = key.split('/');
  if (key.startsWith('/') || segments.includes('..') || segments[0] === 'buckets') {
    return ErrorCode.GRANT_OUT_OF_SCOPE;
  }
  if (!isValidKey(key) || !isValidKey(`${prefix}/${key}`)) {
    return ErrorCode.INVALID_KEY;
  }
  return change && key === '.bucket' ? ErrorCode.GRANT_OUT_OF_SCOPE : 'ok';
}

describe('refusals by the identity and access services over HTTP, each writing nothing', () => {
  const clock = createManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const infoCache = createServiceInfoCache();
  let deployment: TestDeployment;
  let grant: string;
  let prefix: string;
  let readGrant: string;
  let pending: TestSession;

  beforeAll(async () => {
    deployment = await startDeployment(clock);
    ({ grant, prefix } = await requestGrant(clock, deployment, 'read_write'));
    readGrant = (await requestGrant(clock, deployment, 'read')).grant;
    pending = await requestLogin(clock, deployment.identity.url, deployment.user.username);
  });

  afterAll(async () => {
    await deployment?.close();
  });

  /** Calls a function, expects the refusal `code`, and checks that no store changed. */
  async function refused(
    service: 'identity' | 'access',
    name: string,
    args: unknown,
    code: string,
  ): Promise<void> {
    const stores = [deployment.identity.store, deployment.access.store];
    const before = await Promise.all(stores.map(snapshotStore));
    let refusal: unknown;
    try {
      await call(clock, deployment[service].url, name, args, { infoCache });
    } catch (error) {
      refusal = error;
    }
    expect(refusal, `${name} ${JSON.stringify(args)}`).toBeInstanceOf(AcquireError);
    expect((refusal as AcquireError).code, `${name} ${JSON.stringify(args)}`).toBe(code);
    expect(await Promise.all(stores.map(snapshotStore))).toEqual(before);
  }

  it('refuses grants that are not grants, of another version, forged or altered', async () => {
    const [header, payload, signature] = grant.split('.') as [string, string, string];
    const claims = JSON.parse(utf8Decode(base64UrlDecode(payload, 'claims')));
    const widened = base64UrlEncode(
      utf8Encode(JSON.stringify({ ...claims, prefix: `buckets/${OTHER_UID}` })),
    );
    const cases: [string, string][] = [
      ['', ErrorCode.GRANT_MALFORMED],
      [`${grant}.`, ErrorCode.GRANT_MALFORMED],
      [`${header}.${payload}`, ErrorCode.GRANT_MALFORMED],
      [`${grant}${'A'.repeat(GRANT_TOKEN_LENGTH_MAX_CHARS)}`, ErrorCode.GRANT_MALFORMED],
      [`${header}.${payload}.${signature.slice(0, -4)}`, ErrorCode.GRANT_MALFORMED],
      [`acquire-grant-v2.${payload}.${signature}`, ErrorCode.GRANT_VERSION_UNSUPPORTED],
      [`${header}.${payload}.${base64UrlEncode(randomBytes(64))}`, ErrorCode.GRANT_FORGED],
      [`${header}.${widened}.${signature}`, ErrorCode.GRANT_FORGED],
    ];
    for (const [token, code] of cases) {
      await refused('access', 'write_object', { grant: token, key: 'x', value: 'eA' }, code);
      await refused('access', 'list_objects', { grant: token }, code);
    }

    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 120 }).filter((text) => !text.startsWith('acquire-grant-v')),
        fc.constantFrom('read_object', 'delete_object'),
        async (token, name) => {
          await refused('access', name, { grant: token, key: 'x' }, ErrorCode.GRANT_MALFORMED);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses keys that leave the grant or break the key rules', async () => {
    const piece = fc.constantFrom(
      '',
      '.',
      '..',
      'a',
      'buckets',
      '.bucket',
      '\u0000',
      '\u007f',
      'lone\uD800',
      'é'.repeat(120),
      'x'.repeat(250),
    );
    const key = fc.oneof(
      fc.array(piece, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/')),
      fc.string({ maxLength: 40 }),
    );
    const name = fc.constantFrom('read_object', 'write_object', 'delete_object', 'list_prefix');

    await fc.assert(
      fc.asyncProperty(key, name, async (relative, which) => {
        const change = which === 'write_object' || which === 'delete_object';
        const verdict =
          which === 'list_prefix' && relative === '' ? 'ok' : keyVerdict(prefix, relative, change);
        fc.pre(verdict !== 'ok');
        if (which === 'list_prefix') {
          await refused('access', 'list_objects', { grant, prefix: relative }, verdict);
        } else {
          const value = which === 'write_object' ? { value: 'eA' } : {};
          await refused('access', which, { grant, key: relative, ...value }, verdict);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses values not base64url or too large, and changes with a read grant', async () => {
    for (const value of ['not base64!', 'abc=', 'a', 'ab+/', 'AB']) {
      await refused('access', 'write_object', { grant, key: 'v', value }, ErrorCode.MALFORMED_DATA);
    }
    const large = base64UrlEncode(new Uint8Array(ACCESS_OBJECT_SIZE_MAX_BYTES + 1));
    await refused(
      'access',
      'write_object',
      { grant, key: 'v', value: large },
      ErrorCode.ACCESS_OBJECT_TOO_LARGE,
    );
    await refused(
      'access',
      'write_object',
      { grant: readGrant, key: 'v', value: 'eA' },
      ErrorCode.GRANT_READ_ONLY,
    );
    await refused(
      'access',
      'delete_object',
      { grant: readGrant, key: '.bucket' },
      ErrorCode.GRANT_READ_ONLY,
    );
    await refused(
      'access',
      'delete_object',
      { grant, key: '.bucket' },
      ErrorCode.GRANT_OUT_OF_SCOPE,
    );
  });

  it('refuses authorisations for request_bucket that do not hold up', async () => {
    const { identity, session } = deployment;
    const args = { mode: 'read' };
    const signed = (options: {
      session?: TestSession;
      atMs?: number;
      identityUrl?: string;
      userUid?: string;
      sessionUid?: string;
      key?: Uint8Array;
      resourceArgs?: Record<string, unknown>;
    }) => {
      const signer = options.session ?? session;
      return createAuthorisation({
        userUid: options.userUid ?? signer.userUid,
        sessionUid: options.sessionUid ?? signer.sessionUid,
        identityUrl: options.identityUrl ?? identity.url,
        resource: requestResource('request_bucket', options.resourceArgs ?? args),
        signingSecretKey: options.key ?? signer.signing.secretKey,
        clock: createManualClock(options.atMs ?? clock.now()),
      });
    };
    const cases: [unknown, string][] = [
      [signed({ key: generateSigningKeyPair().secretKey }), ErrorCode.INVALID_SIGNATURE],
      [signed({ resourceArgs: { mode: 'read_write' } }), ErrorCode.WRONG_RESOURCE],
      [
        signed({ atMs: clock.now() - AUTHORISATION_STALE_MS - 1000 }),
        ErrorCode.AUTHORISATION_STALE,
      ],
      [
        signed({ atMs: clock.now() + AUTHORISATION_CLOCK_SKEW_MS + 1000 }),
        ErrorCode.AUTHORISATION_STALE,
      ],
      [signed({ sessionUid: OTHER_UID }), ErrorCode.SESSION_NOT_FOUND],
      [signed({ userUid: OTHER_UID }), ErrorCode.USER_NOT_FOUND],
      [signed({ session: pending }), ErrorCode.SESSION_NOT_APPROVED],
      [signed({ identityUrl: 'http://127.0.0.1:9' }), ErrorCode.SERVICE_NOT_TRUSTED],
      [signed({ identityUrl: 'not a url' }), ErrorCode.INVALID_ARGUMENT],
      [signed({ identityUrl: `${identity.url}/?q` }), ErrorCode.INVALID_ARGUMENT],
    ];
    for (const [authorisation, code] of cases) {
      await refused('access', 'request_bucket', { ...args, authorisation }, code);
    }
  });

  it('refuses logouts not signed by the session for exactly this request', async () => {
    const { identity, session, user } = deployment;
    const logoutArgs = { username: user.username, sessionUid: session.sessionUid };
    const withKey = (key: Uint8Array) =>
      createAuthorisation({
        userUid: session.userUid,
        sessionUid: session.sessionUid,
        identityUrl: identity.url,
        resource: requestResource('logout', logoutArgs),
        signingSecretKey: key,
        clock,
      });
    const cases: [Record<string, unknown>, string][] = [
      [
        { ...logoutArgs, authorisation: withKey(generateSigningKeyPair().secretKey) },
        ErrorCode.INVALID_SIGNATURE,
      ],
      [
        {
          ...logoutArgs,
          authorisation: authorise(clock, session, 'logout', { ...logoutArgs, x: 1 }),
        },
        ErrorCode.WRONG_RESOURCE,
      ],
      [
        {
          ...logoutArgs,
          authorisation: authorise(
            clock,
            { ...session, identityUrl: 'http://127.0.0.1:9' },
            'logout',
            logoutArgs,
          ),
        },
        ErrorCode.UNTRUSTED_IDENTITY,
      ],
      [
        {
          ...logoutArgs,
          sessionUid: pending.sessionUid,
          authorisation: authorise(clock, pending, 'logout', {
            ...logoutArgs,
            sessionUid: pending.sessionUid,
          }),
        },
        ErrorCode.SESSION_NOT_APPROVED,
      ],
      [
        {
          ...logoutArgs,
          sessionUid: OTHER_UID,
          authorisation: authorise(clock, session, 'logout', {
            ...logoutArgs,
            sessionUid: OTHER_UID,
          }),
        },
        ErrorCode.SESSION_NOT_FOUND,
      ],
      [
        {
          ...logoutArgs,
          username: 'nobody',
          authorisation: authorise(clock, session, 'logout', { ...logoutArgs, username: 'nobody' }),
        },
        ErrorCode.USER_NOT_FOUND,
      ],
    ];
    for (const [args, code] of cases) {
      await refused('identity', 'logout', args, code);
    }
    expect(await call(clock, identity.url, 'get_status', logoutArgs, { infoCache })).toEqual({
      status: 'approved',
    });
  });

  it('refuses lookups of users and sessions that do not exist or are not approved', async () => {
    const { user } = deployment;
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'get_status',
        { username: user.username, sessionUid: OTHER_UID },
        ErrorCode.SESSION_NOT_FOUND,
      ],
      ['get_status', { username: 'nobody', sessionUid: OTHER_UID }, ErrorCode.SESSION_NOT_FOUND],
      ['get_keys', { userUid: OTHER_UID }, ErrorCode.USER_NOT_FOUND],
      ['get_keys', { username: 'nobody' }, ErrorCode.USER_NOT_FOUND],
      [
        'get_keys',
        { userUid: user.userUid, sessionUid: pending.sessionUid },
        ErrorCode.SESSION_NOT_APPROVED,
      ],
      ['get_keys', { userUid: user.userUid, sessionUid: OTHER_UID }, ErrorCode.SESSION_NOT_FOUND],
      ['whois', { username: 'nobody' }, ErrorCode.USER_NOT_FOUND],
      ['whois', { userUid: OTHER_UID }, ErrorCode.USER_NOT_FOUND],
      [
        'request_login',
        {
          username: 'nobody',
          publicKey: `x25519:${base64UrlEncode(randomBytes(32))}`,
          certificate: `ed25519:${base64UrlEncode(generateSigningKeyPair().publicKey)}`,
        },
        ErrorCode.USER_NOT_FOUND,
      ],
      ['register', { username: 'ALICE', password: 'another password' }, ErrorCode.USERNAME_TAKEN],
      [
        'register',
        { username: 'nobody', password: 'new password', oldPassword: 'old password' },
        ErrorCode.USER_NOT_FOUND,
      ],
    ];
    for (const [name, args, code] of cases) {
      await refused('identity', name, args, code);
    }
  });

  it('refuses a wrong login, writing only its throttle records', async () => {
    const { identity, user } = deployment;
    const before = await snapshotStore(identity.store);
    let refusal: unknown;
    try {
      await call(
        clock,
        identity.url,
        'login',
        {
          shortUid: pending.shortUid,
          username: user.username,
          password: user.password,
          code: wrongTotpCode(user.totpSecret, clock),
        },
        { infoCache },
      );
    } catch (error) {
      refusal = error;
    }
    expect((refusal as AcquireError).code).toBe(ErrorCode.LOGIN_FAILED);

    const after = await snapshotStore(identity.store);
    const changed = Object.keys({ ...before, ...after }).filter(
      (key) => before[key] !== after[key],
    );
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((key) => key.startsWith('throttle/'))).toBe(true);
  });

  it('refuses a grant once it has expired', async () => {
    const short = await call<{ grant: string; expiresAtMs: number }>(
      clock,
      deployment.access.url,
      'request_bucket',
      {
        mode: 'read',
        lifetimeMs: 1000,
        authorisation: authorise(clock, deployment.session, 'request_bucket', {
          mode: 'read',
          lifetimeMs: 1000,
        }),
      },
      { infoCache },
    );
    expect(
      await call(clock, deployment.access.url, 'list_objects', { grant: short.grant }),
    ).toEqual({ keys: ['.bucket'] });
    clock.set(short.expiresAtMs);
    await refused('access', 'list_objects', { grant: short.grant }, ErrorCode.GRANT_EXPIRED);
  });
});
