import fc from 'fast-check';
import type * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import { requestResource } from '../service/request-resource.js';
import type { ServiceFunction } from '../service/service-function.js';
import { createAuthorisation } from './authorisation.js';
import { getKeys } from './get-keys.js';
import { getStatus } from './get-status.js';
import type { IdentityContext } from './identity-context.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { register } from './register.js';
import { requestLogin } from './request-login.js';
import {
  createClientKeys,
  createTestContext,
  logIn,
  registerUser,
  requestSession,
  snapshotStore,
  TEST_SERVICE_URL,
  type TestContext,
} from './test-support.js';
import { whois } from './whois.js';

type Args = Record<string, unknown>;

interface Case {
  readonly fn: ServiceFunction<v.GenericSchema, unknown, IdentityContext>;
  readonly base: Args;
  readonly required: readonly string[];
}

const RUNS_PER_FUNCTION = 80;

/** Longer than every string limit of the identity functions. */
const HUGE_LENGTH = 3000;

const ODD_CHARACTERS = ['\ud800', '\udfff', '\u0000', '\u200b', '\u202e', '\u0085', '\u001b'];

const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);

function replaceField(base: Args, field: string, value: unknown): Args {
  return { ...base, [field]: value };
}

function mutations(base: Args, required: readonly string[]): fc.Arbitrary<unknown> {
  const fields = Object.keys(base);
  const field = fc.constantFrom(...fields);
  const stringFields = fields.filter((name) => typeof base[name] === 'string');
  const authorisation = base.authorisation as Args | undefined;

  const options: fc.Arbitrary<unknown>[] = [
    fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.integer(),
      fc.string(),
      fc.array(fc.anything()),
    ),
    fc
      .tuple(field, wrongValue)
      .filter(([name, value]) => typeof value !== typeof base[name])
      .map(([name, value]) => replaceField(base, name, value)),
    fc.constantFrom(...required).map((name) => {
      const { [name]: _removed, ...rest } = base;
      return rest;
    }),
    fc
      .tuple(
        fc.string({ minLength: 1 }).filter((name) => !fields.includes(name)),
        fc.jsonValue(),
      )
      .map(([name, value]) => replaceField(base, name, value)),
    fc
      .tuple(fc.constantFrom(...stringFields), fc.string())
      .map(([name, tail]) => replaceField(base, name, 'x'.repeat(HUGE_LENGTH) + tail)),
    fc
      .tuple(fc.constantFrom(...stringFields), fc.constantFrom('\ud800', '\udc00'), fc.nat())
      .map(([name, odd, at]) => {
        const text = base[name] as string;
        const cut = at % (text.length + 1);
        return replaceField(base, name, text.slice(0, cut) + odd + text.slice(cut));
      }),
  ];
  if ('username' in base) {
    options.push(
      fc
        .tuple(fc.constantFrom(...ODD_CHARACTERS), fc.nat(5))
        .map(([odd, at]) =>
          replaceField(base, 'username', `alice`.slice(0, at) + odd + `alice`.slice(at)),
        ),
      fc
        .constantFrom('', 'ab', '    ', '\t\t\t')
        .map((name) => replaceField(base, 'username', name)),
    );
  }
  if (authorisation !== undefined) {
    options.push(
      fc
        .tuple(fc.constantFrom(...Object.keys(authorisation)), wrongValue)
        .filter(([name, value]) => typeof value !== typeof authorisation[name])
        .map(([name, value]) =>
          replaceField(base, 'authorisation', replaceField(authorisation, name, value)),
        ),
      fc
        .jsonValue()
        .map((value) => replaceField(base, 'authorisation', { ...authorisation, extra: value })),
    );
  }
  return fc.oneof(...options);
}

describe('bad input', () => {
  let context: TestContext;
  let cases: Record<string, Case>;

  beforeAll(async () => {
    context = createTestContext({ remoteAddress: '192.0.2.1' });
    const user = await registerUser(context, 'alice');
    const pending = await requestSession(context, user);
    const approved = await logIn(context, user);
    const keys = createClientKeys();
    const logoutArgs = { username: 'alice', sessionUid: approved.sessionUid };
    const authorisation = createAuthorisation({
      userUid: user.userUid,
      sessionUid: approved.sessionUid,
      identityUrl: TEST_SERVICE_URL,
      resource: requestResource('logout', logoutArgs),
      signingSecretKey: approved.keys.signing.secretKey,
      clock: context.clock,
    });

    cases = {
      register: {
        fn: register,
        base: { username: 'alice', password: 'new password', oldPassword: user.password },
        required: ['username', 'password'],
      },
      request_login: {
        fn: requestLogin,
        base: {
          username: 'alice',
          publicKey: keys.publicKey,
          certificate: keys.certificate,
          ipAddress: '192.0.2.7',
          hostname: 'laptop.example',
          message: 'from my laptop',
        },
        required: ['username', 'publicKey', 'certificate'],
      },
      login: {
        fn: login,
        base: {
          shortUid: pending.shortUid,
          username: 'alice',
          password: user.password,
          code: '123456',
          deviceUid: '00000000-0000-4000-8000-000000000000',
          rememberDevice: false,
        },
        required: ['shortUid', 'username', 'password', 'code'],
      },
      logout: {
        fn: logout,
        base: { ...logoutArgs, authorisation },
        required: ['username', 'sessionUid', 'authorisation'],
      },
      get_status: {
        fn: getStatus,
        base: { username: 'alice', sessionUid: pending.sessionUid },
        required: ['username', 'sessionUid'],
      },
      get_keys: {
        fn: getKeys,
        base: { username: 'alice', sessionUid: approved.sessionUid },
        required: ['username'],
      },
      'get_keys by uid': {
        fn: getKeys,
        base: { userUid: user.userUid, sessionUid: approved.sessionUid },
        required: ['userUid'],
      },
      whois: {
        fn: whois,
        base: { username: 'alice', sessionUid: approved.sessionUid },
        required: ['username'],
      },
      'whois by uid': {
        fn: whois,
        base: { userUid: user.userUid, sessionUid: approved.sessionUid },
        required: ['userUid'],
      },
    };
  });

  for (const name of [
    'register',
    'request_login',
    'login',
    'logout',
    'get_status',
    'get_keys',
    'get_keys by uid',
    'whois',
    'whois by uid',
  ]) {
    it(`refuses malformed ${name} arguments with INVALID_ARGUMENT and writes nothing`, async () => {
      const { fn, base, required } = cases[name] as Case;
      const before = await snapshotStore(context.store);

      await fc.assert(
        fc.asyncProperty(mutations(base, required), async (input) => {
          const error = await (async () => fn.run(input, context))().then(
            (result) => ({ unexpected: result }),
            (caught: unknown) => caught,
          );
          expect(AcquireError.is(error, 'INVALID_ARGUMENT')).toBe(true);
          expect(await snapshotStore(context.store)).toEqual(before);
        }),
        { numRuns: RUNS_PER_FUNCTION },
      );
    });
  }
});
