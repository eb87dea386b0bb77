import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { requestResource } from '../service/request-resource.js';
import { KEY_LENGTH_MAX_BYTES } from '../store/keys.js';
import { LIST_PAGE_SIZE_MAX } from '../store/object-store.js';
import type { AccessContext } from './access-context.js';
import {
  GRANT_LIFETIME_MS_MAX,
  PERMISSIONS_LIFETIME_MS_MAX_DEFAULT,
} from './access-permissions.js';
import {
  type AccessTestbed,
  createAccessTestbed,
  createHmacPresigner,
  snapshotStore,
} from './access-testbed.test-helper.js';
import {
  ACCESS_OBJECT_SIZE_MAX_BYTES,
  deleteObject,
  listObjects,
  readObject,
  writeObject,
} from './object-functions.js';
import { presignObject } from './presign-object.js';
import { requestBucket } from './request-bucket.js';

const RUNS = 100;
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

const junk = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constant(undefined),
  fc.constant(null),
);

/** Keys that break the key rules or try to climb out of the granted prefix. */
const badKey = fc.oneof(
  fc.constant(''),
  fc.string().map((tail) => `../${tail}`),
  fc.string().map((tail) => `/${tail}`),
  fc.string().map((head) => `${head}//x`),
  fc.string().map((head) => `${head}/..`),
  fc.string().map((tail) => `./${tail}`),
  fc.string().map((middle) => `x${middle}\u0000`),
  fc.string().map((head) => `${head}\ud800`),
  fc.string({ minLength: KEY_LENGTH_MAX_BYTES + 1, maxLength: KEY_LENGTH_MAX_BYTES + 50 }),
);

const badValue = fc.oneof(
  junk.filter((value) => typeof value !== 'string'),
  fc.string().map((text) => `!${text}`),
  fc.constant('A'),
  fc.constant('A'.repeat(Math.ceil((ACCESS_OBJECT_SIZE_MAX_BYTES * 4) / 3) + 4)),
);

