import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AcquireError,
  base64UrlDecode,
  base64UrlEncode,
  createAuthorisation,
  createManualClock,
  requestResource,
  SCRYPT_LOG_N_MIN,
  SESSION_CERTIFICATE_CACHE_TTL_MS,
  TOTP_PERIOD_S,
  totpCode,
  utf8Decode,
  utf8Encode,
} from '@acquire/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessClient } from '../clients/access-client.js';
import { createAccountingClient } from '../clients/accounting-client.js';
import { approveOnLoginPage } from '../demo/login-page-visit.js';
import { createUser, type User } from '../user/user.js';
import { type LocalDeployment, startLocalDeployment } from './local-deployment.js';

const PASSWORD = 'a password for the deployment test';

async function caught(promise: Promise<unknown>): Promise<AcquireError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AcquireError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('a local deployment: three services on loopback, one directory store each', () => {
  const clock = createManualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  let dataDirectory: string;
  let deployment: LocalDeployment;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'acquire-local-'));
    deployment = await startLocalDeployment({
      dataDirectory,
      servicePassword: 'service password for the test',
      adminPassword: 'admin password for the test',
      fsync: false,
      clock,
      scryptLogN: SCRYPT_LOG_N_MIN,
    });
  });

  afterAll(async () => {
    await deployment?.close();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  async function loggedIn(username: string): Promise<User> {
    const user = createUser({
      identityUrl: deployment.urls.identity,
      username,
      clock,
      callOptions: { clock },
    });
    const { provisioningUri } = await user.register(PASSWORD);
    const secret = new URL(provisioningUri).searchParams.get('secret') ?? '';
    clock.advance(TOTP_PERIOD_S * 1000);

    const session = await user.requestLogin();
    await approveOnLoginPage(session.loginUrl, {
      username,
      password: PASSWORD,
      code: totpCode(secret, clock),
    });
    await user.waitForApproval();
    return user;
  }

  it('sets every service up with its own store, trusting the identity service', async () => {
    expect((await readdir(dataDirectory)).sort()).toEqual(['access', 'accounting', 'identity']);
    expect(Object.keys(deployment.adminProvisioningUris).sort()).toEqual([
      'access',
      'accounting',
      'identity',
    ]);

    for (const url of Object.values(deployment.urls)) {
      const info = await (await fetch(url)).json();
      expect(info.setUp).toBe(true);
    }
  });

  it('moves money with authorisations the accounting service checks over HTTP', async () => {
    const accounting = createAccountingClient(deployment.urls.accounting, { clock });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const { account: shop } = await accounting.createAccount(
      bob.authoriseCall('create_account', { name: 'shop' }),
    );
    const deposit = await accounting.deposit(alice.authoriseCall('deposit', { value: '40' }));
    const depositsUid = deposit.transactions[0]?.creditAccountUid ?? '';

    await accounting.perform(
      alice.authoriseCall('perform', {
        transactions: [
          {
            debitAccountUid: depositsUid,
            creditAccountUid: shop.uid,
            value: '15',
            description: 'x',
          },
        ],
      }),
    );
    const forged = alice.authoriseCall('perform', {
      transactions: [
        { debitAccountUid: depositsUid, creditAccountUid: shop.uid, value: '1', description: 'x' },
      ],
    });
    const tampered = await caught(
      accounting.perform({
        ...forged,
        transactions: [{ ...forged.transactions[0], value: '25' }],
      }),
    );
    const shopInfo = await accounting.getInfo(bob.authoriseCall('get_info', { account: 'shop' }));

    expect(tampered.code).toBe('WRONG_RESOURCE');
    expect(shopInfo.balance.balance).toBe('15');
  });

  it('grants a bucket whose token reads and writes objects within it', async () => {
    const access = createAccessClient(deployment.urls.access, { clock });
    const carol = await loggedIn('carol');
    const { grant } = await access.requestBucket(
      carol.authoriseCall('request_bucket', { mode: 'read_write' }),
    );

    await access.writeObject({
      grant,
      key: 'notes/today.txt',
      value: base64UrlEncode(utf8Encode('hello')),
    });
    const read = await access.readObject({ grant, key: 'notes/today.txt' });
    const outside = await caught(access.readObject({ grant, key: '../other/secret' }));

    expect(read.found && utf8Decode(base64UrlDecode(read.value))).toBe('hello');
    expect(outside.code).toMatch(/INVALID_KEY|GRANT_OUT_OF_SCOPE/);
  });

  it('refuses an authorisation signed after logout, once the certificate cache expired', async () => {
    const accounting = createAccountingClient(deployment.urls.accounting, { clock });
    const dave = await loggedIn('dave');
    await accounting.getAccountUids(dave.authoriseCall('get_account_uids', {}));
    const keys = dave.session();
    if (keys === undefined) {
      throw new Error('dave has no session');
    }

    await dave.logout();
    clock.advance(SESSION_CERTIFICATE_CACHE_TTL_MS + 1000);
    const signedAfter = createAuthorisation({
      userUid: keys.userUid,
      sessionUid: keys.sessionUid,
      identityUrl: keys.identityUrl,
      resource: requestResource('get_account_uids', {}),
      signingSecretKey: keys.signingSecretKey,
      clock,
    });
    const refused = await caught(accounting.getAccountUids({ authorisation: signedAfter }));

    expect(refused.code).toBe('SESSION_LOGGED_OUT');
  });
});
