import { describe, expect, it } from 'vitest';
import { totpCode } from '../crypto/totp.js';
import { AcquireError } from '../errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createManualClock } from '../time/clock.js';
import { getStatus } from './get-status.js';
import { login } from './login.js';
import { register } from './register.js';
import {
  createTestContext,
  registerUser,
  requestSession,
  type TestContext,
  type TestUser,
  TOTP_STEP_MS,
} from './test-support.js';
import { LOGIN_BACKOFF_BASE_MS, LOGIN_BACKOFF_MAX_MS, LOGIN_FAILURES_FREE } from './throttle.js';

/** Parallel guesses in one burst: well past the free failures. */
const BURST_ATTEMPTS = 20;

async function attempt(
  context: TestContext,
  user: TestUser,
  shortUid: string,
  password: string,
): Promise<{ code: string; retryAfterMs?: number }> {
  try {
    await login.run(
      {
        shortUid,
        username: user.username,
        password,
        code: totpCode(user.totpSecret, context.clock),
      },
      context,
    );
    return { code: 'ok' };
  } catch (error) {
    if (!AcquireError.is(error)) {
      throw error;
    }
    return { code: error.code, retryAfterMs: error.details?.retryAfterMs as number | undefined };
  }
}

describe('login throttling', () => {
  it('backs off a user after repeated failures, growing, capped, and resets after a success', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'kim');
    const { shortUid, sessionUid } = await requestSession(context, user);

    for (let i = 0; i < LOGIN_FAILURES_FREE; i++) {
      expect((await attempt(context, user, shortUid, 'wrong')).code).toBe('LOGIN_FAILED');
    }
    const blocked = await attempt(context, user, shortUid, user.password);
    expect(blocked).toEqual({ code: 'LOGIN_THROTTLED', retryAfterMs: LOGIN_BACKOFF_BASE_MS });
    expect((await getStatus.run({ username: 'kim', sessionUid }, context)).status).toBe(
      'unapproved',
    );

    context.clock.advance(LOGIN_BACKOFF_BASE_MS);
    expect((await attempt(context, user, shortUid, 'wrong')).code).toBe('LOGIN_FAILED');
    expect((await attempt(context, user, shortUid, 'wrong')).retryAfterMs).toBe(
      2 * LOGIN_BACKOFF_BASE_MS,
    );

    let retryAfterMs = 0;
    for (let i = 0; i < 16; i++) {
      context.clock.advance(LOGIN_BACKOFF_MAX_MS);
      await attempt(context, user, shortUid, 'wrong');
      retryAfterMs = (await attempt(context, user, shortUid, 'wrong')).retryAfterMs ?? 0;
    }
    expect(retryAfterMs).toBe(LOGIN_BACKOFF_MAX_MS);

    context.clock.advance(LOGIN_BACKOFF_MAX_MS + TOTP_STEP_MS);
    const fresh = await requestSession(context, user);
    expect((await attempt(context, user, fresh.shortUid, user.password)).code).toBe('ok');
    for (let i = 0; i < LOGIN_FAILURES_FREE - 1; i++) {
      expect((await attempt(context, user, fresh.shortUid, 'wrong')).code).toBe('LOGIN_FAILED');
    }
  });

  it('throttles a burst of parallel guesses as surely as a sequence', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'kurt');
    const { shortUid } = await requestSession(context, user);

    const results = await Promise.all(
      Array.from({ length: BURST_ATTEMPTS }, (_, i) =>
        attempt(context, user, shortUid, `guess ${i}`),
      ),
    );
    const outcome = results.map((result) => result.code);
    expect(outcome.filter((code) => code === 'LOGIN_FAILED')).toHaveLength(LOGIN_FAILURES_FREE);
    expect(outcome.filter((code) => code === 'LOGIN_THROTTLED')).toHaveLength(
      BURST_ATTEMPTS - LOGIN_FAILURES_FREE,
    );
  });

  it('throttles a source address across users, and not other addresses', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const attacker = createTestContext({ store, clock, remoteAddress: '203.0.113.9' });
    const bystander = createTestContext({ store, clock, remoteAddress: '2001:db8::1' });

    const victims: TestUser[] = [];
    for (let i = 0; i <= LOGIN_FAILURES_FREE; i++) {
      victims.push(await registerUser(attacker, `victim${i}`));
    }
    for (const victim of victims.slice(0, LOGIN_FAILURES_FREE)) {
      const { shortUid } = await requestSession(attacker, victim);
      expect((await attempt(attacker, victim, shortUid, 'guess')).code).toBe('LOGIN_FAILED');
    }

    const last = victims[LOGIN_FAILURES_FREE] as TestUser;
    const { shortUid } = await requestSession(attacker, last);
    expect((await attempt(attacker, last, shortUid, last.password)).code).toBe('LOGIN_THROTTLED');
    expect((await attempt(bystander, last, shortUid, last.password)).code).toBe('ok');
  });

  it('keeps counting an address that logs into its own account between guesses', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const attacker = createTestContext({ store, clock, remoteAddress: '203.0.113.7' });
    const own = await registerUser(attacker, 'mallory');
    const victims: TestUser[] = [];
    for (let i = 0; i < 2 * LOGIN_FAILURES_FREE; i++) {
      victims.push(await registerUser(attacker, `target${i}`));
    }

    const outcomes: string[] = [];
    for (const [index, victim] of victims.entries()) {
      const { shortUid } = await requestSession(attacker, victim);
      outcomes.push((await attempt(attacker, victim, shortUid, 'guess')).code);
      if (index % 2 === 1) {
        clock.advance(TOTP_STEP_MS);
        const session = await requestSession(attacker, own);
        expect((await attempt(attacker, own, session.shortUid, own.password)).code).toBe('ok');
      }
    }

    expect(outcomes.slice(0, LOGIN_FAILURES_FREE)).toEqual(
      Array(LOGIN_FAILURES_FREE).fill('LOGIN_FAILED'),
    );
    expect(outcomes.slice(LOGIN_FAILURES_FREE)).toContain('LOGIN_THROTTLED');
  });

  it('does not throttle an address from which many users log in successfully', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const office = createTestContext({ store, clock, remoteAddress: '198.51.100.20' });

    for (let i = 0; i < 3 * LOGIN_FAILURES_FREE; i++) {
      const user = await registerUser(office, `colleague${i}`);
      const { shortUid } = await requestSession(office, user);
      expect((await attempt(office, user, shortUid, user.password)).code).toBe('ok');
    }
  });

  it('holds across two service instances sharing one store', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const instances = [createTestContext({ store, clock }), createTestContext({ store, clock })];
    const user = await registerUser(instances[0] as TestContext, 'lena');
    const { shortUid } = await requestSession(instances[0] as TestContext, user);

    for (let i = 0; i < LOGIN_FAILURES_FREE; i++) {
      const instance = instances[i % 2] as TestContext;
      expect((await attempt(instance, user, shortUid, 'wrong')).code).toBe('LOGIN_FAILED');
    }
    for (const instance of instances) {
      expect((await attempt(instance, user, shortUid, user.password)).code).toBe('LOGIN_THROTTLED');
    }
  });

  it('counts wrong old passwords of a password change against the same throttle', async () => {
    const context = createTestContext();
    await registerUser(context, 'mia', 'right password');
    for (let i = 0; i < LOGIN_FAILURES_FREE; i++) {
      await expect(
        register.run({ username: 'mia', password: 'new', oldPassword: `guess ${i}` }, context),
      ).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    }
    await expect(
      register.run({ username: 'mia', password: 'new', oldPassword: 'right password' }, context),
    ).rejects.toMatchObject({ code: 'LOGIN_THROTTLED' });
  });
});
