import { describe, expect, it } from 'vitest';
import { totpCode } from '../crypto/totp.js';
import type { SessionCertificateResolver } from '../service/authorisation-verifier.js';
import { requestResource } from '../service/request-resource.js';
import { listAllKeys } from '../store/listing.js';
import { createMemoryStore } from '../store/memory-store.js';
import { type Authorisation, createAuthorisation } from './authorisation.js';
import {
  AUTHORISATION_CLOCK_SKEW_MS,
  AUTHORISATION_STALE_MS,
  type AuthorisationVerifierOptions,
  CERTIFICATE_CACHE_TTL_MS,
  createAuthorisationVerifier,
  pruneSpentNonces,
} from './authorisation-verifier.js';
import { createLocalSessionResolver } from './local-session-resolver.js';
import { login } from './login.js';
import { logout } from './logout.js';
import {
  createClientKeys,
  createTestContext,
  logIn,
  registerUser,
  requestSession,
  TEST_SERVICE_URL,
  type TestContext,
  type TestSession,
  type TestUser,
  TOTP_STEP_MS,
} from './test-support.js';

const RESOURCE = 'accounts/main';

async function setUp() {
  const context = createTestContext();
  const user = await registerUser(context, 'nina');
  const session = await logIn(context, user);
  return { context, user, session };
}

function sign(
  context: TestContext,
  user: TestUser,
  session: TestSession,
  overrides: Partial<Parameters<typeof createAuthorisation>[0]> = {},
): Authorisation {
  return createAuthorisation({
    userUid: user.userUid,
    sessionUid: session.sessionUid,
    identityUrl: TEST_SERVICE_URL,
    resource: RESOURCE,
    signingSecretKey: session.keys.signing.secretKey,
    clock: context.clock,
    ...overrides,
  });
}

function countingResolver(context: TestContext): {
  resolve: SessionCertificateResolver;
  calls: () => number;
} {
  const local = createLocalSessionResolver(context);
  let calls = 0;
  return {
    resolve: (...args) => {
      calls++;
      return local(...args);
    },
    calls: () => calls,
  };
}

function verifierFor(context: TestContext, options: Partial<AuthorisationVerifierOptions> = {}) {
  return createAuthorisationVerifier({
    clock: context.clock,
    resolveSession: createLocalSessionResolver(context),
    ...options,
  });
}

