import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AcquireError,
  callFunction,
  createIdentityService,
  ErrorCode,
  Money,
  randomBytes,
  SCRYPT_LOG_N_MIN,
  systemClock,
  totpCode,
} from '@acquire/core';
import { createFsStore } from '@acquire/store-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountingClient, createAccountingClient } from '../src/clients/accounting-client.js';
import { type RunningServer, startServer } from '../src/node.js';
import { createUser, type User } from '../src/user/user.js';
import {
  type AccountingInstance,
  type CallsByInstance,
  roundRobinFetch,
  startAccountingInstance,
} from './accounting-instances.js';
import { secretOf } from './deployment-fixtures.js';
import { ADMIN_PASSWORD, SERVICE_PASSWORD, silentLogger } from './service-fixtures.js';

const INSTANCES = 3;
const USERS = 4;
const ACCOUNTS_PER_USER = 5;
const CLIENTS = 64;
const TRANSFERS = 2000;
const OVERDRAFT_LIMIT = Money.parse('40');

/** Transfers are 0.000001 to 25: large enough that many hit the overdraft limit. */
const TRANSFER_MICRO_MAX = 25_000_000;

/** The race takes about a minute on two shared cores; this leaves room for a slow run. */
const RACE_TIMEOUT_MS = 240_000;

/** A transfer refused as busy or unreachable is sent again, with its idempotency key. */
const ATTEMPTS_MAX = 8;

/** The pause before attempt n + 1 is n times this, so a call still running can finish. */
const RETRY_PAUSE_MS = 250;

/** Codes after which a transfer with an idempotency key is safely sent again. */
const RETRY_CODES: readonly string[] = [
  ErrorCode.LEDGER_BUSY,
  ErrorCode.TRANSACTION_IN_PROGRESS,
  ErrorCode.CALL_TIMEOUT,
  ErrorCode.SERVICE_UNREACHABLE,
];

const PASSWORD = 'a password for the scale-out test';

interface TestAccount {
  readonly uid: string;
  readonly owner: User;
}

/** What one planned transfer came to. */
type TransferOutcome =
  | {
      readonly kind: 'performed';
      readonly transactionUid: string;
      readonly debitAccountUid: string;
      readonly creditAccountUid: string;
      readonly micro: bigint;
    }
  | { readonly kind: 'refused' };

function randomIndex(length: number): number {
  const bytes = randomBytes(4);
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(0) % length;
}

async function loggedIn(identityUrl: string, username: string): Promise<User> {
  const user = createUser({ identityUrl, username });
  const { provisioningUri } = await user.register(PASSWORD);
  await user.requestLogin();
  await user.approve(PASSWORD, totpCode(secretOf(provisioningUri), systemClock));
  await user.waitForApproval();
  return user;
}

async function transfer(
  accounting: AccountingClient,
  accounts: readonly TestAccount[],
  index: number,
): Promise<TransferOutcome> {
  const debit = accounts[randomIndex(accounts.length)] as TestAccount;
  const others = accounts.filter((account) => account !== debit);
  const credit = others[randomIndex(others.length)] as TestAccount;
  const micro = BigInt(1 + randomIndex(TRANSFER_MICRO_MAX));
  const args = {
    transactions: [
      {
        debitAccountUid: debit.uid,
        creditAccountUid: credit.uid,
        value: Money.fromMicro(micro).toString(),
        description: `transfer ${index}`,
      },
    ],
    idempotencyKey: `transfer-${index}`,
  };

  for (let attempt = 1; ; attempt++) {
    try {
      const { transactions } = await accounting.perform(debit.owner.authoriseCall('perform', args));
      const [performed] = transactions;
      return {
        kind: 'performed',
        transactionUid: performed?.uid ?? '',
        debitAccountUid: debit.uid,
        creditAccountUid: credit.uid,
        micro,
      };
    } catch (error) {
      if (AcquireError.is(error, ErrorCode.INSUFFICIENT_FUNDS)) {
        return { kind: 'refused' };
      }
      const retry = AcquireError.is(error) && RETRY_CODES.includes(error.code);
      if (!retry || attempt === ATTEMPTS_MAX) {
        throw error;
      }
    }
    await sleep(RETRY_PAUSE_MS * attempt);
  }
}