const badLimit = fc.oneof(
  fc.constantFrom(0, -1, LIST_PAGE_SIZE_MAX + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5'),
  junk.filter((value) => typeof value !== 'number' && value !== undefined),
);

/** Every field name an access function takes; extra fields are drawn from other names. */
const ARGUMENT_NAMES = [
  'authorisation',
  'mode',
  'lifetimeMs',
  'grant',
  'key',
  'value',
  'prefix',
  'startAfter',
  'limit',
  'method',
];

/** What the tests need of an access function. */
interface AccessFunction {
  readonly name: string;
  run(args: unknown, context: AccessContext): Promise<unknown>;
}

let testbed: AccessTestbed;
let writable: string;
let readable: string;

beforeAll(async () => {
  testbed = createAccessTestbed({ sharedStore: false, presigner: createHmacPresigner() });
  writable = (await testbed.requestGrant('alice', 'read_write')).grant;
  readable = (await testbed.requestGrant('alice', 'read')).grant;
  await testbed.storage.write('buckets/alice/kept', utf8Encode('kept'));
  await testbed.context.store.write('service/record', utf8Encode('state'));
});

/** A grant token with one character changed. */
function tamperedGrant(token: () => string) {
  return fc
    .tuple(fc.nat(), fc.constantFrom(...'AQgw_-.x'))
    .map(([position, character]) => {
      const text = token();
      const index = position % text.length;
      return `${text.slice(0, index)}${character}${text.slice(index + 1)}`;
    })
    .filter((text) => text !== writable && text !== readable);
}

function withExtraField(args: () => Record<string, unknown>) {
  return fc
    .tuple(
      fc.string().filter((name) => !ARGUMENT_NAMES.includes(name)),
      junk,
    )
    .map(([name, value]) => Object.assign(Object.create(null), args(), { [name]: value }));
}

async function expectRefusedWithoutChange(fn: AccessFunction, args: unknown): Promise<void> {
  const storageBefore = await snapshotStore(testbed.storage);
  const storeBefore = await snapshotStore(testbed.context.store);

  // `run` validates before it returns its promise, so bad arguments may throw synchronously.
  const outcome = await (async () => fn.run(args, testbed.context))().then(
    () => undefined,
    (error: unknown) => error,
  );

  expect(AcquireError.is(outcome), `${fn.name} accepted or threw a non-Acquire error`).toBe(true);
  expect(KNOWN_CODES.has((outcome as AcquireError).code)).toBe(true);
  expect(await snapshotStore(testbed.storage)).toEqual(storageBefore);
  expect(await snapshotStore(testbed.context.store)).toEqual(storeBefore);
}

function property<T>(fn: AccessFunction, arbitrary: fc.Arbitrary<T>): Promise<void> {
  return fc.assert(
    fc.asyncProperty(arbitrary, (args) => expectRefusedWithoutChange(fn, args)),
    { numRuns: RUNS },
  );
}

describe('malformed arguments get a typed error and change nothing', () => {
  it('for request_bucket', async () => {
    const authorised = (mode: string, lifetimeMs?: number | string) => {
      const args = lifetimeMs === undefined ? { mode } : { mode, lifetimeMs };
      const resource = requestResource('request_bucket', args);
      return { ...args, authorisation: testbed.identity.authorise('carol', resource) };
    };

    await property(
      requestBucket,
      fc.oneof(
        junk,
        junk.map((authorisation) => ({ authorisation, mode: 'read' })),
        junk
          .filter((mode) => mode !== 'read' && mode !== 'read_write')
          .map((mode) => ({ ...authorised('read'), mode })),
        fc
          .oneof(
            fc.integer({ max: 999 }),
            fc.integer({ min: GRANT_LIFETIME_MS_MAX + 1 }),
            fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
            fc.string(),
          )
          .map((lifetimeMs) => authorised('read', lifetimeMs)),
        fc
          .constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)
          .map((lifetimeMs) => ({ ...authorised('read'), lifetimeMs })),
        fc
          .integer({ min: PERMISSIONS_LIFETIME_MS_MAX_DEFAULT + 1, max: GRANT_LIFETIME_MS_MAX })
          .map((lifetimeMs) => authorised('read_write', lifetimeMs)),
        withExtraField(() => authorised('read')),
      ),
    );
  });

  it('for read_object and delete_object', async () => {
    for (const fn of [readObject, deleteObject]) {
      await property(
        fn,
        fc.oneof(
          junk,
          junk.map((grant) => ({ grant, key: 'kept' })),
          tamperedGrant(() => writable).map((grant) => ({ grant, key: 'kept' })),
          badKey.map((key) => ({ grant: writable, key })),
          junk.filter((key) => typeof key !== 'string').map((key) => ({ grant: writable, key })),
          withExtraField(() => ({ grant: writable, key: 'kept' })),
        ),
      );
    }
    await expectRefusedWithoutChange(deleteObject, { grant: readable, key: 'kept' });
  });

  it('for write_object', async () => {
    const value = base64UrlEncode(utf8Encode('new'));

    await property(
      writeObject,
      fc.oneof(
        junk,
        junk.map((grant) => ({ grant, key: 'kept', value })),
        tamperedGrant(() => writable).map((grant) => ({ grant, key: 'kept', value })),
        fc.constant({ grant: readable, key: 'kept', value }),
        badKey.map((key) => ({ grant: writable, key, value })),
        badValue.map((bad) => ({ grant: writable, key: 'kept', value: bad })),
        withExtraField(() => ({ grant: writable, key: 'kept', value })),
      ),
    );
  });

  it('for list_objects', async () => {
    await property(
      listObjects,
      fc.oneof(
        junk,
        junk.map((grant) => ({ grant })),
        tamperedGrant(() => readable).map((grant) => ({ grant })),
        badKey.filter((key) => key !== '').map((prefix) => ({ grant: readable, prefix })),
        badKey.map((startAfter) => ({ grant: readable, startAfter })),
        badLimit.map((limit) => ({ grant: readable, limit })),
        withExtraField(() => ({ grant: readable })),
      ),
    );
  });

  it('for presign_object', async () => {
    const badMethod = junk.filter((method) => method !== 'GET' && method !== 'PUT');

    await property(
      presignObject,
      fc.oneof(
        junk,
        junk.map((grant) => ({ grant, key: 'kept', method: 'GET' })),
        tamperedGrant(() => writable).map((grant) => ({ grant, key: 'kept', method: 'PUT' })),
        fc.constant({ grant: readable, key: 'kept', method: 'PUT' }),
        fc.constant({ grant: writable, key: '.bucket', method: 'PUT' }),
        fc.constantFrom('get', 'put', 'POST', 'DELETE').map((method) => ({
          grant: writable,
          key: 'kept',
          method,
        })),
        badMethod.map((method) => ({ grant: writable, key: 'kept', method })),
        badKey.map((key) => ({ grant: writable, key, method: 'GET' })),
        withExtraField(() => ({ grant: writable, key: 'kept', method: 'GET' })),
      ),
    );
  });
});
