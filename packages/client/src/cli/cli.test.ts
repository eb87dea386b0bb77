import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, totpCode } from '@acquire/core';
import { wrongTotpCode } from '@acquire/core/testing';
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

const WALLET_VARIABLES = ['ACQUIRE_WALLET_DIR', 'ACQUIRE_WALLET_PASSWORD'];

/** Every command, with the environment variables its help must list. */
const COMMAND_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  register: ['ACQUIRE_IDENTITY_URL', 'ACQUIRE_PASSWORD'],
  login: [
    'ACQUIRE_IDENTITY_URL',
    'ACQUIRE_ACCOUNTING_URL',
    'ACQUIRE_ACCESS_URL',
    'ACQUIRE_PASSWORD',
    ...WALLET_VARIABLES,
  ],
  whoami: WALLET_VARIABLES,
  logout: WALLET_VARIABLES,
  accounts: WALLET_VARIABLES,
  'create-account': WALLET_VARIABLES,
  balance: WALLET_VARIABLES,
  deposit: WALLET_VARIABLES,
  pay: WALLET_VARIABLES,
  statement: WALLET_VARIABLES,
  serve: ['ACQUIRE_SERVICE_PASSWORD', 'ACQUIRE_ADMIN_PASSWORD', 'ACQUIRE_LOG_LEVEL'],
};

/** The URLs `acquire serve` listens on when run with its defaults. */
const SERVE_URLS = {
  identity: 'http://127.0.0.1:8001',
  accounting: 'http://127.0.0.1:8002',
  access: 'http://127.0.0.1:8003',
};

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

interface AccountView {
  readonly name: string;
  readonly uid: string;
  readonly description: string;
  readonly overdraftLimit: string;
  readonly dailyLimit: string | null;
}

interface AccountInfo {
  readonly account: { readonly name: string; readonly uid: string };
  readonly balance: { readonly balance: string; readonly available: string };
}

