import { describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, utf8Decode } from '../crypto/encoding.js';
import { totpCode } from '../crypto/totp.js';
import { wrongTotpCode } from '../crypto/wrong-totp-code.js';
import { AcquireError } from '../errors.js';
import { requestResource } from '../service/request-resource.js';
import { readJson } from '../store/json.js';
import { createAuthorisation } from './authorisation.js';
import { createAuthorisationVerifier } from './authorisation-verifier.js';
import { getKeys } from './get-keys.js';
import { getStatus } from './get-status.js';
import { createLocalSessionResolver } from './local-session-resolver.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { register } from './register.js';
import {
  createCapturingLogger,
  createTestContext,
  requestSession,
  secretOf,
  snapshotStore,
  TEST_SERVICE_URL,
  TOTP_STEP_MS,
} from './test-support.js';
import { LOGIN_FAILURES_FREE } from './throttle.js';
import { openAccountKeyPair, parseUserAccount } from './user-account.js';
import { whois } from './whois.js';

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

describe('secrets', () => {
  it('keeps passwords, keys, TOTP secrets and codes out of errors, logs and results', async () => {
    const { logger, lines } = createCapturingLogger();
    const context = createTestContext({ logger, remoteAddress: '198.51.100.4' });
    const passwords = ['first secret passphrase', 'second secret passphrase', 'guessed passphrase'];
    const [first, second, guess] = passwords as [string, string, string];
    const outputs: string[] = [];
    const codes: string[] = [];
    const keys: Uint8Array[] = [];
    const record = (value: unknown) => outputs.push(JSON.stringify(value));
    const attempt = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
      try {
        const result = await run();
        record(result);
        return result;
      } catch (error) {
        expect(AcquireError.is(error)).toBe(true);
        const { message, code, details } = error as AcquireError;
        record({ message, code, details });
        return undefined;
      }
    };
    const code = () => {
      const value = totpCode(totpSecret, context.clock);
      codes.push(value);
      return value;
    };

    const registered = await register.run({ username: 'Olivia', password: first }, context);
    const totpSecret = secretOf(registered.provisioningUri ?? '');
    record({ ...registered, provisioningUri: undefined });
    await attempt(() => register.run({ username: 'olivia', password: guess }, context));

    const session = await requestSession(context, { username: 'olivia' });
    keys.push(session.keys.signing.secretKey, session.keys.encryption.secretKey);
    context.clock.advance(TOTP_STEP_MS);
    await attempt(() =>
      login.run(
        { shortUid: session.shortUid, username: 'olivia', password: guess, code: code() },
        context,
      ),
    );
    await attempt(() =>
      login.run(
        {
          shortUid: session.shortUid,
          username: 'olivia',
          password: first,
          code: wrongTotpCode(totpSecret, context.clock),
        },
        context,
      ),
    );
    const approved = await login.run(
      {
        shortUid: session.shortUid,
        username: 'olivia',
        password: first,
        code: code(),
        rememberDevice: true,
      },
      context,
    );
    const deviceSecret = secretOf(approved.deviceProvisioningUri ?? '');
    record({ ...approved, deviceProvisioningUri: undefined });

    const reuse = await requestSession(context, { username: 'olivia' });
    await attempt(() =>
      login.run(
        { shortUid: reuse.shortUid, username: 'olivia', password: first, code: codes.at(-1) ?? '' },
        context,
      ),
    );
    for (let i = 0; i < LOGIN_FAILURES_FREE; i++) {
      await attempt(() =>
        login.run(
          { shortUid: reuse.shortUid, username: 'olivia', password: guess, code: code() },
          context,
        ),
      );
    }

    const account = await readJson(context.store, 'accounts/olivia', parseUserAccount);
    keys.push((await openAccountKeyPair(account?.value ?? ({} as never), first)).secretKey);
    await attempt(() =>
      register.run({ username: 'olivia', password: second, oldPassword: guess }, context),
    );
    await attempt(() =>
      getKeys.run({ username: 'olivia', sessionUid: session.sessionUid }, context),
    );
    await attempt(() =>
      getStatus.run({ username: 'olivia', sessionUid: reuse.sessionUid }, context),
    );
    await attempt(() => whois.run({ username: 'olivia' }, context));

    const verify = createAuthorisationVerifier({
      clock: context.clock,
      resolveSession: createLocalSessionResolver(context),
    });
    const args = { username: 'olivia', sessionUid: session.sessionUid };
    const authorisation = createAuthorisation({
      userUid: registered.userUid,
      sessionUid: session.sessionUid,
      identityUrl: TEST_SERVICE_URL,
      resource: requestResource('logout', args),
      signingSecretKey: session.keys.signing.secretKey,
      clock: context.clock,
    });
    await attempt(() => verify(authorisation, { resource: 'other' }));
    await attempt(() => logout.run({ ...args, authorisation }, context));

    const secrets = [
      ...passwords,
      totpSecret,
      deviceSecret,
      ...keys.flatMap((key) => [base64UrlEncode(key), hex(key)]),
    ];
    const everything = [...outputs, ...lines];
    expect(lines.length).toBeGreaterThan(5);
    for (const text of everything) {
      for (const secret of secrets) {
        expect(text).not.toContain(secret);
      }
      for (const spent of codes) {
        expect(text).not.toMatch(new RegExp(`(?<![0-9])${spent}(?![0-9])`));
      }
    }

    const stored = [...(await snapshotStore(context.store)).values()].map((value) =>
      utf8Decode(base64UrlDecode(value)),
    );
    for (const text of stored) {
      for (const secret of [...passwords, totpSecret, deviceSecret]) {
        expect(text).not.toContain(secret);
      }
    }
  });
});
