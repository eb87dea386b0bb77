/**
 * A whole Acquire deployment on one machine: identity, accounting and access services, each on
 * its own loopback port with its own directory store, set up and trusting each other. It backs
 * `acquire serve` and the demo, and is the quickest way to try Acquire for real.
 *
 * @module
 */

import { join } from 'node:path';
import {
  type Clock,
  createAccessService,
  createAccountingService,
  createIdentityService,
  type Logger,
  type ObjectStore,
  type ServiceHandler,
  type ServiceType,
  silentLogger,
  systemClock,
  totpCode,
} from '@acquire/core';
import { createFsStore } from '@acquire/store-fs';
import { createAdminClient } from '../clients/admin-client.js';
import { DEFAULT_HOST } from './environment.js';
import { type RunningServer, startServer } from './server.js';

/** The services a local deployment runs, in start-up order: the others trust identity. */
export const LOCAL_SERVICE_TYPES: readonly ServiceType[] = ['identity', 'accounting', 'access'];

/** Options for {@link startLocalDeployment}. */
export interface LocalDeploymentOptions {
  /** One subdirectory per service is made here; reusing it resumes the deployment. */
  readonly dataDirectory: string;
  /** Seals every service's keys at rest. */
  readonly servicePassword: string;
  /**
   * The admin password of every service, used only to set up a service on its first start: a
   * restart on the same data directory does not need it. A function is called only when some
   * service needs setting up, and at most once, so a caller can ask for the password lazily.
   */
  readonly adminPassword: string | (() => Promise<string>);
  /** The host to bind. @default DEFAULT_HOST */
  readonly host?: string;
  /** Ports by service; 0 or absent picks a free one. */
  readonly ports?: Readonly<Partial<Record<ServiceType, number>>>;
  /** Flush writes to disk before answering. @default true */
  readonly fsync?: boolean;
  /** The time source. @default systemClock */
  readonly clock?: Clock;
  /** The services' logger. @default silentLogger */
  readonly logger?: Logger;
  /** scrypt cost (log2 N) for service and user secrets; lower it only in tests. */
  readonly scryptLogN?: number;
}

/** A running local deployment. */
export interface LocalDeployment {
  /** Each service's URL. */
  readonly urls: Readonly<Record<ServiceType, string>>;
  /**
   * The admin authenticator URI of each service set up by this start; empty when the
   * deployment was resumed. It holds a secret: show it to the operator once.
   */
  readonly adminProvisioningUris: Readonly<Partial<Record<ServiceType, string>>>;
  /** Stops every service, waiting for requests in flight. */
  close(): Promise<void>;
}

/**
 * Starts identity, accounting and access services on loopback, sets up each one that is new,
 * and makes accounting and access trust identity.
 *
 * @param options - data directory, passwords, host, ports and injected parts
 * @returns the running deployment
 * @example
 * ```ts
 * import { startLocalDeployment } from '@acquire/client/node';
 *
 * const deployment = await startLocalDeployment({
 *   dataDirectory: './acquire-data',
 *   servicePassword: 'service secret',
 *   adminPassword: 'admin secret',
 * });
 * console.log(deployment.urls.identity);
 * await deployment.close();
 * ```
 */
export async function startLocalDeployment(
  options: LocalDeploymentOptions,
): Promise<LocalDeployment> {
  const servers: RunningServer[] = [];
  try {
    const urls = {} as Record<ServiceType, string>;
    for (const type of LOCAL_SERVICE_TYPES) {
      const server = await startService(type, options);
      servers.push(server);
      urls[type] = server.url;
    }

    const adminProvisioningUris = await setUpServices(urls, options);
    return {
      urls,
      adminProvisioningUris,
      close: async () => {
        await Promise.all(servers.map((server) => server.close()));
      },
    };
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    throw error;
  }
}

function startService(type: ServiceType, options: LocalDeploymentOptions): Promise<RunningServer> {
  const store = createFsStore({
    root: join(options.dataDirectory, type),
    ...(options.fsync === undefined ? {} : { fsync: options.fsync }),
  });

  return startServer({
    host: options.host ?? DEFAULT_HOST,
    port: options.ports?.[type] ?? 0,
    logger: options.logger ?? silentLogger,
    createServices: ({ url }) => createServiceHandler(type, url, store, options),
  });
}

function createServiceHandler(
  type: ServiceType,
  url: string,
  store: ObjectStore,
  options: LocalDeploymentOptions,
): Promise<ServiceHandler> {
  const common = {
    url,
    store,
    servicePassword: options.servicePassword,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    ...(options.scryptLogN === undefined ? {} : { scryptLogN: options.scryptLogN }),
  };

  switch (type) {
    case 'identity':
      return createIdentityService({
        ...common,
        ...(options.scryptLogN === undefined ? {} : { passwordLogN: options.scryptLogN }),
      });
    case 'accounting':
      return createAccountingService(common);
    case 'access':
      return createAccessService(common);
  }
}

async function setUpServices(
  urls: Readonly<Record<ServiceType, string>>,
  options: LocalDeploymentOptions,
): Promise<Partial<Record<ServiceType, string>>> {
  const clock = options.clock ?? systemClock;
  const provisioningUris: Partial<Record<ServiceType, string>> = {};
  let password: string | undefined;

  for (const type of LOCAL_SERVICE_TYPES) {
    const info = await (await fetch(urls[type])).json();
    if (info.setUp === true) {
      continue;
    }

    password ??=
      typeof options.adminPassword === 'string'
        ? options.adminPassword
        : await options.adminPassword();
    const admin = createAdminClient(urls[type], { clock });
    const { provisioningUri } = await admin.setUp(password);
    provisioningUris[type] = provisioningUri;

    if (type !== 'identity') {
      const secret = new URL(provisioningUri).searchParams.get('secret') ?? '';
      await admin.trust(urls.identity, { password, code: totpCode(secret, clock) });
    }
  }
  return provisioningUris;
}
