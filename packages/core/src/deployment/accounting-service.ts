/**
 * A ready-made accounting service: the runtime with the ledger's functions, checking users'
 * authorisations with its trusted identity services.
 *
 * @module
 */

import type { AccountingContext } from '../accounting/accounting-access.js';
import { ACCOUNTING_FUNCTIONS } from '../accounting/accounting-functions.js';
import { createService, type ServiceHandler } from '../service/create-service.js';
import { createTrustingVerifier, type ReadyServiceOptions } from './service-options.js';

/** Options for {@link createAccountingService}. */
export type AccountingServiceOptions = ReadyServiceOptions;

/**
 * Creates an accounting service handler. After `setup`, an admin adds the identity services it
 * trusts; their users may then open accounts and move money. Give it a store of its own: the
 * identity service keeps user records under the same `accounts/` prefix.
 *
 * @param options - URL, store, service password and injected parts
 * @returns a web-standard request handler
 * @example
 * ```ts
 * import { createAccountingService, createMemoryStore } from '@acquire/core';
 *
 * const accounting = await createAccountingService({
 *   url: 'http://127.0.0.1:8002',
 *   store: createMemoryStore(),
 *   servicePassword: 'a long secret from the host',
 * });
 * ```
 */
export function createAccountingService(
  options: AccountingServiceOptions,
): Promise<ServiceHandler> {
  return createService<AccountingContext>({
    ...options,
    type: 'accounting',
    functions: ACCOUNTING_FUNCTIONS,
    context: { verifyAuthorisation: createTrustingVerifier(options) },
  });
}
