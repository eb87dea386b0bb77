/**
 * What the identity functions are given besides their arguments.
 *
 * @module
 */

import { SCRYPT_LOG_N_DEFAULT } from '../crypto/password-seal.js';
import type { ServiceContext } from '../service/service-function.js';

/** The service context of the identity functions. */
export interface IdentityContext extends ServiceContext {
  /**
   * The scrypt cost (log2 N) for sealing user keys under passwords. Lower it only in tests.
   * @default SCRYPT_LOG_N_DEFAULT
   */
  readonly passwordLogN?: number;
}

/**
 * The scrypt cost to seal with.
 *
 * @param context - the identity context
 * @returns `context.passwordLogN`, or {@link SCRYPT_LOG_N_DEFAULT}
 */
export function passwordLogN(context: IdentityContext): number {
  return context.passwordLogN ?? SCRYPT_LOG_N_DEFAULT;
}
