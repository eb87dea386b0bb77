import {
  AcquireError,
  createServiceInfoCache,
  ErrorCode,
  encodePublicKey,
  GRANT_LIFETIME_MS_MAX,
  generateEncryptionKeyPair,
  generateSigningKeyPair,
  HOSTNAME_LENGTH_MAX_CHARS,
  LIST_PAGE_SIZE_MAX,
  LOGIN_MESSAGE_LENGTH_MAX_CHARS,
  PASSWORD_LENGTH_MAX_CHARS,
  SERVICE_URL_LENGTH_MAX_CHARS,
} from '@acquire/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorise,
  call,
  requestGrant,
  startDeployment,
  type TestDeployment,
} from '../../test/deployment-fixtures.js';
import { ADMIN_PASSWORD, createManualClock, snapshotStore } from '../../test/service-fixtures.js';

/** Property runs per function: each is one sealed, signed call over HTTP and two store scans. */
const RUNS = 20;

/** How one function's arguments may be broken, each way on its own enough to refuse them. */
interface ArgumentSpec {
  readonly name: string;
  readonly service: 'identity' | 'access';
  /** Well-formed arguments (they are never sent as they are). */
  readonly valid: () => Record<string, unknown>;
  /** Fields whose absence alone makes the arguments malformed. */
  readonly required: readonly string[];
  /** Values each field must refuse, beyond values of the wrong JSON type. */
  readonly bad: Readonly<Record<string, readonly unknown[]>>;
  /** A well-formed value of each optional field left out of `valid`, to know its JSON type. */
  readonly optional?: Readonly<Record<string, unknown>>;
  /**
   * Fields whose wrong strings are judged after validation, with codes of their own (a grant's
   * or key's form); only values of the wrong type are sent for them here.
   */
  readonly typeOnly?: readonly string[];
}

const UID = '6f1c2f4e-9a3b-4c2d-8e1f-0a1b2c3d4e5f';
const BAD_USERNAMES = ['', 'ab', 'a'.repeat(51), 'x'.repeat(201), '\u0000bob', 'bo\uD800b'];
const BAD_PASSWORDS = ['', 'p'.repeat(PASSWORD_LENGTH_MAX_CHARS + 1), 'pass\uDC00word'];
const BAD_UIDS = ['', 'not-a-uid', UID.toUpperCase(), `${UID}0`, UID.replace(/-/g, '')];
const BAD_CODES = ['', '12345', '1234567', 'abcdef', ' 123456', '12345\u0000'];
const BAD_X25519 = ['x25519:', 'x25519:AAAA', `ed25519:${'A'.repeat(43)}`, 'x'.repeat(65)];
const BAD_ED25519 = ['ed25519:', `x25519:${'A'.repeat(43)}`, `ed25519:${'A'.repeat(42)}`];
const BAD_URLS = ['u'.repeat(SERVICE_URL_LENGTH_MAX_CHARS + 1)];

/** JSON values of another type than `example`'s. */
function wrongTypeFor(example: unknown): fc.Arbitrary<unknown> {
  const kinds: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.string({ maxLength: 20 }),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), {
      maxKeys: 3,
    }),
  };
  const own =
    example === null ? 'null' : Array.isArray(example) ? 'array' : (typeof example as string);
  return fc.oneof(...Object.entries(kinds).flatMap(([kind, arb]) => (kind === own ? [] : [arb])));
}

type Mutation =
  | { readonly kind: 'replace'; readonly field: string; readonly value: unknown }
  | { readonly kind: 'drop'; readonly field: string }
  | { readonly kind: 'extra'; readonly field: string; readonly value: unknown };

function mutations(spec: ArgumentSpec, valid: Record<string, unknown>): fc.Arbitrary<Mutation> {
  const examples = { ...spec.optional, ...valid };
  const fields = Object.keys(examples);
  const replace = fc.constantFrom(...fields).chain((field) => {
    const example = examples[field];
    const known = spec.typeOnly?.includes(field) ? [] : (spec.bad[field] ?? []);
    const wrong = wrongTypeFor(example);
    const value = known.length === 0 ? wrong : fc.oneof(fc.constantFrom(...known), wrong);
    return value.map((bad): Mutation => ({ kind: 'replace', field, value: bad }));
  });
  const extra = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((field) => !fields.includes(field) && field !== '__proto__')
    .chain((field) =>
      fc.jsonValue({ maxDepth: 1 }).map((value): Mutation => ({ kind: 'extra', field, value })),
    );
  const choices = [replace, extra];
  if (spec.required.length > 0) {
    choices.push(
      fc.constantFrom(...spec.required).map((field): Mutation => ({ kind: 'drop', field })),
    );
  }
  return fc.oneof(...choices);
}

