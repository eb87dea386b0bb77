/**
 * Finding users by name or uid. `whois/<uid>` names the user; the account it points at must
 * carry the same uid, so a pointer left behind by an interrupted registration finds nobody.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { readJson, type VersionedJson } from '../store/json.js';
import type { ObjectStore } from '../store/object-store.js';
import { accountKey, whoisKey } from './store-layout.js';
import { parseUserAccount, type UserAccount } from './user-account.js';
import { parseUsername, type Username } from './usernames.js';

/** The current layout of a whois record. */
const WHOIS_RECORD_VERSION = 1;

/** A whois record as stored at `whois/<user uid>`. */
export interface WhoisRecord {
  /** Layout version. */
  readonly v: 1;
  /** The normalised username. */
  readonly username: string;
}

const WHOIS_RECORD_SCHEMA = v.object({
  v: v.literal(WHOIS_RECORD_VERSION),
  username: v.string(),
});

const parseWhoisRecord = (value: unknown): WhoisRecord => v.parse(WHOIS_RECORD_SCHEMA, value);

/**
 * A whois record for a name.
 *
 * @param username - the normalised username
 * @returns the record
 */
export function whoisRecord(username: string): WhoisRecord {
  return { v: WHOIS_RECORD_VERSION, username };
}

/** A user found in the store. */
export interface FoundUser {
  /** The name in both forms. */
  readonly username: Username;
  /** The account and its version. */
  readonly account: VersionedJson<UserAccount>;
}

/**
 * Reads a user's account by name.
 *
 * @param store - the identity store
 * @param username - the parsed name
 * @returns the account, or `undefined` when nobody has the name
 * @throws AcquireError `CORRUPT_RECORD` when the record is damaged
 */
export function readAccount(
  store: ObjectStore,
  username: Username,
): Promise<VersionedJson<UserAccount> | undefined> {
  return readJson(store, accountKey(username.key), parseUserAccount);
}

/**
 * Reads a user's account by name and throws when there is none.
 *
 * @param store - the identity store
 * @param username - the parsed name
 * @returns the user
 * @throws AcquireError `USER_NOT_FOUND`, or `CORRUPT_RECORD` when damaged
 */
export async function requireUserByName(
  store: ObjectStore,
  username: Username,
): Promise<FoundUser> {
  const account = await readAccount(store, username);
  if (account === undefined) {
    throw userNotFound();
  }
  return { username, account };
}

/**
 * Reads a user's account by uid.
 *
 * @param store - the identity store
 * @param userUid - a well-formed uid
 * @returns the user
 * @throws AcquireError `USER_NOT_FOUND`, or `CORRUPT_RECORD` when damaged
 */
export async function requireUserByUid(store: ObjectStore, userUid: string): Promise<FoundUser> {
  const whois = await readJson(store, whoisKey(userUid), parseWhoisRecord);
  if (whois === undefined) {
    throw userNotFound();
  }

  const username = parseStoredUsername(whois.value.username, whoisKey(userUid));
  const account = await readAccount(store, username);
  if (account === undefined || account.value.userUid !== userUid) {
    throw userNotFound();
  }
  return { username, account };
}

/**
 * Finds a user by name, uid or both; with both, they must name the same user.
 *
 * @param store - the identity store
 * @param query - a typed name, a uid, or both
 * @returns the user
 * @throws AcquireError `USER_NOT_FOUND`, `INVALID_ARGUMENT` when neither is given
 */
export async function requireUser(
  store: ObjectStore,
  query: { readonly username?: string; readonly userUid?: string },
): Promise<FoundUser> {
  if (query.username !== undefined) {
    const found = await requireUserByName(store, parseUsername(query.username));
    if (query.userUid !== undefined && found.account.value.userUid !== query.userUid) {
      throw userNotFound();
    }
    return found;
  }
  if (query.userUid !== undefined) {
    return requireUserByUid(store, query.userUid);
  }
  throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'give a username or a userUid');
}

function parseStoredUsername(name: string, key: string): Username {
  try {
    return parseUsername(name);
  } catch (cause) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, `record ${key} holds an invalid name`, {
      cause,
    });
  }
}

function userNotFound(): AcquireError {
  return new AcquireError(ErrorCode.USER_NOT_FOUND, 'no such user');
}
