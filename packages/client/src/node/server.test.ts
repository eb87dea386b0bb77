import {
  AcquireError,
  callFunction,
  createRemoteSessionResolver,
  createTrustedServiceCheck,
  decodePublicKey,
  defineServiceFunction,
  ErrorCode,
  parseServicePublicInfo,
  REQUEST_BODY_BYTES_MAX,
  type ServiceContext,
  type SessionCertificateResolver,
  sealCall,
  totpCode,
} from '@acquire/core';
import { wrongTotpCode } from '@acquire/core/testing';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  adminSetup,
  createManualClock,
  echo,
  httpCallOptions,
  remember,
  seedLoginRequest,
  setUpAdmin,
  snapshotStore,
  startTestService,
  TEST_CERTIFICATE,
  type TestService,
  testGetKeys,
  testLogin,
} from '../../test/service-fixtures.js';

interface BooksContext extends ServiceContext {
  readonly resolveSession: SessionCertificateResolver;
}

/** An accounting-side function that asks the identity service over HTTP. */
const sessionCertificate = defineServiceFunction(
  'session_certificate',
  v.object({ identityUrl: v.string(), userUid: v.string(), sessionUid: v.string() }),
  async (args, context: BooksContext) => ({
    session: await context.resolveSession(args.identityUrl, args.userUid, args.sessionUid),
  }),
);

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

describe('services on node:http', () => {
  const clock = createManualClock();
  let identity: TestService;
  let books: TestService;
  let identitySecret: string;
  let booksSecret: string;

  beforeAll(async () => {
    identity = await startTestService(clock, 'identity', [testLogin, testGetKeys, echo]);
    books = await startTestService(
      clock,
      'accounting',
      [echo, remember, sessionCertificate],
      (runtime) => ({
        resolveSession: createRemoteSessionResolver({
          store: runtime.store,
          clock: runtime.clock,
          fetchImpl: runtime.fetchImpl,
        }),
      }),
    );
    identitySecret = await setUpAdmin(clock, identity.url);
    booksSecret = await setUpAdmin(clock, books.url);
  });

  afterAll(async () => {
    await Promise.all([identity.server.close(), books.server.close()]);
  });

  it('serves public info at GET /', async () => {
    const response = await fetch(`${identity.url}/`);
    expect(response.status).toBe(200);
    const info = parseServicePublicInfo(await response.json());
    expect(info).toMatchObject({
      type: 'identity',
      url: identity.url,
      setUp: true,
      protocolVersion: 1,
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets up mutual trust with the admin password and code, refusing a wrong code', async () => {
    const before = await snapshotStore(books.store);
    clock.advance(30_000);
    const wrong = wrongTotpCode(booksSecret, clock);
    const refused = await caught(
      callFunction(
        books.url,
        'setup',
        { password: ADMIN_PASSWORD, code: wrong, addTrustedService: identity.url },
        httpCallOptions(clock),
      ),
    );
    expect(refused.code).toBe(ErrorCode.ADMIN_AUTHENTICATION_FAILED);
    expect(await snapshotStore(books.store)).toEqual(before);

    const added = await adminSetup(clock, books.url, booksSecret, {
      addTrustedService: identity.url,
    });
    expect(added.trustedServices).toEqual([identity.url]);
    await adminSetup(clock, identity.url, identitySecret, { addTrustedService: books.url });
    expect(await createTrustedServiceCheck(books.store)(identity.url)).toBe(true);
    expect(await createTrustedServiceCheck(identity.store, 'accounting')(books.url)).toBe(true);
  });

  it('calls across services: accounting fetches a session certificate from identity', async () => {
    const args = { identityUrl: identity.url, userUid: 'user-7', sessionUid: 'session-9' };
    const result = await callFunction(
      books.url,
      'session_certificate',
      args,
      httpCallOptions(clock),
    );
    expect(result.session).toMatchObject({
      userUid: 'user-7',
      sessionUid: 'session-9',
      certificate: TEST_CERTIFICATE,
    });

    await adminSetup(clock, books.url, booksSecret, { removeTrustedService: identity.url });
    const untrusted = await caught(
      callFunction(books.url, 'session_certificate', args, httpCallOptions(clock)),
    );
    expect(untrusted.code).toBe(ErrorCode.SERVICE_NOT_TRUSTED);
    await adminSetup(clock, books.url, booksSecret, { addTrustedService: identity.url });
  });

  it('carries sealed arguments and sealed, signed replies over HTTP', async () => {
    const text = 'über 🚀 <b>';
    expect(await callFunction(identity.url, 'echo', { text }, httpCallOptions(clock))).toEqual({
      text,
    });
    const plain = httpCallOptions(clock, { sealReply: false, signReply: false });
    expect(
      await callFunction(books.url, 'remember', { name: 'tea', note: 'green' }, plain),
    ).toEqual({
      stored: 'tea',
    });
  });

  it('refuses hostile bodies with their codes, writing nothing', async () => {
    const info = parseServicePublicInfo(await (await fetch(books.url)).json());
    const key = decodePublicKey('x25519', info.encryptionKey);
    const envelope = sealCall('remember', { name: 'x', note: 'y' }, key, {
      signReply: false,
      timestampMs: 0,
    });
    const cases: [BodyInit, string, number][] = [
      ['x'.repeat(REQUEST_BODY_BYTES_MAX + 1), ErrorCode.BODY_TOO_LARGE, 413],
      ['{"v":1,', ErrorCode.MALFORMED_ENVELOPE, 400],
      [JSON.stringify({ ...envelope, v: 9 }), ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, 400],
      [JSON.stringify({ ...envelope, function: 'nope' }), ErrorCode.UNKNOWN_FUNCTION, 404],
      [
        JSON.stringify({ ...envelope, args: envelope.args.slice(0, -4) }),
        ErrorCode.ARGUMENTS_UNDECRYPTABLE,
        400,
      ],
    ];
    const before = await snapshotStore(books.store);
    for (const [body, code, status] of cases) {
      const response = await fetch(`${books.url}/`, { method: 'POST', body });
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ status: 'error', code });
    }
    expect(await snapshotStore(books.store)).toEqual(before);
  });

  it('serves the login page and approves a session through its form', async () => {
    const totpSecret = await seedLoginRequest(identity.store, 'Qx7Lm2Pa', 'bob', 'bob password');
    const page = await fetch(`${identity.url}/s?id=Qx7Lm2Pa`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('<label for="code">One-time code</label>');

    const post = (code: string) =>
      fetch(`${identity.url}/s`, {
        method: 'POST',
        body: new URLSearchParams({
          id: 'Qx7Lm2Pa',
          username: 'bob',
          password: 'bob password',
          code,
        }),
      });
    const right = totpCode(totpSecret, clock);
    const failed = await post(wrongTotpCode(totpSecret, clock));
    expect(failed.status).toBe(401);
    const failedPage = await failed.text();
    expect(failedPage).toContain('role="alert"');
    expect(failedPage).not.toContain('bob password');

    const approved = await post(right);
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('Login approved');
    const { readJson } = await import('@acquire/core');
    expect((await readJson(identity.store, 'test-requests/Qx7Lm2Pa'))?.value).toMatchObject({
      status: 'approved',
    });
  });
});
