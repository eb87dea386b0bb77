/**
 * The demo's story: a real local deployment (identity, accounting and access services over
 * HTTP, each on its own directory store), two users who register, log in through the login page
 * and move money: a deposit, a payment, a provisional payment receipted in part, a refund and a
 * refused overdraft, ending with balances and a statement.
 *
 * @module
 */

import { hostname } from 'node:os';
import {
  type AccountView,
  AcquireError,
  base64UrlEncode,
  Money,
  randomBytes,
  systemClock,
  totpCode,
} from '@acquire/core';
import { formatTable } from '../cli/cli-io.js';
import { type AccountingClient, createAccountingClient } from '../clients/accounting-client.js';
import { startLocalDeployment } from '../node/local-deployment.js';
import { createUser, type User } from '../user/user.js';
import { createDemoProgress, type DemoProgress } from './demo-progress.js';
import { approveOnLoginPage } from './login-page-visit.js';

/** Random bytes in each generated demo password and service secret. */
const DEMO_SECRET_BYTES = 18;

/** Options for {@link runDemo}. */
export interface DemoOptions {
  /** An empty directory for the services' stores. */
  readonly dataDirectory: string;
  /** Prints one line of the demo's report. */
  readonly write: (line: string) => void;
  /** scrypt cost (log2 N) for service and user secrets; lower it only in tests. */
  readonly scryptLogN?: number;
}

/** What the demo ended with, for checking it. */
export interface DemoOutcome {
  /** Every account's settled balance as decimal text, by `<user>/<account name>`. */
  readonly balances: Readonly<Record<string, string>>;
  /** The code the overdraft was refused with. */
  readonly overdraftRefusal: string;
}

/** One demo user: the login flow and the secret only a demo may read. */
interface DemoUser {
  readonly user: User;
  readonly password: string;
  readonly totpSecret: string;
}

/**
 * Runs the demo from an empty directory to a clean shutdown.
 *
 * @param options - where the stores go and where the report is printed
 * @returns the final balances and the overdraft's refusal code
 * @example
 * ```ts
 * const outcome = await runDemo({ dataDirectory: '/tmp/acquire-demo', write: console.log });
 * console.log(outcome.balances['alice/everyday']);
 * ```
 */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const progress = createDemoProgress(options.write, () => Date.now());

  const deployment = await progress.step(
    'Start identity, accounting and access services',
    async () => {
      const started = await startLocalDeployment({
        dataDirectory: options.dataDirectory,
        servicePassword: demoSecret(),
        adminPassword: demoSecret(),
        ...(options.scryptLogN === undefined ? {} : { scryptLogN: options.scryptLogN }),
      });
      const rows = Object.entries(started.urls).map(([type, url]) => [type, url]);
      progress.detail(formatTable(['service', 'URL'], rows));
      progress.detail(
        `stores under ${options.dataDirectory}; accounting and access trust identity`,
      );
      return started;
    },
  );

  try {
    const accounting = createAccountingClient(deployment.urls.accounting);
    const alice = await registerUser(progress, deployment.urls.identity, 'alice');
    const bob = await registerUser(progress, deployment.urls.identity, 'bob');
    await logIn(progress, alice);
    await logIn(progress, bob);

    const outcome = await moveMoney(progress, accounting, alice.user, bob.user);

    await progress.step('Log both users out', async () => {
      await alice.user.logout();
      await bob.user.logout();
    });
    return outcome;
  } finally {
    await progress.step('Shut the services down', () => deployment.close());
  }
}

function demoSecret(): string {
  return base64UrlEncode(randomBytes(DEMO_SECRET_BYTES));
}

async function registerUser(
  progress: DemoProgress,
  identityUrl: string,
  username: string,
): Promise<DemoUser> {
  return progress.step(`Register ${username} with a password and an authenticator`, async () => {
    const user = createUser({ identityUrl, username });
    const password = demoSecret();
    const { userUid, provisioningUri } = await user.register(password);
    const totpSecret = new URL(provisioningUri).searchParams.get('secret') ?? '';

    progress.detail(`${username} is user ${userUid}`);
    progress.detail(
      'DEMO ONLY: the demo reads the authenticator secret from the provisioning URI to compute\n' +
        'codes; a real user scans it as a QR code into an authenticator app.',
    );
    return { user, password, totpSecret };
  });
}

async function logIn(progress: DemoProgress, demoUser: DemoUser): Promise<void> {
  const { user } = demoUser;
  await progress.step(`Log ${user.username} in through the login page`, async () => {
    const session = await user.requestLogin({ hostname: hostname(), message: 'Acquire demo' });
    progress.detail(`session keys made on this machine; login page: ${session.loginUrl}`);

    const approval = user.waitForApproval();
    await approveOnLoginPage(session.loginUrl, {
      username: user.username,
      password: demoUser.password,
      code: totpCode(demoUser.totpSecret, systemClock),
    });
    await approval;
    progress.detail('the page said "Login approved" and the waiting client saw the approval');
  });
}