async function registerAndLogIn(username: string, env = userEnv(username)): Promise<string> {
  const registration = await acquireJson<Registration>(
    username,
    'register',
    '--username',
    username,
  );
  const secret = new URL(registration.provisioningUri).searchParams.get('secret') ?? '';

  const code = totpCode(secret, systemClock);
  const login = await runCli(bundle, ['login', '--username', username, '--code', code], env);
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

  it('prints help for every command, listing the environment variables it reads', async () => {
    for (const [command, variables] of Object.entries(COMMAND_VARIABLES)) {
      const help = await runCli(bundle, [command, '--help'], {});

      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: acquire ${command}`);
      for (const variable of variables) {
        expect(help.stdout, command).toMatch(new RegExp(`^  ${variable} +\\S`, 'm'));
      }
    }
  });

  it("lists every environment variable in the program's help", async () => {
    const help = await runCli(bundle, ['--help'], {});
    const variables = new Set(Object.values(COMMAND_VARIABLES).flat());

    expect(help.code).toBe(0);
    for (const variable of variables) {
      expect(help.stdout).toMatch(new RegExp(`^  ${variable} +\\S`, 'm'));
    }
  });

  it("says in serve's help how to see requests and when it reads the admin password", async () => {
    const help = await runCli(bundle, ['serve', '--help'], {});

    expect(help.stdout).toContain('ACQUIRE_LOG_LEVEL=info shows every request');
    expect(help.stdout).toMatch(/admin password[^.]*only when a service[^.]*first set\s+up/);
  });

  it("defaults the service URLs to the environment, else to acquire serve's", async () => {
    const helpOf = async (command: string, env: Readonly<Record<string, string>>) =>
      (await runCli(bundle, [command, '--help'], env)).stdout.replace(/\s+/g, ' ');

    const register = await helpOf('register', {});
    const login = await helpOf('login', {});
    const fromEnvironment = await helpOf('login', userEnv('alice'));

    expect(register).toContain(`(default: "${SERVE_URLS.identity}")`);
    for (const url of Object.values(SERVE_URLS)) {
      expect(login).toContain(`(default: "${url}")`);
    }
    expect(fromEnvironment).toContain(`(default: "${serve.urls.accounting}")`);
  });

  it("keeps acquire serve's accounting URL for a login without --accounting", async () => {
    const { ACQUIRE_ACCOUNTING_URL: _unset, ...env } = userEnv('erin');
    await registerAndLogIn('erin', env);

    const whoami = await acquireJson<{ accountingUrl: string }>('erin', 'whoami');

    expect(whoami.accountingUrl).toBe(SERVE_URLS.accounting);
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

  it('pays between your own accounts by name', async () => {
    const deposits = Number(await balanceOf('alice', 'deposits'));
    const main = Number(await balanceOf('alice', 'main'));

    const paid = await acquire('alice', 'pay', 'deposits', 'main', '2.5', 'To main');

    expect(paid.code).toBe(0);
    expect(paid.stdout).toMatch(/^paid 2\.5 from deposits to main \(\S+\)\n$/);
    expect(Number(await balanceOf('alice', 'deposits'))).toBe(deposits - 2.5);
    expect(Number(await balanceOf('alice', 'main'))).toBe(main + 2.5);
  });

  it("refuses to pay to a name not among the payer's accounts, saying to give a uid", async () => {
    const refused = await acquire('alice', 'pay', 'deposits', 'bobs-main', '1', 'Gift');

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error INVALID_ARGUMENT: "bobs-main" is not one of your accounts: /,
    );
    expect(refused.stderr).toMatch(
      /another user must be given by its uid, which `acquire accounts` shows\n$/,
    );
    expect(refused.stderr.split('\n')).toHaveLength(2);
  });

  it("refuses to pay from an account that is not the payer's", async () => {
    const refused = await acquire('alice', 'pay', bobMain, 'main', '1', 'Theft');

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error ACCOUNT_NOT_FOUND: [^\n]+\n$/);
  });

  it('creates an account with a description and limits, and pays into its overdraft', async () => {
    const created = await acquireJson<{ account: AccountView }>(
      'bob',
      'create-account',
      'savings',
      '--description',
      'Rainy days',
      '--overdraft',
      '5',
      '--daily-limit',
      '50',
    );
    const accounts = await acquireJson<AccountInfo[]>('bob', 'accounts');
    await acquireJson('bob', 'pay', 'savings', 'main', '5', 'Into the overdraft');

    expect(created.account).toMatchObject({
      name: 'savings',
      description: 'Rainy days',
      overdraftLimit: '5',
      dailyLimit: '50',
    });
    expect(accounts.map((info) => info.account.uid)).toContain(created.account.uid);
    expect(await balanceOf('bob', 'savings')).toBe('-5');
  });

  it("says a wrong wallet password is the wallet's", async () => {
    const refused = await runCli(bundle, ['accounts'], {
      ...userEnv('alice'),
      ACQUIRE_WALLET_PASSWORD: 'not the wallet password',
    });

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error WRONG_PASSWORD: the wallet password [^\n]+\n$/);
  });

  it('refuses an overdraft with one line naming the code, a non-zero exit, no move', async () => {
    const before = await balanceOf('alice', 'deposits');

    const refused = await acquire('alice', 'pay', 'deposits', bobMain, '100000', 'A house');

    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error INSUFFICIENT_FUNDS: [^\n]+\n$/);
    expect(await balanceOf('alice', 'deposits')).toBe(before);
  });

  it('reports a failure under --json as one JSON line on stderr, nothing on stdout', async () => {
    const before = await balanceOf('alice', 'deposits');

    const refused = await acquire('alice', '--json', 'pay', 'deposits', bobMain, '100000', 'A car');

    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.split('\n')).toHaveLength(2);
    const { error } = JSON.parse(refused.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('INSUFFICIENT_FUNDS');
    expect(error.message).toMatch(/\S/);
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

  it("reads uids that begin with '-' as arguments, and other dash words as options", async () => {
    const before = await balanceOf('alice', 'deposits');

    for (const uid of [
      '-hAAAAAAAAAAAAAAAAAAAA',
      '-YHMVi7gEN3_fa--B6TLBA',
      '--AAAAAAAAAAAAAAAAAAAA',
    ]) {
      const balance = await acquire('alice', 'balance', uid);
      const statement = await acquire('alice', 'statement', uid, '--limit', '5');
      const pay = await acquire('alice', 'pay', 'deposits', uid, '1', 'To a dash');

      for (const refused of [balance, statement, pay]) {
        expect(refused.code, uid).toBe(1);
        expect(refused.stderr, uid).toMatch(/^error ACCOUNT_NOT_FOUND: [^\n]+\n$/);
      }
    }
    for (const args of [
      ['pay', 'deposits', bobMain, '1', '--bogus'],
      ['pay', 'deposits', bobMain, '1', 'Rent', '-x'],
      ['balance', '--josn'],
    ]) {
      const refused = await acquire('alice', ...args);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr, args.join(' ')).toMatch(/^error: unknown option '-/);
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

  it('puts the stack trace inside the JSON failure with --json --debug', async () => {
    const plain = await acquire('alice', '--json', 'balance', 'no-such-account');
    const debug = await acquire('alice', '--json', '--debug', 'balance', 'no-such-account');

    expect([plain.code, debug.code]).toEqual([1, 1]);
    expect([plain.stdout, debug.stdout]).toEqual(['', '']);
    const plainLines = plain.stderr.trimEnd().split('\n');
    expect(plainLines).toHaveLength(1);
    expect(JSON.parse(plainLines[0] ?? '').error).toEqual({
      code: 'ACCOUNT_NOT_FOUND',
      message: expect.any(String),
    });
    const debugLines = debug.stderr.trimEnd().split('\n');
    expect(debugLines).toHaveLength(1);
    const { error } = JSON.parse(debugLines[0] ?? '');
    expect(error.code).toBe('ACCOUNT_NOT_FOUND');
    expect(error.stack).toMatch(STACK_LINE);
  });

  it('refuses a login with a wrong code and keeps no profile for it', async () => {
    const registration = await acquireJson<Registration>(
      'carol',
      'register',
      '--username',
      'carol',
    );
    const secret = new URL(registration.provisioningUri).searchParams.get('secret') ?? '';
    const wrong = wrongTotpCode(secret, systemClock);

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
