/**
 * `whois`: maps a username to its user uid and back.
 *
 * @module
 */

import * as v from 'valibot';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { UID_SCHEMA, USERNAME_SCHEMA } from './argument-schemas.js';
import type { IdentityContext } from './identity-context.js';
import { requireUser } from './user-lookup.js';

/** Arguments of {@link whois}: a username or a user uid. */
export type WhoisArgs =
  | {
      /** The name to look up. */
      readonly username: string;
    }
  | {
      /** The uid to look up. */
      readonly userUid: string;
    };

/** Result of {@link whois}. */
export interface WhoisResult {
  /** The normalised username as registered. */
  readonly username: string;
  /** The user's uid. */
  readonly userUid: string;
}

const WHOIS_ARGS: v.GenericSchema<WhoisArgs> = v.union([
  v.strictObject({ username: USERNAME_SCHEMA }),
  v.strictObject({ userUid: UID_SCHEMA }),
]);

/**
 * Finds a user's uid by name, or name by uid.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `USER_NOT_FOUND`
 * @example
 * ```ts
 * import { whois } from '@acquire/core';
 *
 * const { userUid } = await whois.run({ username: 'alice' }, context);
 * ```
 */
export const whois: ServiceFunction<
  v.GenericSchema<WhoisArgs>,
  WhoisResult,
  IdentityContext
> = defineServiceFunction('whois', WHOIS_ARGS, async (args, context) => {
  const { account } = await requireUser(context.store, args);
  return { username: account.value.username, userUid: account.value.userUid };
});
