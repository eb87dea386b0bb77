/**
 * `get_status`: where a login session is in its life, live or ended.
 *
 * @module
 */

import * as v from 'valibot';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { UID_SCHEMA, USERNAME_SCHEMA } from './argument-schemas.js';
import type { IdentityContext } from './identity-context.js';
import { effectiveSession, type LoginSessionStatus } from './login-session.js';
import { requireSession } from './session-records.js';
import { parseUsername } from './usernames.js';

/** Arguments of {@link getStatus}. */
export interface GetStatusArgs {
  /** The session owner's username. */
  readonly username: string;
  /** The session. */
  readonly sessionUid: string;
}

/** Result of {@link getStatus}. */
export interface GetStatusResult {
  /** The session's status now; expiry is applied even before it is written. */
  readonly status: LoginSessionStatus;
}

const GET_STATUS_ARGS: v.GenericSchema<GetStatusArgs> = v.strictObject({
  username: USERNAME_SCHEMA,
  sessionUid: UID_SCHEMA,
});

/**
 * Tells a session's status. Clients poll it while the user approves their request.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `SESSION_NOT_FOUND`
 * @example
 * ```ts
 * import { getStatus } from '@acquire/core';
 *
 * const { status } = await getStatus.run({ username, sessionUid }, context);
 * ```
 */
export const getStatus: ServiceFunction<
  v.GenericSchema<GetStatusArgs>,
  GetStatusResult,
  IdentityContext
> = defineServiceFunction('get_status', GET_STATUS_ARGS, async (args, context) => {
  const username = parseUsername(args.username);
  const { session } = await requireSession(context.store, username.key, args.sessionUid);
  return { status: effectiveSession(session, context.clock.now()).status };
});