/** Broken arguments: one to three mutations on distinct fields, or not an object at all. */
function brokenArguments(spec: ArgumentSpec): fc.Arbitrary<unknown> {
  const valid = spec.valid();
  const mutated = fc
    .uniqueArray(mutations(spec, valid), {
      minLength: 1,
      maxLength: 3,
      selector: (mutation) => mutation.field,
    })
    .map((list) => {
      const args: Record<string, unknown> = { ...valid };
      for (const mutation of list) {
        if (mutation.kind === 'drop') {
          delete args[mutation.field];
        } else {
          args[mutation.field] = mutation.value;
        }
      }
      return args;
    });
  const notObject = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  );
  return fc.oneof({ weight: 5, arbitrary: mutated }, { weight: 1, arbitrary: notObject });
}

describe('malformed arguments to every identity and access function over HTTP', () => {
  const clock = createManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const infoCache = createServiceInfoCache();
  let deployment: TestDeployment;
  let grant: string;
  let specs: readonly ArgumentSpec[] = [];

  beforeAll(async () => {
    deployment = await startDeployment(clock);
    grant = (await requestGrant(clock, deployment, 'read_write')).grant;
  });

  afterAll(async () => {
    await deployment?.close();
  });

  function argumentSpecs(): readonly ArgumentSpec[] {
    const { session, user } = deployment;
    const logoutArgs = { username: user.username, sessionUid: session.sessionUid };
    const logoutAuthorisation = authorise(clock, session, 'logout', logoutArgs);
    const bucketAuthorisation = authorise(clock, session, 'request_bucket', { mode: 'read' });
    const setup: Omit<ArgumentSpec, 'service'> = {
      name: 'setup',
      valid: () => ({ password: ADMIN_PASSWORD, code: '123456' }),
      required: ['password'],
      bad: {
        password: BAD_PASSWORDS.filter((password) => password.isWellFormed()),
        code: BAD_CODES,
        addTrustedService: BAD_URLS,
        removeTrustedService: BAD_URLS,
        rotateKeys: ['yes', 1],
      },
      optional: {
        addTrustedService: 'http://a',
        removeTrustedService: 'http://a',
        rotateKeys: true,
      },
    };
    return [
      { ...setup, service: 'identity' },
      {
        name: 'register',
        service: 'identity',
        valid: () => ({ username: 'dave', password: 'dave password' }),
        required: ['username', 'password'],
        bad: { username: BAD_USERNAMES, password: BAD_PASSWORDS, oldPassword: BAD_PASSWORDS },
        optional: { oldPassword: 'old password' },
      },
      {
        name: 'request_login',
        service: 'identity',
        valid: () => ({
          username: user.username,
          publicKey: encodePublicKey('x25519', generateEncryptionKeyPair().publicKey),
          certificate: encodePublicKey('ed25519', generateSigningKeyPair().publicKey),
        }),
        required: ['username', 'publicKey', 'certificate'],
        bad: {
          username: BAD_USERNAMES,
          publicKey: BAD_X25519,
          certificate: BAD_ED25519,
          ipAddress: ['1.2.3.4\n', 'i'.repeat(65)],
          hostname: ['host\u0007', 'h'.repeat(HOSTNAME_LENGTH_MAX_CHARS + 1)],
          message: ['m'.repeat(LOGIN_MESSAGE_LENGTH_MAX_CHARS + 1), 'lone \uD800'],
        },
        optional: { ipAddress: '127.0.0.1', hostname: 'host', message: 'hello' },
      },
      {
        name: 'login',
        service: 'identity',
        valid: () => ({
          shortUid: session.shortUid,
          username: user.username,
          password: user.password,
          code: '123456',
        }),
        required: ['shortUid', 'username', 'password', 'code'],
        bad: {
          shortUid: ['', 'ZZZZZZZZ', '1234567', '123456789', '../../x'],
          username: BAD_USERNAMES,
          password: BAD_PASSWORDS,
          code: BAD_CODES,
          deviceUid: BAD_UIDS,
          rememberDevice: ['true', 1],
        },
        optional: { deviceUid: UID, rememberDevice: true },
      },
      {
        name: 'logout',
        service: 'identity',
        valid: () => ({ ...logoutArgs, authorisation: logoutAuthorisation }),
        required: ['username', 'sessionUid', 'authorisation'],
        bad: {
          username: BAD_USERNAMES,
          sessionUid: BAD_UIDS,
          authorisation: [
            {},
            { ...logoutAuthorisation, signature: 'x' },
            { ...logoutAuthorisation, extra: 1 },
            { ...logoutAuthorisation, timestampMs: -1 },
            { ...logoutAuthorisation, nonce: 'n'.repeat(23) },
            { ...logoutAuthorisation, userUid: 'nobody' },
          ],
        },
      },
      {
        name: 'get_status',
        service: 'identity',
        valid: () => ({ ...logoutArgs }),
        required: ['username', 'sessionUid'],
        bad: { username: BAD_USERNAMES, sessionUid: BAD_UIDS },
      },
      {
        name: 'get_keys',
        service: 'identity',
        valid: () => ({ userUid: user.userUid, sessionUid: session.sessionUid }),
        required: ['userUid'],
        bad: { username: BAD_USERNAMES, userUid: BAD_UIDS, sessionUid: BAD_UIDS },
        optional: { username: 'someone' },
      },
      {
        name: 'whois',
        service: 'identity',
        valid: () => ({ username: user.username }),
        required: ['username'],
        bad: { username: BAD_USERNAMES, userUid: BAD_UIDS },
        optional: { userUid: user.userUid },
      },
      { ...setup, service: 'access' },
      {
        name: 'request_bucket',
        service: 'access',
        valid: () => ({ mode: 'read', authorisation: bucketAuthorisation }),
        required: ['mode', 'authorisation'],
        bad: {
          mode: ['', 'write', 'READ', 'read,read_write'],
          lifetimeMs: [0, -1, 999, 1500.5, GRANT_LIFETIME_MS_MAX + 1],
          authorisation: [{}, 'token', { ...bucketAuthorisation, signature: 'x' }],
        },
        optional: { lifetimeMs: 60_000 },
      },
      {
        name: 'read_object',
        service: 'access',
        valid: () => ({ grant, key: 'notes/a' }),
        required: ['grant', 'key'],
        bad: {},
        typeOnly: ['grant', 'key'],
      },
      {
        name: 'write_object',
        service: 'access',
        valid: () => ({ grant, key: 'notes/a', value: 'aGVsbG8' }),
        required: ['grant', 'key', 'value'],
        bad: {},
        typeOnly: ['grant', 'key', 'value'],
      },
      {
        name: 'list_objects',
        service: 'access',
        valid: () => ({ grant }),
        required: ['grant'],
        bad: { limit: [0, -1, 1.5, LIST_PAGE_SIZE_MAX + 1] },
        optional: { prefix: 'notes', startAfter: 'notes/a', limit: 10 },
        typeOnly: ['grant', 'prefix', 'startAfter'],
      },
      {
        name: 'delete_object',
        service: 'access',
        valid: () => ({ grant, key: 'notes/a' }),
        required: ['grant', 'key'],
        bad: {},
        typeOnly: ['grant', 'key'],
      },
      {
        name: 'presign_object',
        service: 'access',
        valid: () => ({ grant, key: 'notes/a', method: 'GET' }),
        required: ['grant', 'key', 'method'],
        bad: { method: ['get', 'put', 'POST', 'DELETE', ''] },
        typeOnly: ['grant', 'key'],
      },
    ];
  }

  const names = [
    'identity setup',
    'identity register',
    'identity request_login',
    'identity login',
    'identity logout',
    'identity get_status',
    'identity get_keys',
    'identity whois',
    'access setup',
    'access request_bucket',
    'access read_object',
    'access write_object',
    'access list_objects',
    'access delete_object',
    'access presign_object',
  ];

  it.each(names)(
    '%s refuses malformed arguments with INVALID_ARGUMENT and writes nothing',
    async (label) => {
      specs = specs.length > 0 ? specs : argumentSpecs();
      const spec = specs.find((candidate) => `${candidate.service} ${candidate.name}` === label);
      if (spec === undefined) {
        throw new Error(`no argument spec for ${label}`);
      }
      const service = deployment[spec.service];
      const stores = [deployment.identity.store, deployment.access.store];

      await fc.assert(
        fc.asyncProperty(brokenArguments(spec), async (args) => {
          const before = await Promise.all(stores.map(snapshotStore));
          let refusal: unknown;
          try {
            await call(clock, service.url, spec.name, args, { infoCache });
          } catch (error) {
            refusal = error;
          }
          expect(refusal).toBeInstanceOf(AcquireError);
          expect((refusal as AcquireError).code).toBe(ErrorCode.INVALID_ARGUMENT);
          expect((refusal as AcquireError).details?.httpStatus).toBe(400);
          expect(await Promise.all(stores.map(snapshotStore))).toEqual(before);
        }),
        { numRuns: RUNS },
      );
    },
  );
});
