/**
 * `get_keys`: the public facts others need to judge a user's signatures and to write to a
 * session: the user's uid and name and, for a session, its keys. An approved session yields
 * its certificate and encryption key; a logged-out one its certificate and logout time only.
 * Sessions never approved, denied or suspicious yield nothing.
 *
 * @module
 */

import * as v from 'valibot';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { UID_SCHEMA, USERNAME_SCHEMA } from './argument-schemas.js';
import type { IdentityContext } from './identity-context.js';
import { lookUpUserKeys, type UserKeys } from './user-keys.js';

/** Arguments of {@link getKeys}: a username or a user uid (or both, naming one user). */
export interface GetKeysArgs {
  /** The user's name. */
  readonly username?: string;
  /** The user's uid. */
  readonly userUid?: string;
  /** A session of the user whose keys are wanted. */
  readonly sessionUid?: string;
}

/** Result of {@link getKeys}. */
export type GetKeysResult = UserKeys;

const GET_KEYS_ARGS: v.GenericSchema<GetKeysArgs> = v.pipe(
  v.strictObject({
    username: v.optional(USERNAME_SCHEMA),
    userUid: v.optional(UID_SCHEMA),
    sessionUid: v.optional(UID_SCHEMA),
  }),
  v.check(
    (args) => args.username !== undefined || args.userUid !== undefined,
    'give a username or a userUid',
  ),
);

/**
 * Returns a user's uid and name and, with a session uid, that session's keys.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `USER_NOT_FOUND`, `SESSION_NOT_FOUND`,
 *   `SESSION_NOT_APPROVED`, `SESSION_DENIED`, `SESSION_SUSPICIOUS`
 * @example
 * ```ts
 * import { decodePublicKey, getKeys, sealToPublicKey } from '@acquire/core';
 *
 * const { session } = await getKeys.run({ userUid, sessionUid }, context);
 * if (session?.status === 'approved') {
 *   const sealed = sealToPublicKey(message, decodePublicKey('x25519', session.publicKey));
 * }
 * ```
 */
export const getKeys: ServiceFunction<
  v.GenericSchema<GetKeysArgs>,
  GetKeysResult,
  IdentityContext
> = defineServiceFunction('get_keys', GET_KEYS_ARGS, (args, context) =>
  lookUpUserKeys(context, args),
);
