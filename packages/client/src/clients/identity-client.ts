/**
 * The typed client of an identity service.
 *
 * @module
 */

import {
  getKeys as getKeysFunction,
  getStatus as getStatusFunction,
  login as loginFunction,
  logout as logoutFunction,
  register as registerFunction,
  requestLogin as requestLoginFunction,
  whois as whoisFunction,
} from '@acquire/core';
import { createFunctionCaller, type FunctionCallerOptions } from './function-caller.js';
import { createServiceClient, type ServiceClient } from './service-client.js';

/** The identity functions under their client method names. */
export const IDENTITY_CLIENT_FUNCTIONS: {
  /** Calls `register`. */
  readonly register: typeof registerFunction;
  /** Calls `request_login`. */
  readonly requestLogin: typeof requestLoginFunction;
  /** Calls `login`. */
  readonly login: typeof loginFunction;
  /** Calls `logout`. */
  readonly logout: typeof logoutFunction;
  /** Calls `get_status`. */
  readonly getStatus: typeof getStatusFunction;
  /** Calls `get_keys`. */
  readonly getKeys: typeof getKeysFunction;
  /** Calls `whois`. */
  readonly whois: typeof whoisFunction;
} = {
  register: registerFunction,
  requestLogin: requestLoginFunction,
  login: loginFunction,
  logout: logoutFunction,
  getStatus: getStatusFunction,
  getKeys: getKeysFunction,
  whois: whoisFunction,
};

/** Reads that may be repeated safely after a lost reply. */
const IDEMPOTENT_IDENTITY_FUNCTIONS: readonly string[] = ['get_status', 'get_keys', 'whois'];

/** A typed identity client. */
export type IdentityClient = ServiceClient<typeof IDENTITY_CLIENT_FUNCTIONS>;

/**
 * Creates a typed client for an identity service.
 *
 * @param url - the identity service's URL
 * @param options - pinning, time limits and injected parts
 * @returns one method per identity function
 * @example
 * ```ts
 * import { createIdentityClient } from '@acquire/client';
 *
 * const identity = createIdentityClient('http://127.0.0.1:8001');
 * const { userUid } = await identity.whois({ username: 'alice' });
 * ```
 */
export function createIdentityClient(
  url: string,
  options: FunctionCallerOptions = {},
): IdentityClient {
  const call = createFunctionCaller(url, {
    idempotentFunctions: IDEMPOTENT_IDENTITY_FUNCTIONS,
    ...options,
  });
  return createServiceClient(call, IDENTITY_CLIENT_FUNCTIONS);
}
