/**
 * The typed client of the `setup` function every service has: the first set-up, which makes the
 * service's keys and its admin, and the admin's later changes (trusting and distrusting other
 * services, rotating keys), each with the admin password and a fresh one-time code.
 *
 * @module
 */

import type { SetupArgs, SetupResult } from '@acquire/core';
import { createFunctionCaller, type FunctionCallerOptions } from './function-caller.js';

/** The admin's password and a current one-time code from the admin's authenticator. */
export interface AdminCredentials {
  /** The admin password set at the first set-up. */
  readonly password: string;
  /** A current code; each code is accepted once. */
  readonly code: string;
}

/** What the first set-up returns: the result, with the admin's authenticator URI. */
export interface FirstSetUpResult extends SetupResult {
  /** The admin's TOTP provisioning URI, a secret: add it to an authenticator app, then drop it. */
  readonly provisioningUri: string;
}

/** A typed admin client of one service. */
export interface AdminClient {
  /**
   * Sets up a service whose store is empty: makes its keys and the admin.
   *
   * @param password - the admin password to set, at least 12 characters
   * @returns the result with the admin's provisioning URI, given this once
   * @throws AcquireError `INVALID_ARGUMENT` (a code is required) when the service has an admin
   *   already, or the password is too short
   */
  setUp(password: string): Promise<FirstSetUpResult>;
  /**
   * Trusts another service: its public info is fetched and its keys pinned.
   *
   * @param url - the other service's URL
   * @param credentials - the admin password and a fresh code
   * @returns the result, naming the service trusted
   */
  trust(url: string, credentials: AdminCredentials): Promise<SetupResult>;
  /**
   * Stops trusting another service.
   *
   * @param url - the other service's URL
   * @param credentials - the admin password and a fresh code
   * @returns the result, saying whether it was trusted
   */
  distrust(url: string, credentials: AdminCredentials): Promise<SetupResult>;
  /**
   * Replaces the service's keys; the old ones stay valid for the rotation grace time.
   *
   * @param credentials - the admin password and a fresh code
   * @returns the result with the new keys' fingerprints
   */
  rotateKeys(credentials: AdminCredentials): Promise<SetupResult>;
  /**
   * Reads the service's set-up without changing it.
   *
   * @param credentials - the admin password and a fresh code
   * @returns the service's uid, URL and trusted services
   */
  status(credentials: AdminCredentials): Promise<SetupResult>;
}

/**
 * Creates an admin client for a service. Replies are sealed to a one-time key and signed, as
 * for every call; the first set-up's reply holds a secret, so it is always sealed.
 *
 * @param url - the service's URL
 * @param options - pinning, time limits and injected parts
 * @returns the admin client
 * @example
 * ```ts
 * import { createAdminClient } from '@acquire/client';
 * import { systemClock, totpCode } from '@acquire/core';
 *
 * const admin = createAdminClient('http://127.0.0.1:8002');
 * const { provisioningUri } = await admin.setUp('a long admin password');
 * const secret = new URL(provisioningUri).searchParams.get('secret') ?? '';
 * await admin.trust('http://127.0.0.1:8001', {
 *   password: 'a long admin password',
 *   code: totpCode(secret, systemClock),
 * });
 * ```
 */
export function createAdminClient(url: string, options: FunctionCallerOptions = {}): AdminClient {
  const call = createFunctionCaller(url, options);
  const setup = async (args: SetupArgs): Promise<SetupResult> =>
    (await call('setup', { ...args })) as SetupResult;

  return {
    setUp: async (password) => (await setup({ password })) as FirstSetUpResult,
    trust: (trusted, credentials) => setup({ ...credentials, addTrustedService: trusted }),
    distrust: (trusted, credentials) => setup({ ...credentials, removeTrustedService: trusted }),
    rotateKeys: (credentials) => setup({ ...credentials, rotateKeys: true }),
    status: (credentials) => setup({ ...credentials }),
  };
}
