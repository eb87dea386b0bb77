/**
 * `request_login`: a client that made a fresh X25519 key pair and Ed25519 key pair asks for a
 * login session bound to their public halves, and gets a URL where the user approves it.
 *
 * The user's ended and expired sessions are pruned first. The open-session cap is enforced
 * without a lock: the new session is written, the user's sessions counted again, and the new
 * one withdrawn if the cap is exceeded. Of requests racing past the cap the last to count
 * always withdraws, so the cap is never exceeded for longer than the race lasts (racers may
 * both withdraw, refusing one more than strictly needed).
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { writeJsonIfAbsent } from '../store/json.js';
import {
  HOSTNAME_LENGTH_MAX_CHARS,
  IP_ADDRESS_LENGTH_MAX_CHARS,
  lineSchema,
  MESSAGE_SCHEMA,
  publicKeySchema,
  USERNAME_SCHEMA,
} from './argument-schemas.js';
import type { IdentityContext } from './identity-context.js';
import { createLoginSession, type LoginSession, SESSIONS_OPEN_MAX } from './login-session.js';
import { countSessionRecords, pendingRequest, pruneSessions } from './session-records.js';
import { liveSessionKey, requestKey } from './store-layout.js';
import { createUid } from './uids.js';
import { requireUserByName } from './user-lookup.js';
import { parseUsername } from './usernames.js';

/** Arguments of {@link requestLogin}. */
export interface RequestLoginArgs {
  /** The user to log in as. */
  readonly username: string;
  /** The client's X25519 public key as `x25519:<base64url>`. */
  readonly publicKey: string;
  /** The client's Ed25519 public key as `ed25519:<base64url>`; it will sign authorisations. */
  readonly certificate: string;
  /** The client's address as it sees it, shown to the user on the login page. */
  readonly ipAddress?: string;
  /** The client's host name, shown to the user. */
  readonly hostname?: string;
  /** A note shown to the user. */
  readonly message?: string;
}

/** Result of {@link requestLogin}. */
export interface RequestLoginResult {
  /** The new session's uid. */
  readonly sessionUid: string;
  /** Its short uid, for the login URL. */
  readonly shortUid: string;
  /** The user's uid. */
  readonly userUid: string;
  /** Where the user approves the session: `<service url>/s?id=<short uid>`. */
  readonly loginUrl: string;
}

const REQUEST_LOGIN_ARGS: v.GenericSchema<RequestLoginArgs> = v.strictObject({
  username: USERNAME_SCHEMA,
  publicKey: publicKeySchema('x25519'),
  certificate: publicKeySchema('ed25519'),
  ipAddress: v.optional(lineSchema(IP_ADDRESS_LENGTH_MAX_CHARS)),
  hostname: v.optional(lineSchema(HOSTNAME_LENGTH_MAX_CHARS)),
  message: v.optional(MESSAGE_SCHEMA),
});

/**
 * Opens an `unapproved` login session for a user.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `USER_NOT_FOUND`, `USER_DISABLED`,
 *   `TOO_MANY_SESSIONS`
 * @example
 * ```ts
 * import { requestLogin } from '@acquire/core';
 *
 * const { loginUrl, sessionUid } = await requestLogin.run(
 *   { username: 'alice', publicKey: 'x25519:…', certificate: 'ed25519:…' },
 *   context,
 * );
 * ```
 */
export const requestLogin: ServiceFunction<
  v.GenericSchema<RequestLoginArgs>,
  RequestLoginResult,
  IdentityContext
> = defineServiceFunction('request_login', REQUEST_LOGIN_ARGS, async (args, context) => {
  const { store } = context;
  const username = parseUsername(args.username);
  const { account } = await requireUserByName(store, username);
  if (account.value.status !== 'active') {
    throw new AcquireError(ErrorCode.USER_DISABLED, 'this account is disabled');
  }

  const nowMs = context.clock.now();
  if ((await pruneSessions(store, username.key, nowMs)) >= SESSIONS_OPEN_MAX) {
    throw tooManySessions();
  }

  const session = createLoginSession({
    sessionUid: createUid(),
    userUid: account.value.userUid,
    publicKey: args.publicKey,
    certificate: args.certificate,
    requestTimeMs: nowMs,
    ipAddress: args.ipAddress,
    hostname: args.hostname,
    message: args.message,
  });
  await openSession(context, username.key, session);

  return {
    sessionUid: session.sessionUid,
    shortUid: session.shortUid,
    userUid: session.userUid,
    loginUrl: `${context.serviceUrl}/s?id=${session.shortUid}`,
  };
});

/** Writes the session and its request pointer, withdrawing both if the cap was exceeded. */
async function openSession(
  context: IdentityContext,
  name: string,
  session: LoginSession,
): Promise<void> {
  const { store } = context;
  const sessionKey = liveSessionKey(name, session.sessionUid);
  await writeJsonIfAbsent(store, sessionKey, session);

  if ((await countSessionRecords(store, name)) > SESSIONS_OPEN_MAX) {
    await store.delete(sessionKey);
    throw tooManySessions();
  }

  await writeJsonIfAbsent(
    store,
    requestKey(session.shortUid, session.sessionUid),
    pendingRequest(name, session.requestTimeMs),
  );
  context.logger.info(
    { userUid: session.userUid, sessionUid: session.sessionUid },
    'login requested',
  );
}

function tooManySessions(): AcquireError {
  return new AcquireError(
    ErrorCode.TOO_MANY_SESSIONS,
    `at most ${SESSIONS_OPEN_MAX} sessions may be open at once; log out of one first`,
  );
}
