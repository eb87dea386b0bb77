/**
 * A real identity service and a real accounting service trusting it, each on its own loopback
 * port with a memory store, both set up, and one user registered and logged in: what the
 * runtime figures are measured against. scrypt runs at its lowest cost, so set-up takes
 * milliseconds; no figure measured here runs scrypt.
 *
 * @module
 */

import { createUser, type User } from '@acquire/client';
import { type RunningServer, startServer } from '@acquire/client/node';
import {
  callFunction,
  createAccountingService,
  createIdentityService,
  createMemoryStore,
  SCRYPT_LOG_N_MIN,
  type ServiceHandler,
  silentLogger,
  systemClock,
  totpCode,
} from '@acquire/core';

const SERVICE_PASSWORD = 'bench service password';
const ADMIN_PASSWORD = 'bench admin password';
const USER_PASSWORD = 'bench user password';
const USERNAME = 'bench-user';

/** The running services and the logged-in user. */
export interface BenchDeployment {
  /** The identity service's URL. */
  readonly identityUrl: string;
  /** The accounting service's URL; it trusts the identity service. */
  readonly accountingUrl: string;
  /** A user of the identity service with an approved session. */
  readonly user: User;
  /** The user's session uid. */
  readonly sessionUid: string;
  /** Stops both servers. */
  close(): Promise<void>;
}

/**
 * Starts and sets up both services and logs a user in.
 *
 * @returns the deployment; close it when done
 */
export async function startBenchDeployment(): Promise<BenchDeployment> {
  const servers: RunningServer[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.close()));
  };

  try {
    const identity = await serve((url) =>
      createIdentityService({ ...serviceOptions(url), passwordLogN: SCRYPT_LOG_N_MIN }),
    );
    servers.push(identity);
    const accounting = await serve((url) => createAccountingService(serviceOptions(url)));
    servers.push(accounting);

    await setUp(identity.url, accounting.url);
    const user = createUser({ identityUrl: identity.url, username: USERNAME });
    const sessionUid = await logIn(user);
    return { identityUrl: identity.url, accountingUrl: accounting.url, user, sessionUid, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function serviceOptions(url: string) {
  return {
    url,
    store: createMemoryStore(),
    servicePassword: SERVICE_PASSWORD,
    scryptLogN: SCRYPT_LOG_N_MIN,
  };
}

function serve(create: (url: string) => Promise<ServiceHandler>): Promise<RunningServer> {
  return startServer({
    host: '127.0.0.1',
    port: 0,
    env: {},
    logger: silentLogger,
    createServices: ({ url }) => create(url),
  });
}

/** Sets both services up, the accounting service's admin adding identity as trusted. */
async function setUp(identityUrl: string, accountingUrl: string): Promise<void> {
  await callFunction(identityUrl, 'setup', { password: ADMIN_PASSWORD });
  const created = await callFunction<{ provisioningUri: string }>(accountingUrl, 'setup', {
    password: ADMIN_PASSWORD,
  });
  await callFunction(accountingUrl, 'setup', {
    password: ADMIN_PASSWORD,
    code: totpCode(secretOf(created.provisioningUri), systemClock),
    addTrustedService: identityUrl,
  });
}

/** Registers the user, asks for a session and approves it; returns the session's uid. */
async function logIn(user: User): Promise<string> {
  const { provisioningUri } = await user.register(USER_PASSWORD);
  const session = await user.requestLogin();
  await user.approve(USER_PASSWORD, totpCode(secretOf(provisioningUri), systemClock));
  await user.waitForApproval();
  return session.sessionUid;
}

/** The TOTP secret in an `otpauth://` provisioning URI. */
function secretOf(provisioningUri: string): string {
  const secret = new URL(provisioningUri).searchParams.get('secret');
  if (secret === null) {
    throw new Error('provisioning URI holds no secret');
  }
  return secret;
}
