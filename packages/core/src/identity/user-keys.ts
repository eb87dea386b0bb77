/**
 * The lookup behind `get_keys` and `whois`: a user by name or uid and, for one of the user's
 * sessions, the session's public keys.
 *
 * @module
 */

import type { IdentityContext } from './identity-context.js';
import { readSessionKeys, type SessionKeys } from './session-certificate.js';
import { requireUser } from './user-lookup.js';

/** Whom to look up: a username, a user uid or both, and optionally one of the user's sessions. */
export interface UserKeysQuery {
  /** The user's name as typed. */
  readonly username?: string;
  /** The user's uid. */
  readonly userUid?: string;
  /** A session of the user whose keys are wanted. */
  readonly sessionUid?: string;
}

/** A user's name and uid and, when a session was asked for, that session's keys. */
export interface UserKeys {
  /** The normalised username as registered. */
  readonly username: string;
  /** The user's uid. */
  readonly userUid: string;
  /**
   * The session's keys: certificate and encryption key while approved, certificate and logout
   * time once logged out. Present only when a session was asked for.
   */
  readonly session?: SessionKeys;
}

/**
 * Finds a user and, with a session uid, that session's keys.
 *
 * @param context - the identity service's store and clock
 * @param query - the user, and optionally the session
 * @returns the user's name and uid, and the session's keys when asked for
 * @throws AcquireError `USER_NOT_FOUND`, `SESSION_NOT_FOUND`, `SESSION_NOT_APPROVED`,
 *   `SESSION_DENIED`, `SESSION_SUSPICIOUS`, `CORRUPT_RECORD`
 */
export async function lookUpUserKeys(
  context: Pick<IdentityContext, 'store' | 'clock'>,
  query: UserKeysQuery,
): Promise<UserKeys> {
  const { username, account } = await requireUser(context.store, query);
  const user = { username: account.value.username, userUid: account.value.userUid };
  if (query.sessionUid === undefined) {
    return user;
  }

  const session = await readSessionKeys(
    context.store,
    username.key,
    query.sessionUid,
    context.clock.now(),
  );
  return { ...user, session };
}
