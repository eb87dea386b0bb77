/**
 * `whois`: maps a username to its user uid and back and, given one of the user's sessions,
 * returns that session's keys as `get_keys` does.
 *
 * @module
 */

import * as v from 'valibot';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { UID_SCHEMA, USERNAME_SCHEMA } from './argument-schemas.js';
import type { IdentityContext } from './identity-context.js';
import { lookUpUserKeys, type UserKeys } from './user-keys.js';

/** Arguments of {@link whois}: a username or a user uid, and optionally a session uid. */
export type WhoisArgs =
  | {
      /** The name to look up. */
      readonly username: string;
      /** A session of the user whose keys are wanted. */
      readonly sessionUid?: string;
    }
  | {
      /** The uid to look up. */
      readonly userUid: string;
      /** A session of the user whose keys are wanted. */
      readonly sessionUid?: string;
    };

/** Result of {@link whois}. */
export type WhoisResult = UserKeys;

const WHOIS_ARGS: v.GenericSchema<WhoisArgs> = v.union([
  v.strictObject({ username: USERNAME_SCHEMA, sessionUid: v.optional(UID_SCHEMA) }),
  v.strictObject({ userUid: UID_SCHEMA, sessionUid: v.optional(UID_SCHEMA) }),
]);

/**
 * Finds a user's uid by name, or name by uid, and with a session uid that session's keys.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `USER_NOT_FOUND`, `SESSION_NOT_FOUND`,
 *   `SESSION_NOT_APPROVED`, `SESSION_DENIED`, `SESSION_SUSPICIOUS`
 * @example
 * ```ts
 * import { whois } from '@acquire/core';
 *
 * const { userUid } = await whois.run({ username: 'alice' }, context);
 * const { session } = await whois.run({ userUid, sessionUid }, context);
 * ```
 */
export const whois: ServiceFunction<
  v.GenericSchema<WhoisArgs>,
  WhoisResult,
  IdentityContext
> = defineServiceFunction('whois', WHOIS_ARGS, (args, context) => lookUpUserKeys(context, args));
