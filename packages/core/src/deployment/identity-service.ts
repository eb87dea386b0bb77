/**
 * A ready-made identity service: the runtime with the identity functions and the login page.
 *
 * @module
 */

import type { IdentityContext } from '../identity/identity-context.js';
import { IDENTITY_FUNCTIONS } from '../identity/identity-functions.js';
import { createService, type ServiceHandler } from '../service/create-service.js';
import type { ReadyServiceOptions } from './service-options.js';

/** Options for {@link createIdentityService}. */
export interface IdentityServiceOptions extends ReadyServiceOptions {
  /** scrypt cost (log2 N) for users' sealed keys; lower it only in tests. @default SCRYPT_LOG_N_DEFAULT */
  readonly passwordLogN?: number;
}

/** `register` returns the TOTP provisioning URI, a secret, so it answers only sealed. */
const SEALED_REPLY_FUNCTIONS: readonly string[] = ['setup', 'register', 'login'];

/**
 * Creates an identity service handler. Run `setup` against it once to create its keys and
 * admin.
 *
 * @param options - URL, store, service password and injected parts
 * @returns a web-standard request handler
 * @example
 * ```ts
 * import { createIdentityService, createMemoryStore } from '@acquire/core';
 *
 * const identity = await createIdentityService({
 *   url: 'http://127.0.0.1:8001',
 *   store: createMemoryStore(),
 *   servicePassword: 'a long secret from the host',
 * });
 * ```
 */
export function createIdentityService(options: IdentityServiceOptions): Promise<ServiceHandler> {
  return createService<IdentityContext>({
    ...options,
    type: 'identity',
    functions: IDENTITY_FUNCTIONS,
    context: options.passwordLogN === undefined ? {} : { passwordLogN: options.passwordLogN },
    replyKeyRequired: SEALED_REPLY_FUNCTIONS,
  });
}
