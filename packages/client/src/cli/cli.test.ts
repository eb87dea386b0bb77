import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, totpCode } from '@acquire/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleCli,
  type CliResult,
  runCli,
  type ServeProcess,
  startServe,
} from '../../test/cli-process.js';

const SERVICE_ENV = {
  ACQUIRE_SERVICE_PASSWORD: 'service password for the cli test',
  ACQUIRE_ADMIN_PASSWORD: 'admin password for the cli test',
};

const COMMANDS = [
  'register',
  'login',
  'whoami',
  'logout',
  'accounts',
  'balance',
  'deposit',
  'pay',
  'statement',
  'serve',
];

/** A stack trace line, as Node prints them. */
const STACK_LINE = /^\s+at /m;

let bundle: string;
let directory: string;
let serve: ServeProcess;

beforeAll(async () => {
  bundle = await bundleCli();
  directory = await mkdtemp(join(tmpdir(), 'acquire-cli-test-'));
  serve = await startServe(bundle, ['--data', join(directory, 'data')], SERVICE_ENV);
}, 120_000);

afterAll(async () => {
  await serve?.stop();
  await rm(directory, { recursive: true, force: true });
});

/** The environment of one user's terminal. */
function userEnv(username: string): Record<string, string> {
  return {
    ACQUIRE_WALLET_DIR: join(directory, `${username}-wallet`),
    ACQUIRE_PASSWORD: `${username}'s password for the cli test`,
    ACQUIRE_WALLET_PASSWORD: `${username}'s wallet password`,
    ACQUIRE_IDENTITY_URL: serve.urls.identity ?? '',
    ACQUIRE_ACCOUNTING_URL: serve.urls.accounting ?? '',
  };
}

async function acquire(username: string, ...args: string[]): Promise<CliResult> {
  return runCli(bundle, args, userEnv(username));
}

async function acquireJson<T>(username: string, ...args: string[]): Promise<T> {
  const result = await acquire(username, '--json', ...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface Registration {
  readonly userUid: string;
  readonly provisioningUri: string;
}

interface AccountInfo {
  readonly account: { readonly name: string; readonly uid: string };
  readonly balance: { readonly balance: string; readonly available: string };
}

async function registerAndLogIn(username: string): Promise<string> {
  const registration = await acquireJson<Registration>(
    username,
    'register',
    '--username',
    username,
  );
  const secret = new URL(registration.provisioningUri).searchParams.get('secret') ?? '';

  const login = await acquire(
    username,
    'login',
    '--username',
    username,
    '--code',
    totpCode(secret, systemClock),
  );
  expect(login.stdout.trim()).toBe(`logged in as ${username}`);
  return secret;
}

async function balanceOf(username: string, account: string): Promise<string> {
  const info = await acquireJson<AccountInfo>(username, 'balance', account);
  return info.balance.balance;
}

describe('acquire against a real acquire serve', () => {
  let bobMain = '';

  beforeAll(async () => {
    await registerAndLogIn('alice');
    await registerAndLogIn('bob');
    const bobAccounts = await acquireJson<AccountInfo[]>('bob', 'accounts');
    bobMain = bobAccounts.find((info) => info.account.name === 'main')?.account.uid ?? '';
  }, 120_000);

  it('prints help for every command', async () => {
    for (const command of COMMANDS) {
      const help = await runCli(bundle, [command, '--help'], {});

      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: acquire ${command}`);
    }
  });

  it('shows who is logged in', async () => {
    const whoami = await acquireJson<{ username: string; status: string }>('alice', 'whoami');

    expect(whoami).toMatchObject({ username: 'alice', status: 'approved' });
  });

  it('deposits, pays another user and lists the payment in a statement', async () => {
    await acquireJson('alice', 'deposit', '100');

    const paid = await acquireJson<{ transactions: { uid: string; value: string }[] }>(
      'alice',
      'pay',
      'deposits',
      bobMain,
      '12.5',
      'Coffee beans',
    );
    const statement = await acquireJson<{ items: { transactionUid: string; kind: string }[] }>(
      'alice',
      'statement',
      'deposits',
    );

    expect(paid.transactions[0]?.value).toBe('12.5');
    expect(await balanceOf('alice', 'deposits')).toBe('87.5');
    expect(await balanceOf('bob', 'main')).toBe('12.5');
    expect(statement.items).toContainEqual(
      expect.objectContaining({ transactionUid: paid.transactions[0]?.uid, kind: 'debit' }),
    );
  });

  it('refuses an overdraft with one line naming the code, a non-zero exit and no move', async () => {
    const before = await balanceOf('alice', 'deposits');

    const refused = await acquire('alice', 'pay', 'deposits', bobMain, '100000', 'A house');

    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error INSUFFICIENT_FUNDS: [^\n]+\n$/);
    expect(await balanceOf('alice', 'deposits')).toBe(before);
  });

  it('refuses malformed values with a typed error and moves nothing', async () => {
    const before = await balanceOf('alice', 'deposits');

    for (const value of ['1.0000001', '-5', '1e3', 'NaN', 'Infinity', 'ten', '0x10', '1,5', '']) {
      const refused = await acquire('alice', 'pay', 'deposits', bobMain, value, 'Bad value');

      expect(refused.code, value).toBe(1);
      expect(refused.stderr, value).toMatch(/^error (INVALID_MONEY|INVALID_ARGUMENT): [^\n]+\n$/);
    }
    expect(await balanceOf('alice', 'deposits')).toBe(before);
  });

  it('prints a stack trace only with --debug', async () => {
    const plain = await acquire('alice', 'balance', 'no-such-account');
    const debug = await acquire('alice', '--debug', 'balance', 'no-such-account');

    expect(plain.code).toBe(1);
    expect(plain.stderr).not.toMatch(STACK_LINE);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(STACK_LINE);
  });

  it('refuses a login with a wrong code and keeps no profile for it', async () => {
    const registration = await acquireJson<Registration>(
      'carol',
      'register',
      '--username',
      'carol',
    );
    const secret = new URL(registration.provisioningUri).searchParams.get('secret') ?? '';
    const right = Number(totpCode(secret, systemClock));
    const wrong = String((right + 500_000) % 1_000_000).padStart(6, '0');

    const login = await acquire('carol', 'login', '--username', 'carol', '--code', wrong);
    const whoami = await acquire('carol', 'whoami');

    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/^error LOGIN_FAILED: /);
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toMatch(/^error NO_PROFILE: /);
  });

  it('logs out, after which commands say nobody is logged in', async () => {
    await registerAndLogIn('dave');

    const logout = await acquire('dave', 'logout');
    const accounts = await acquire('dave', 'accounts');

    expect(logout.code).toBe(0);
    expect(accounts.code).toBe(1);
    expect(accounts.stderr).toMatch(/^error NO_PROFILE: /);
  });
});

describe('acquire serve', () => {
  it('refuses a short admin password and exits with 1', async () => {
    const started = startServe(bundle, ['--data', join(directory, 'refused')], {
      ...SERVICE_ENV,
      ACQUIRE_ADMIN_PASSWORD: 'short',
    });

    await expect(started).rejects.toThrow(/exited with 1/);
  }, 60_000);
});