async function moveMoney(
  progress: DemoProgress,
  accounting: AccountingClient,
  alice: User,
  bob: User,
): Promise<DemoOutcome> {
  const call = <TArgs extends Record<string, unknown>>(user: User, name: string, args: TArgs) =>
    user.authoriseCall(name, args);

  const { everyday, shop } = await progress.step('Open an account for each user', async () => {
    const opened = {
      everyday: (
        await accounting.createAccount(call(alice, 'create_account', { name: 'everyday' }))
      ).account,
      shop: (await accounting.createAccount(call(bob, 'create_account', { name: 'shop' }))).account,
    };
    progress.detail(`alice/everyday is ${opened.everyday.uid}; bob/shop is ${opened.shop.uid}`);
    return opened;
  });

  await progress.step('Alice deposits 100 and moves 80 to everyday', async () => {
    const deposit = await accounting.deposit(call(alice, 'deposit', { value: '100' }));
    const depositsUid = deposit.transactions[0]?.creditAccountUid ?? '';
    await pay(accounting, alice, depositsUid, everyday, '80', 'Top up everyday');
    progress.detail('billing -> deposits 100; deposits -> everyday 80');
  });

  const coffee = await progress.step('Alice pays Bob 12.50 for coffee beans', async () => {
    const paid = await pay(accounting, alice, everyday.uid, shop, '12.5', 'Coffee beans');
    progress.detail(`transaction ${paid}`);
    return paid;
  });

  await progress.step('Alice books a hotel: 30 held provisionally, Bob receipts 20', async () => {
    const held = await accounting.perform(
      call(alice, 'perform', {
        transactions: [
          {
            debitAccountUid: everyday.uid,
            creditAccountUid: shop.uid,
            value: '30',
            description: 'Hotel booking, up to 30',
          },
        ],
        provisional: true,
      }),
    );
    const transactionUid = held.transactions[0]?.uid ?? '';
    const settled = await accounting.receipt(call(bob, 'receipt', { transactionUid, value: '20' }));
    progress.detail(
      `receipted ${settled.transaction.settlement?.receiptedValue ?? '?'}; the other 10 is ` +
        'released to alice',
    );
  });

  await progress.step('Bob refunds the coffee beans', async () => {
    const refunded = await accounting.refund(call(bob, 'refund', { transactionUid: coffee }));
    progress.detail(`transaction ${coffee} is now ${refunded.transaction.state}`);
  });

  const overdraftRefusal = await progress.step('Alice tries to pay 500: refused', async () => {
    try {
      await pay(accounting, alice, everyday.uid, shop, '500', 'A sofa');
    } catch (error) {
      if (error instanceof AcquireError) {
        progress.detail(`refused with ${error.code}: ${error.message}`);
        return error.code;
      }
      throw error;
    }
    throw new Error('the accounting service let alice overdraw');
  });

  const balances = await progress.step('Balances and a statement', async () => {
    const found = await showBalances(progress, accounting, [alice, bob]);
    await showStatement(progress, accounting, alice, everyday.uid);
    return found;
  });
  return { balances, overdraftRefusal };
}

async function pay(
  accounting: AccountingClient,
  payer: User,
  debitAccountUid: string,
  payee: AccountView,
  value: string,
  description: string,
): Promise<string> {
  const { transactions } = await accounting.perform(
    payer.authoriseCall('perform', {
      transactions: [{ debitAccountUid, creditAccountUid: payee.uid, value, description }],
    }),
  );
  return transactions[0]?.uid ?? '';
}

async function showBalances(
  progress: DemoProgress,
  accounting: AccountingClient,
  users: readonly User[],
): Promise<Record<string, string>> {
  const balances: Record<string, string> = {};
  const rows: string[][] = [];

  for (const user of users) {
    const { accounts } = await accounting.getAccountUids(
      user.authoriseCall('get_account_uids', {}),
    );
    for (const { name, uid } of accounts) {
      const info = await accounting.getInfo(user.authoriseCall('get_info', { account: uid }));
      balances[`${user.username}/${name}`] = info.balance.balance;
      rows.push([
        user.username,
        name,
        info.balance.balance,
        info.balance.liability,
        info.balance.available,
      ]);
    }
  }

  progress.detail(formatTable(['user', 'account', 'balance', 'held', 'available'], rows));
  const total = Object.values(balances).reduce(
    (sum, text) => sum + Money.parse(text, { sign: 'any' }).micro,
    0n,
  );
  progress.detail(`sum of all balances: ${total === 0n ? '0, as double entry demands' : total}`);
  return balances;
}

async function showStatement(
  progress: DemoProgress,
  accounting: AccountingClient,
  user: User,
  accountUid: string,
): Promise<void> {
  const { items } = await accounting.getTransactions(
    user.authoriseCall('get_transactions', { account: accountUid }),
  );
  const rows = items.map((item) => [
    new Date(item.timeMs).toISOString().slice(11, 23),
    item.kind,
    item.value,
    item.receiptedValue ?? '',
    item.transactionUid,
  ]);
  progress.detail(`statement of ${user.username}/everyday:`);
  progress.detail(formatTable(['time', 'kind', 'value', 'receipted', 'transaction'], rows));
}
