/**
 * Accounting service instances in processes of their own, sharing one directory store, and a
 * `fetch` that spreads calls for the service's canonical URL over them in turn, as round-robin
 * DNS or a load balancer in front of the instances would.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FetchFunction } from '@acquire/core';

/** The instance script, run through tsx with the source conditions: no build needed. */
const INSTANCE_SCRIPT = fileURLToPath(
  new URL('./children/accounting-instance.ts', import.meta.url),
);

/** The package directory, from which tsx resolves the workspace packages. */
const PACKAGE_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));

/** A running instance. */
export interface AccountingInstance {
  /** Where this instance listens. */
  readonly url: string;
  /** Closes its stdin, which shuts it down gracefully, and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts one instance.
 *
 * @param root - the directory store every instance shares
 * @param canonicalUrl - the service's canonical URL, or `self` for the instance's own address
 * @param scryptLogN - scrypt cost (log2 N) for the service's sealed keys
 * @returns the instance, once it listens
 */
export function startAccountingInstance(
  root: string,
  canonicalUrl: string,
  scryptLogN: number,
): Promise<AccountingInstance> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@acquire/source',
      INSTANCE_SCRIPT,
      root,
      canonicalUrl,
      String(scryptLogN),
    ],
    { cwd: PACKAGE_DIRECTORY, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  return new Promise((resolve, reject) => {
    child.once('close', (code) => reject(new Error(`instance exited (${code}) before listening`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        stop: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}

/** Calls made through a {@link roundRobinFetch}, by instance URL. */
export type CallsByInstance = Map<string, number>;

/**
 * A fetch that sends each request for `canonicalUrl` to the next instance in turn.
 *
 * @param canonicalUrl - the URL clients know the service by
 * @param instanceUrls - where the instances listen
 * @param calls - counts the requests each instance was sent
 * @returns the fetch
 */
export function roundRobinFetch(
  canonicalUrl: string,
  instanceUrls: readonly string[],
  calls: CallsByInstance,
): FetchFunction {
  let next = 0;
  return (input, init) => {
    const target = String(input instanceof Request ? input.url : input);
    if (!target.startsWith(canonicalUrl)) {
      return fetch(input, init);
    }
    const instance = instanceUrls[next++ % instanceUrls.length] as string;
    calls.set(instance, (calls.get(instance) ?? 0) + 1);
    return fetch(instance + target.slice(canonicalUrl.length), init);
  };
}
