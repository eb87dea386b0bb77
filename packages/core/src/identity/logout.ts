/**
 * `logout`: ends an approved session at the request of its own key. The session becomes
 * `logged_out` by compare-and-swap (the moment that counts), then moves to
 * `expired_sessions/` keeping its certificate and logout time, so signatures made before the
 * logout can still be judged. Repeating a logout with the same authorisation succeeds again.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { requestResource } from '../service/request-resource.js';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { readJson, updateJson } from '../store/json.js';
import { UID_SCHEMA, USERNAME_SCHEMA } from './argument-schemas.js';
import { AUTHORISATION_ARGUMENT_SCHEMA, type Authorisation } from './authorisation.js';
import { createAuthorisationVerifier } from './authorisation-verifier.js';
import type { IdentityContext } from './identity-context.js';
import { createLocalSessionResolver } from './local-session-resolver.js';
import { type LoginSession, logOutSession, parseLoginSession } from './login-session.js';
import { requireSession, retireSession } from './session-records.js';
import { liveSessionKey } from './store-layout.js';
import { requireUserByName } from './user-lookup.js';
import { parseUsername, type Username } from './usernames.js';

/** Arguments of {@link logout}. */
export interface LogoutArgs {
  /** The session owner's username. */
  readonly username: string;
  /** The session to end. */
  readonly sessionUid: string;
  /**
   * An authorisation signed by the session's own key for
   * `requestResource('logout', { username, sessionUid })`.
   */
  readonly authorisation: Authorisation;
}

/** Result of {@link logout}. */
export interface LogoutResult {
  /** Always `logged_out`; every failure throws. */
  readonly status: 'logged_out';
  /** When the session ended, in ms since the epoch. */
  readonly logoutTimeMs: number;
}

const LOGOUT_ARGS: v.GenericSchema<LogoutArgs> = v.strictObject({
  username: USERNAME_SCHEMA,
  sessionUid: UID_SCHEMA,
  authorisation: AUTHORISATION_ARGUMENT_SCHEMA,
});

/**
 * Logs a session out.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `USER_NOT_FOUND`, `SESSION_NOT_FOUND`,
 *   `INVALID_SIGNATURE`, `WRONG_RESOURCE`, `AUTHORISATION_STALE`, `SESSION_NOT_APPROVED`,
 *   `SESSION_DENIED`, `SESSION_SUSPICIOUS`, `SESSION_LOGGED_OUT`
 * @example
 * ```ts
 * import { createAuthorisation, logout, requestResource } from '@acquire/core';
 *
 * const resource = requestResource('logout', { username, sessionUid });
 * const authorisation = createAuthorisation({ userUid, sessionUid, identityUrl, resource, signingSecretKey, clock });
 * await logout.run({ username, sessionUid, authorisation }, context);
 * ```
 */
export const logout: ServiceFunction<
  v.GenericSchema<LogoutArgs>,
  LogoutResult,
  IdentityContext
> = defineServiceFunction('logout', LOGOUT_ARGS, async (args, context) => {
  const username = parseUsername(args.username);
  const { account } = await requireUserByName(context.store, username);
  await requireSession(context.store, username.key, args.sessionUid);

  const verify = createAuthorisationVerifier({
    clock: context.clock,
    resolveSession: createLocalSessionResolver(context),
    isTrustedIdentity: (url) => url === context.serviceUrl,
    cacheTtlMs: 0,
  });
  const resource = requestResource('logout', {
    username: args.username,
    sessionUid: args.sessionUid,
  });
  const signer = await verify(args.authorisation, { resource });
  if (signer.sessionUid !== args.sessionUid || signer.userUid !== account.value.userUid) {
    throw new AcquireError(ErrorCode.INVALID_SIGNATURE, 'not signed by this session');
  }

  const ended = await endSession(context, username, args.sessionUid);
  context.logger.info({ userUid: ended.userUid, sessionUid: ended.sessionUid }, 'logged out');
  return { status: 'logged_out', logoutTimeMs: ended.logoutTimeMs ?? context.clock.now() };
});

/** Marks the live session logged out (unless already) and moves it; returns the ended record. */
async function endSession(
  context: IdentityContext,
  username: Username,
  sessionUid: string,
): Promise<LoginSession> {
  const { store } = context;
  const key = liveSessionKey(username.key, sessionUid);
  const nowMs = context.clock.now();
  await updateJson<LoginSession>(
    store,
    key,
    (current) => {
      if (current === undefined || current.status === 'logged_out') {
        return undefined;
      }
      return logOutSession(current, nowMs);
    },
    { parse: parseLoginSession },
  );

  const live = await readJson(store, key, parseLoginSession);
  if (live !== undefined) {
    await retireSession(store, username.key, live.value, live.version);
    return live.value;
  }
  const { session } = await requireSession(store, username.key, sessionUid);
  return session;
}
