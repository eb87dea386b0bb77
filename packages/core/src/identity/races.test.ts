import { describe, expect, it } from 'vitest';
import { totpCode } from '../crypto/totp.js';
import { AcquireError } from '../errors.js';
import { readJson } from '../store/json.js';
import { listAllKeys } from '../store/listing.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createAuthorisation } from './authorisation.js';
import { createAuthorisationVerifier } from './authorisation-verifier.js';
import { getKeys } from './get-keys.js';
import { getStatus } from './get-status.js';
import { createLocalSessionResolver } from './local-session-resolver.js';
import { login } from './login.js';
import { SESSIONS_OPEN_MAX } from './login-session.js';
import { register } from './register.js';
import {
  createBarrierStore,
  createTestContext,
  registerUser,
  requestSession,
  TEST_SERVICE_URL,
  TOTP_STEP_MS,
} from './test-support.js';
import { LOGIN_FAILURES_FREE } from './throttle.js';

const REGISTER_RACERS = 64;
/** As many racers as the throttle admits at once; every attempt counts until it succeeds. */
const CODE_RACERS = LOGIN_FAILURES_FREE;
const SESSION_RACERS = 8;

function codes(results: PromiseSettledResult<unknown>[]): string[] {
  return results.map((result) =>
    result.status === 'fulfilled'
      ? 'ok'
      : AcquireError.is(result.reason)
        ? result.reason.code
        : String(result.reason),
  );
}

describe('races', () => {
  it('creates a user once when many register one name at once', async () => {
    const context = createTestContext();
    const results = await Promise.allSettled(
      Array.from({ length: REGISTER_RACERS }, (_, i) =>
        register.run(
          { username: i % 2 === 0 ? 'Grace' : 'grace', password: `password ${i}` },
          context,
        ),
      ),
    );

    const outcome = codes(results);
    expect(outcome.filter((code) => code === 'ok')).toHaveLength(1);
    expect(outcome.filter((code) => code === 'USERNAME_TAKEN')).toHaveLength(REGISTER_RACERS - 1);

    const winner = results.find((result) => result.status === 'fulfilled');
    const account = await readJson(context.store, 'accounts/grace');
    expect(account?.value).toMatchObject({
      userUid: winner?.status === 'fulfilled' ? winner.value.userUid : 'none',
    });
    expect(await listAllKeys(context.store, 'whois')).toHaveLength(1);
  });

  it('lets exactly one of several racing logins spend a code, and marks every session suspicious', async () => {
    const context = createTestContext({
      store: createBarrierStore(createMemoryStore(), 'otps/', CODE_RACERS),
    });
    const user = await registerUser(context, 'heidi');
    const sessions = [];
    for (let i = 0; i < CODE_RACERS; i++) {
      sessions.push(await requestSession(context, user));
    }

    context.clock.advance(TOTP_STEP_MS);
    const code = totpCode(user.totpSecret, context.clock);
    const results = await Promise.allSettled(
      sessions.map((session) =>
        login.run(
          { shortUid: session.shortUid, username: 'heidi', password: user.password, code },
          context,
        ),
      ),
    );

    const outcome = codes(results);
    expect(outcome.filter((result) => result === 'ok')).toHaveLength(1);
    expect(outcome.filter((result) => result === 'ONE_TIME_CODE_REUSED')).toHaveLength(
      CODE_RACERS - 1,
    );
    for (const session of sessions) {
      const { status } = await getStatus.run(
        { username: 'heidi', sessionUid: session.sessionUid },
        context,
      );
      expect(status).toBe('suspicious');
      await expect(
        getKeys.run({ userUid: user.userUid, sessionUid: session.sessionUid }, context),
      ).rejects.toMatchObject({ code: 'SESSION_SUSPICIOUS' });
    }
  });

  it('approves a login form submitted twice at once only once, without suspicion', async () => {
    const context = createTestContext({
      store: createBarrierStore(createMemoryStore(), 'otps/', 2),
    });
    const user = await registerUser(context, 'hank');
    const session = await requestSession(context, user);
    context.clock.advance(TOTP_STEP_MS);
    const code = totpCode(user.totpSecret, context.clock);
    const submit = () =>
      login.run(
        { shortUid: session.shortUid, username: 'hank', password: user.password, code },
        context,
      );

    const outcome = codes(await Promise.allSettled([submit(), submit()]));
    expect(outcome.sort()).toEqual(['SESSION_NOT_PENDING', 'ok']);
    const { status } = await getStatus.run(
      { username: 'hank', sessionUid: session.sessionUid },
      context,
    );
    expect(status).toBe('approved');
  });

  it('refuses a code reused after a completed login and stops the first session signing', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'ivan');
    const first = await requestSession(context, user);
    const second = await requestSession(context, user);
    context.clock.advance(TOTP_STEP_MS);
    const code = totpCode(user.totpSecret, context.clock);

    await login.run(
      { shortUid: first.shortUid, username: 'ivan', password: user.password, code },
      context,
    );
    const verify = createAuthorisationVerifier({
      clock: context.clock,
      resolveSession: createLocalSessionResolver(context),
      cacheTtlMs: 0,
    });
    const authorisation = createAuthorisation({
      userUid: user.userUid,
      sessionUid: first.sessionUid,
      identityUrl: TEST_SERVICE_URL,
      resource: 'r',
      signingSecretKey: first.keys.signing.secretKey,
      clock: context.clock,
    });
    await expect(verify(authorisation, { resource: 'r' })).resolves.toBeDefined();

    context.clock.advance(TOTP_STEP_MS / 2);
    await expect(
      login.run(
        { shortUid: second.shortUid, username: 'ivan', password: user.password, code },
        context,
      ),
    ).rejects.toMatchObject({ code: 'ONE_TIME_CODE_REUSED' });
    await expect(verify(authorisation, { resource: 'r' })).rejects.toMatchObject({
      code: 'SESSION_SUSPICIOUS',
    });
  });

  it('never leaves more than the allowed sessions open when requests race at the cap', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'judy');
    for (let i = 1; i < SESSIONS_OPEN_MAX; i++) {
      await requestSession(context, user);
    }

    const results = await Promise.allSettled(
      Array.from({ length: SESSION_RACERS }, () => requestSession(context, user)),
    );
    const outcome = codes(results);
    const open = await listAllKeys(context.store, 'sessions/judy');
    expect(open.length).toBeLessThanOrEqual(SESSIONS_OPEN_MAX);
    expect(open.length).toBe(SESSIONS_OPEN_MAX - 1 + outcome.filter((c) => c === 'ok').length);
    expect(outcome.every((c) => c === 'ok' || c === 'TOO_MANY_SESSIONS')).toBe(true);
    expect(await listAllKeys(context.store, 'requests')).toHaveLength(open.length);
  });
});
