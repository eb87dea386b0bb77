/**
 * `get_keys`: the public facts others need to judge a user's signatures: the user's uid and
 * name and, for a session, its certificate with login and logout times. Sessions never
 * approved, denied or suspicious yield nothing.
 *
 * @module
 */

import * as v from 'valibot';
import type { SessionCertificate } from '../service/authorisation-verifier.js';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { UID_SCHEMA, USERNAME_SCHEMA } from './argument-schemas.js';
import type { IdentityContext } from './identity-context.js';
import { readSessionCertificate } from './session-certificate.js';
import { requireUser } from './user-lookup.js';

/** Arguments of {@link getKeys}: a username or a user uid (or both, naming one user). */
export interface GetKeysArgs {
  /** The user's name. */
  readonly username?: string;
  /** The user's uid. */
  readonly userUid?: string;
  /** A session of the user whose certificate is wanted. */
  readonly sessionUid?: string;
}

/** Result of {@link getKeys}. */
export interface GetKeysResult {
  /** The normalised username as registered. */
  readonly username: string;
  /** The user's uid. */
  readonly userUid: string;
  /** The session's certificate, when a session was asked for. */
  readonly session?: SessionCertificate;
}

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
 * Returns a user's uid and name and, with a session uid, that session's certificate.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `USER_NOT_FOUND`, `SESSION_NOT_FOUND`,
 *   `SESSION_NOT_APPROVED`, `SESSION_DENIED`, `SESSION_SUSPICIOUS`
 * @example
 * ```ts
 * import { getKeys } from '@acquire/core';
 *
 * const { session } = await getKeys.run({ userUid, sessionUid }, context);
 * ```
 */
export const getKeys: ServiceFunction<
  v.GenericSchema<GetKeysArgs>,
  GetKeysResult,
  IdentityContext
> = defineServiceFunction('get_keys', GET_KEYS_ARGS, async (args, context) => {
  const { username, account } = await requireUser(context.store, args);
  const user = { username: account.value.username, userUid: account.value.userUid };
  if (args.sessionUid === undefined) {
    return user;
  }

  const certificate = await readSessionCertificate(
    context.store,
    username.key,
    args.sessionUid,
    context.clock.now(),
  );
  return { ...user, session: certificate };
});
