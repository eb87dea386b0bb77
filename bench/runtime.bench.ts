/**
 * Service runtime figures over HTTP on loopback: requests per second and p50/p99 latency with
 * 32 concurrent clients (Node's fetch, keep-alive) against a real identity service and a real
 * accounting service (see `runtime-deployment.ts`): the public info, `get_status` with a sealed
 * and signed reply, and a `perform` whose fresh authorisation the accounting service verifies
 * against the identity service (over HTTP for the session certificate, which it then caches).
 * Each client moves money between a pair of accounts of its own, so the figure measures the
 * runtime rather than contention on one account. The accounts are opened just before that
 * figure, which fetches the certificate, so its 30-second cache does not expire during the
 * run: the figure is the steady state between refreshes, when every verification is local.
 * Clients and servers share this process, so the figures include both sides' crypto.
 *
 * @module
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccountingClient, createAccountingClient, type User } from '@acquire/client';
import { section } from './measure.js';
import { startBenchDeployment } from './runtime-deployment.js';

/** Concurrent clients, each sending its next request as soon as the last one is answered. */
const CLIENTS = 32;

/** Each figure runs this long after its warm-up. */
const RUN_MS = 4000;

/** Requests per client before timing starts, so connections, JIT and caches are warm. */
const WARM_UP_REQUESTS_PER_CLIENT = 5;

/** Each client's payer may go this far below zero, far more than a run moves. */
const OVERDRAFT_LIMIT = '1000000';

/** What each perform moves. */
const TRANSFER_VALUE = '0.01';

/** One client's accounts. */
interface AccountPair {
  readonly debitAccountUid: string;
  readonly creditAccountUid: string;
}

/** Runs the runtime benchmarks. */
export async function benchRuntime(): Promise<void> {
  const deployment = await startBenchDeployment();
  try {
    const { user, sessionUid } = deployment;

    section(`runtime over HTTP (${CLIENTS} concurrent clients, loopback, ${RUN_MS} ms each)`);
    await loadBaseline();
    await load(
      'GET / public info',
      everyClient(async () => {
        await (await fetch(`${deployment.identityUrl}/`)).arrayBuffer();
      }),
    );
    await load(
      'get_status, sealed + signed reply',
      everyClient(() => user.identity.getStatus({ username: user.username, sessionUid })),
    );

    const accounting = createAccountingClient(deployment.accountingUrl);
    const pairs = await openAccountPairs(accounting, user);
    await load(
      'perform, verified, own account pair per client',
      pairs.map((pair) => () => {
        const transactions = [{ ...pair, value: TRANSFER_VALUE, description: 'bench' }];
        return accounting.perform(user.authoriseCall('perform', { transactions }));
      }),
    );
  } finally {
    await deployment.close();
  }
}

async function openAccountPairs(
  accounting: AccountingClient,
  user: User,
): Promise<readonly AccountPair[]> {
  const open = async (name: string): Promise<string> => {
    const args = { name, overdraftLimit: OVERDRAFT_LIMIT };
    const { account } = await accounting.createAccount(user.authoriseCall('create_account', args));
    return account.uid;
  };
  return Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => ({
      debitAccountUid: await open(`client-${client}-payer`),
      creditAccountUid: await open(`client-${client}-payee`),
    })),
  );
}

/** Plain node:http answering "ok": what this machine's HTTP stack gives without Acquire. */
async function loadBaseline(): Promise<void> {
  const baseline = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
  const { port } = baseline.address() as AddressInfo;
  try {
    await load(
      'baseline: bare node:http, no Acquire',
      everyClient(async () => {
        await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
      }),
    );
  } finally {
    baseline.closeAllConnections();
    baseline.close();
  }
}

/** The same request for each of the {@link CLIENTS} clients. */
function everyClient(request: () => Promise<unknown>): readonly (() => Promise<unknown>)[] {
  return Array.from({ length: CLIENTS }, () => request);
}

/**
 * Runs each client's request back to back, all clients at once, for {@link RUN_MS} after a
 * warm-up, and prints the rate and latency percentiles.
 *
 * @param name - the label printed
 * @param clients - one request function per client
 */
async function load(name: string, clients: readonly (() => Promise<unknown>)[]): Promise<void> {
  await Promise.all(
    clients.map(async (request) => {
      for (let i = 0; i < WARM_UP_REQUESTS_PER_CLIENT; i++) {
        await request();
      }
    }),
  );

  const latenciesMs: number[] = [];
  const started = performance.now();
  const stopAt = started + RUN_MS;
  await Promise.all(
    clients.map(async (request) => {
      while (performance.now() < stopAt) {
        const sent = performance.now();
        await request();
        latenciesMs.push(performance.now() - sent);
      }
    }),
  );
  const elapsedMs = performance.now() - started;

  latenciesMs.sort((left, right) => left - right);
  const rate = (latenciesMs.length * 1000) / elapsedMs;
  const p50 = percentile(latenciesMs, 0.5).toFixed(1).padStart(6);
  const p99 = percentile(latenciesMs, 0.99).toFixed(1).padStart(6);
  console.log(
    `  ${name.padEnd(52)} ${rate.toFixed(0).padStart(7)} req/s  p50 ${p50} ms  p99 ${p99} ms`,
  );
}

function percentile(sortedMs: readonly number[], fraction: number): number {
  const index = Math.min(sortedMs.length - 1, Math.floor(sortedMs.length * fraction));
  return sortedMs[index] ?? Number.NaN;
}
