/**
 * Service runtime figures over HTTP on loopback: requests per second and p50/p99 latency with
 * 32 concurrent clients (Node's fetch, keep-alive), for the public info, a cheap read whose
 * reply is neither sealed nor signed, and the same read with a sealed and signed reply. Client
 * and server share this process, so the figures include both sides' crypto.
 *
 * @module
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer } from '@acquire/client/node';
import {
  type CallFunctionOptions,
  callFunction,
  createMemoryStore,
  createService,
  createServiceInfoCache,
  defineServiceFunction,
  readJson,
  SCRYPT_LOG_N_MIN,
  silentLogger,
  writeJson,
} from '@acquire/core';
import * as v from 'valibot';
import { section } from './measure.js';

/** Concurrent clients, each sending its next request as soon as the last one is answered. */
const CLIENTS = 32;

/** Each figure runs this long after its warm-up. */
const RUN_MS = 4000;

/** Requests per client before timing starts, so connections and JIT are warm. */
const WARM_UP_REQUESTS_PER_CLIENT = 5;

/** A read like `get_status`: one store read, a small result. */
const getStatus = defineServiceFunction(
  'get_status',
  v.object({ username: v.string(), sessionUid: v.string() }),
  async (args, context) => {
    const session = await readJson<{ state: string }>(
      context.store,
      `sessions/${args.username}/${args.sessionUid}`,
    );
    return { sessionStatus: session?.value.state ?? 'unknown' };
  },
);

/** Runs the runtime benchmarks. */
export async function benchRuntime(): Promise<void> {
  const store = createMemoryStore();
  await writeJson(store, 'sessions/alice/s1', { state: 'approved' });
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    env: {},
    logger: silentLogger,
    createServices: ({ url }) =>
      createService({
        type: 'identity',
        url,
        store,
        servicePassword: 'bench service password',
        functions: [getStatus],
        scryptLogN: SCRYPT_LOG_N_MIN,
      }),
  });

  try {
    const infoCache = createServiceInfoCache();
    await callFunction(server.url, 'setup', { password: 'bench admin password' }, { infoCache });
    const args = { username: 'alice', sessionUid: 's1' };
    const call = (options: CallFunctionOptions) => () =>
      callFunction(server.url, 'get_status', args, { infoCache, ...options });

    section(`runtime over HTTP (${CLIENTS} concurrent clients, loopback, ${RUN_MS} ms each)`);
    await loadBaseline();
    await load('GET / public info', async () => {
      const response = await fetch(`${server.url}/`);
      await response.arrayBuffer();
    });
    await load(
      'get_status, sealed args, plain reply',
      call({ sealReply: false, signReply: false }),
    );
    await load('get_status, sealed args, sealed + signed reply', call({}));
  } finally {
    await server.close();
  }
}

/** Plain node:http answering "ok": what this machine's HTTP stack gives without Acquire. */
async function loadBaseline(): Promise<void> {
  const baseline = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
  const { port } = baseline.address() as AddressInfo;
  try {
    await load('baseline: bare node:http, no Acquire', async () => {
      await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
    });
  } finally {
    baseline.closeAllConnections();
    baseline.close();
  }
}

async function load(name: string, request: () => Promise<unknown>): Promise<void> {
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < WARM_UP_REQUESTS_PER_CLIENT; i++) {
        await request();
      }
    }),
  );

  const latenciesMs: number[] = [];
  const started = performance.now();
  const stopAt = started + RUN_MS;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
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