describe('authorisations', () => {
  it('refuses malformed authorisations as invalid arguments', async () => {
    const { context, user, session } = await setUp();
    const verify = verifierFor(context);
    const good = sign(context, user, session);
    const malformed: unknown[] = [
      null,
      'text',
      {},
      { ...good, extra: 1 },
      { ...good, timestampMs: '1' },
      { ...good, nonce: 'short' },
      { ...good, signature: `${good.signature.slice(1)}!` },
      { ...good, userUid: 'not-a-uid' },
      { ...good, resource: 'x'.repeat(5000) },
    ];
    for (const value of malformed) {
      await expect(verify(value, { resource: RESOURCE })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    expect(() => sign(context, user, session, { resource: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('refuses untrusted identities, other resources, stale and future ones, and bad signatures', async () => {
    const { context, user, session } = await setUp();
    const verify = verifierFor(context, { isTrustedIdentity: (url) => url === TEST_SERVICE_URL });
    const refuse = (value: unknown, code: string, resource = RESOURCE) =>
      expect(verify(value, { resource })).rejects.toMatchObject({ code });

    await refuse(
      sign(context, user, session, { identityUrl: 'https://evil.test' }),
      'UNTRUSTED_IDENTITY',
    );
    await expect(
      verifierFor(context)(sign(context, user, session, { identityUrl: 'https://evil.test' }), {
        resource: RESOURCE,
      }),
    ).rejects.toMatchObject({ code: 'UNTRUSTED_IDENTITY' });
    await refuse(sign(context, user, session), 'WRONG_RESOURCE', 'accounts/other');

    const old = sign(context, user, session);
    context.clock.advance(AUTHORISATION_STALE_MS);
    await expect(verify(old, { resource: RESOURCE })).resolves.toBeDefined();
    context.clock.advance(1);
    await refuse(old, 'AUTHORISATION_STALE');

    const ahead = { now: () => context.clock.now() + AUTHORISATION_CLOCK_SKEW_MS + 1 };
    await refuse(sign(context, user, session, { clock: ahead }), 'AUTHORISATION_STALE');

    const tampered = { ...sign(context, user, session), resource: 'accounts/other' };
    await refuse(tampered, 'INVALID_SIGNATURE', 'accounts/other');
    const stranger = createClientKeys();
    await refuse(
      sign(context, user, session, { signingSecretKey: stranger.signing.secretKey }),
      'INVALID_SIGNATURE',
    );
    await refuse(
      sign(context, user, session, { userUid: '00000000-0000-4000-8000-000000000000' }),
      'USER_NOT_FOUND',
    );
  });

  it('refuses sessions that are not approved, and stops refusing once they are', async () => {
    const { context, user } = await setUp();
    const pending = await requestSession(context, user);
    const verify = verifierFor(context);
    const authorisation = sign(context, user, pending);
    await expect(verify(authorisation, { resource: RESOURCE })).rejects.toMatchObject({
      code: 'SESSION_NOT_APPROVED',
    });

    context.clock.advance(TOTP_STEP_MS);
    const code = totpCode(user.totpSecret, context.clock);
    await login.run(
      { shortUid: pending.shortUid, username: 'nina', password: user.password, code },
      context,
    );
    await expect(
      verify(sign(context, user, pending), { resource: RESOURCE }),
    ).resolves.toBeDefined();
  });

  it('spends single-use authorisations once and prunes their nonces when stale', async () => {
    const { context, user, session } = await setUp();
    const nonces = createMemoryStore();
    const verify = verifierFor(context, { store: nonces });
    const authorisation = sign(context, user, session);

    await expect(verify(authorisation, { resource: RESOURCE })).resolves.toBeDefined();
    await expect(verify(authorisation, { resource: RESOURCE })).resolves.toBeDefined();
    await expect(
      verify(authorisation, { resource: RESOURCE, singleUse: true }),
    ).resolves.toBeDefined();
    await expect(
      verify(authorisation, { resource: RESOURCE, singleUse: true }),
    ).rejects.toMatchObject({
      code: 'AUTHORISATION_REPLAYED',
    });
    await expect(
      verifierFor(context)(authorisation, { resource: RESOURCE, singleUse: true }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });

    expect(await pruneSpentNonces(nonces, context.clock)).toBe(0);
    context.clock.advance(AUTHORISATION_STALE_MS * 2);
    expect(await pruneSpentNonces(nonces, context.clock)).toBe(1);
    expect(await listAllKeys(nonces, '')).toEqual([]);
  });

  it('caches verified certificates for a while, so a logout is seen only when the cache expires', async () => {
    const { context, user, session } = await setUp();
    const cached = countingResolver(context);
    const uncached = countingResolver(context);
    const verifyCached = verifierFor(context, { resolveSession: cached.resolve });
    const verifyUncached = verifierFor(context, {
      resolveSession: uncached.resolve,
      cacheTtlMs: 0,
    });

    for (let i = 0; i < 3; i++) {
      await verifyCached(sign(context, user, session), { resource: RESOURCE });
      await verifyUncached(sign(context, user, session), { resource: RESOURCE });
    }
    expect(cached.calls()).toBe(1);
    expect(uncached.calls()).toBe(3);

    const args = { username: user.username, sessionUid: session.sessionUid };
    await logout.run(
      {
        ...args,
        authorisation: sign(context, user, session, { resource: requestResource('logout', args) }),
      },
      context,
    );
    context.clock.advance(1);
    const afterLogout = sign(context, user, session);
    await expect(verifyUncached(afterLogout, { resource: RESOURCE })).rejects.toMatchObject({
      code: 'SESSION_LOGGED_OUT',
    });
    await expect(verifyCached(afterLogout, { resource: RESOURCE })).resolves.toBeDefined();
    context.clock.advance(CERTIFICATE_CACHE_TTL_MS);
    await expect(verifyCached(afterLogout, { resource: RESOURCE })).rejects.toMatchObject({
      code: 'SESSION_LOGGED_OUT',
    });
  });
});