async function runTransfers(
  accounting: AccountingClient,
  accounts: readonly TestAccount[],
): Promise<TransferOutcome[]> {
  const outcomes: TransferOutcome[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < TRANSFERS) {
      const index = next++;
      outcomes.push(await transfer(accounting, accounts, index));
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return outcomes;
}

interface AccountAudit {
  readonly balanceMicro: bigint;
  readonly debits: readonly string[];
  readonly credits: readonly string[];
}

async function auditAccount(
  accounting: AccountingClient,
  account: TestAccount,
): Promise<AccountAudit> {
  const info = await accounting.getInfo(
    account.owner.authoriseCall('get_info', { account: account.uid }),
  );
  const debits: string[] = [];
  const credits: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await accounting.getTransactions(
      account.owner.authoriseCall('get_transactions', {
        account: account.uid,
        limit: 1000,
        ...(pageToken === undefined ? {} : { pageToken }),
      }),
    );
    for (const item of page.items) {
      if (item.kind === 'debit') {
        debits.push(item.transactionUid);
      } else if (item.kind === 'credit') {
        credits.push(item.transactionUid);
      } else {
        throw new Error(`unexpected ${item.kind} line on ${account.uid}`);
      }
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);

  return {
    balanceMicro: Money.parse(info.balance.balance, { sign: 'any' }).micro,
    debits,
    credits,
  };
}

function countOf(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) {
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

describe(`${INSTANCES} accounting processes sharing one directory store`, () => {
  let dataDirectory: string;
  let identity: RunningServer;
  const instances: AccountingInstance[] = [];
  let canonicalUrl: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'acquire-scale-out-'));
    identity = await startServer({
      host: '127.0.0.1',
      port: 0,
      env: {},
      logger: silentLogger,
      createServices: ({ url }) =>
        createIdentityService({
          url,
          store: createFsStore({ root: join(dataDirectory, 'identity'), fsync: false }),
          servicePassword: SERVICE_PASSWORD,
          scryptLogN: SCRYPT_LOG_N_MIN,
          passwordLogN: SCRYPT_LOG_N_MIN,
        }),
    });
    await callFunction(identity.url, 'setup', { password: ADMIN_PASSWORD });

    const accountingRoot = join(dataDirectory, 'accounting');
    const first = await startAccountingInstance(accountingRoot, 'self', SCRYPT_LOG_N_MIN);
    instances.push(first);
    canonicalUrl = first.url;
    const created = await callFunction<{ provisioningUri: string }>(canonicalUrl, 'setup', {
      password: ADMIN_PASSWORD,
    });
    await callFunction(canonicalUrl, 'setup', {
      password: ADMIN_PASSWORD,
      code: totpCode(secretOf(created.provisioningUri), systemClock),
      addTrustedService: identity.url,
    });

    const others = Array.from({ length: INSTANCES - 1 }, () =>
      startAccountingInstance(accountingRoot, canonicalUrl, SCRYPT_LOG_N_MIN),
    );
    instances.push(...(await Promise.all(others)));
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await identity?.close();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it(
    `records ${TRANSFERS} racing transfers from ${CLIENTS} clients exactly once`,
    async () => {
      const calls: CallsByInstance = new Map();
      const accounting = createAccountingClient(canonicalUrl, {
        fetchImpl: roundRobinFetch(
          canonicalUrl,
          instances.map((instance) => instance.url),
          calls,
        ),
      });
      const users = await Promise.all(
        Array.from({ length: USERS }, (_, index) => loggedIn(identity.url, `user${index}`)),
      );
      const accounts: TestAccount[] = [];
      for (const owner of users) {
        for (let index = 0; index < ACCOUNTS_PER_USER; index++) {
          const args = { name: `pot-${index}`, overdraftLimit: OVERDRAFT_LIMIT.toString() };
          const { account } = await accounting.createAccount(
            owner.authoriseCall('create_account', args),
          );
          accounts.push({ uid: account.uid, owner });
        }
      }

      const outcomes = await runTransfers(accounting, accounts);
      const audits = await Promise.all(
        accounts.map((account) => auditAccount(accounting, account)),
      );

      const performed = outcomes.flatMap((outcome) =>
        outcome.kind === 'performed' ? [outcome] : [],
      );
      const debitCounts = countOf(audits.flatMap((audit) => audit.debits));
      const creditCounts = countOf(audits.flatMap((audit) => audit.credits));
      const expectedMicro = new Map(accounts.map((account) => [account.uid, 0n]));
      for (const outcome of performed) {
        const debitMicro = expectedMicro.get(outcome.debitAccountUid) ?? 0n;
        const creditMicro = expectedMicro.get(outcome.creditAccountUid) ?? 0n;
        expectedMicro.set(outcome.debitAccountUid, debitMicro - outcome.micro);
        expectedMicro.set(outcome.creditAccountUid, creditMicro + outcome.micro);
      }

      expect(outcomes).toHaveLength(TRANSFERS);
      expect(performed.length).toBeGreaterThan(TRANSFERS / 4);
      expect(performed.length).toBeLessThan(TRANSFERS);
      expect(audits.reduce((sum, audit) => sum + audit.balanceMicro, 0n)).toBe(0n);
      for (const audit of audits) {
        expect(audit.balanceMicro).toBeGreaterThanOrEqual(-OVERDRAFT_LIMIT.micro);
      }
      expect(debitCounts.size).toBe(performed.length);
      expect(creditCounts.size).toBe(performed.length);
      for (const outcome of performed) {
        expect(debitCounts.get(outcome.transactionUid)).toBe(1);
        expect(creditCounts.get(outcome.transactionUid)).toBe(1);
      }
      expect(audits.map((audit) => audit.balanceMicro)).toEqual(
        accounts.map((account) => expectedMicro.get(account.uid)),
      );
      expect([...calls.keys()].sort()).toEqual(instances.map((instance) => instance.url).sort());
    },
    RACE_TIMEOUT_MS,
  );
});
