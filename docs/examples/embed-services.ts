/**
 * Embeds an identity and an accounting service in one Node HTTP server, sets both up, and
 * moves money as a logged-in user through the typed clients. Run it from the repository with
 * `pnpm exec tsx --conditions=@acquire/source docs/examples/embed-services.ts`.
 *
 * @module
 */

import { createAccountingClient, createAdminClient, createUser } from '@acquire/client';
import { startServer } from '@acquire/client/node';
import {
  createAccountingService,
  createIdentityService,
  createMemoryStore,
  silentLogger,
  systemClock,
  totpCode,
} from '@acquire/core';

/** Seals each service's keys at rest; in production it comes from ACQUIRE_SERVICE_PASSWORD. */
const SERVICE_PASSWORD = 'a long secret only the host knows';

/** The admin password of both services, set at their first set-up. */
const ADMIN_PASSWORD = 'another long secret, for the admin';

/**
 * The TOTP secret in a provisioning URI. Only an example may read it: a real user scans the URI
 * into an authenticator app and types the codes it shows.
 */
function secretOf(provisioningUri: string): string {
  return new URL(provisioningUri).searchParams.get('secret') ?? '';
}

/**
 * Runs the example.
 *
 * @param print - where the example reports what it did
 * @returns alice's balances after a deposit and a payment, as decimal text
 */
export async function runEmbeddingExample(
  print: (line: string) => void = console.log,
): Promise<{ deposits: string; savings: string }> {
  const server = await startServer({
    port: 0,
    logger: silentLogger,
    createServices: async ({ url }) => [
      {
        path: '/identity',
        handler: await createIdentityService({
          url: `${url}/identity`,
          store: createMemoryStore(),
          servicePassword: SERVICE_PASSWORD,
        }),
      },
      {
        path: '/accounting',
        handler: await createAccountingService({
          url: `${url}/accounting`,
          store: createMemoryStore(),
          servicePassword: SERVICE_PASSWORD,
        }),
      },
    ],
  });
  const identityUrl = `${server.url}/identity`;
  const accountingUrl = `${server.url}/accounting`;

  try {
    await createAdminClient(identityUrl).setUp(ADMIN_PASSWORD);
    const { provisioningUri } = await createAdminClient(accountingUrl).setUp(ADMIN_PASSWORD);
    await createAdminClient(accountingUrl).trust(identityUrl, {
      password: ADMIN_PASSWORD,
      code: totpCode(secretOf(provisioningUri), systemClock),
    });
    print(`identity at ${identityUrl}, accounting at ${accountingUrl}, trusting identity`);

    const alice = createUser({ identityUrl, username: 'alice' });
    const registration = await alice.register('alice password, long enough');
    const session = await alice.requestLogin({ message: 'the embedding example' });
    print(`alice would approve at ${session.loginUrl}; the example approves directly`);
    await alice.approve(
      'alice password, long enough',
      totpCode(secretOf(registration.provisioningUri), systemClock),
    );
    await alice.waitForApproval();

    const accounting = createAccountingClient(accountingUrl);
    const { account: savings } = await accounting.createAccount(
      alice.authoriseCall('create_account', { name: 'savings' }),
    );
    const deposit = await accounting.deposit(alice.authoriseCall('deposit', { value: '25' }));
    const depositsUid = deposit.transactions[0]?.creditAccountUid ?? '';
    await accounting.perform(
      alice.authoriseCall('perform', {
        transactions: [
          {
            debitAccountUid: depositsUid,
            creditAccountUid: savings.uid,
            value: '10.5',
            description: 'put some aside',
          },
        ],
      }),
    );

    const balanceOf = async (account: string) =>
      (await accounting.getInfo(alice.authoriseCall('get_info', { account }))).balance.balance;
    const balances = { deposits: await balanceOf('deposits'), savings: await balanceOf('savings') };
    print(`alice has ${balances.deposits} in deposits and ${balances.savings} in savings`);
    await alice.logout();
    return balances;
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runEmbeddingExample();
}
