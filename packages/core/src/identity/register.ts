/**
 * `register`: creates a user, or changes a user's password.
 *
 * Creation claims `accounts/<name>` with write-if-absent, so of any number of concurrent
 * registrations of one name exactly one wins. The uid's `whois/` record is written first and
 * removed again if the claim is lost; a crash in between leaves a pointer that finds nobody.
 *
 * A password change needs the old password (throttled like a login, since it would otherwise
 * be a password oracle), makes a new key pair sealed under the new password, re-seals the same
 * TOTP secret to it and writes the account by compare-and-swap. It keeps the uid and forgets
 * remembered devices, whose secrets were sealed to the old key. It does not ask for a one-time
 * code: whoever knows the password can change it.
 *
 * @module
 */

import * as v from 'valibot';
import type { EncryptionKeyPair } from '../crypto/sealed-box.js';
import { generateTotpSecret, totpProvisioningUri } from '../crypto/totp.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { type VersionedJson, writeJsonIfAbsent, writeJsonIfVersion } from '../store/json.js';
import { PASSWORD_SCHEMA, USERNAME_SCHEMA } from './argument-schemas.js';
import { forgetDevices } from './devices.js';
import { type IdentityContext, passwordLogN } from './identity-context.js';
import { accountKey, whoisKey } from './store-layout.js';
import { admitAttempt, recordLoginSuccess, throttleKeys } from './throttle.js';
import { createUid } from './uids.js';
import {
  openAccountKeyPair,
  openSecret,
  sealAccountSecrets,
  USER_ACCOUNT_VERSION,
  type UserAccount,
} from './user-account.js';
import { readAccount, whoisRecord } from './user-lookup.js';
import { parseUsername, type Username } from './usernames.js';

/** Arguments of {@link register}. */
export interface RegisterArgs {
  /** The name to register, 3–50 characters; case does not distinguish users. */
  readonly username: string;
  /** The (new) password. */
  readonly password: string;
  /** The current password, to change the password of an existing user. */
  readonly oldPassword?: string;
}

/** Result of {@link register}. */
export interface RegisterResult {
  /** The user's uid, the same before and after a password change. */
  readonly userUid: string;
  /**
   * The `otpauth://` URI for the user's authenticator app; returned once, at creation only.
   * It holds the TOTP secret: show it to the user and keep it nowhere.
   */
  readonly provisioningUri?: string;
}

const REGISTER_ARGS: v.GenericSchema<RegisterArgs> = v.strictObject({
  username: USERNAME_SCHEMA,
  password: PASSWORD_SCHEMA,
  oldPassword: v.optional(PASSWORD_SCHEMA),
});

/**
 * Registers a user, or changes a user's password when `oldPassword` is given.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `USERNAME_TAKEN`, `USER_NOT_FOUND` (password change
 *   of an unknown user), `WRONG_PASSWORD`, `LOGIN_THROTTLED`, `USER_DISABLED`, `ACCOUNT_CHANGED`
 * @example
 * ```ts
 * import { createManualClock, createMemoryStore, register, silentLogger } from '@acquire/core';
 *
 * const context = {
 *   store: createMemoryStore(),
 *   clock: createManualClock(),
 *   logger: silentLogger,
 *   serviceUrl: 'https://id.example',
 * };
 * const { userUid, provisioningUri } = await register.run(
 *   { username: 'alice', password: 'correct horse battery staple' },
 *   context,
 * );
 * ```
 */
export const register: ServiceFunction<
  v.GenericSchema<RegisterArgs>,
  RegisterResult,
  IdentityContext
> = defineServiceFunction('register', REGISTER_ARGS, async (args, context) => {
  const username = parseUsername(args.username);
  const existing = await readAccount(context.store, username);

  if (args.oldPassword !== undefined) {
    if (existing === undefined) {
      throw new AcquireError(ErrorCode.USER_NOT_FOUND, 'no such user to change the password of');
    }
    return changePassword(username, existing, args.oldPassword, args.password, context);
  }
  if (existing !== undefined) {
    throw usernameTaken();
  }
  return createUser(username, args.password, context);
});

async function createUser(
  username: Username,
  password: string,
  context: IdentityContext,
): Promise<RegisterResult> {
  const { store } = context;
  const userUid = createUid();
  const totpSecret = generateTotpSecret();
  const secrets = await sealAccountSecrets(password, totpSecret, passwordLogN(context));
  const nowMs = context.clock.now();
  const account: UserAccount = {
    v: USER_ACCOUNT_VERSION,
    username: username.name,
    userUid,
    status: 'active',
    ...secrets,
    createdMs: nowMs,
    passwordChangedMs: nowMs,
  };

  await writeJsonIfAbsent(store, whoisKey(userUid), whoisRecord(username.name));
  try {
    await writeJsonIfAbsent(store, accountKey(username.key), account);
  } catch (error) {
    await store.delete(whoisKey(userUid));
    throw AcquireError.is(error, ErrorCode.PRECONDITION_FAILED) ? usernameTaken() : error;
  }

  context.logger.info({ userUid }, 'user registered');
  return { userUid, provisioningUri: totpProvisioningUri(totpSecret, username.name) };
}

async function changePassword(
  username: Username,
  existing: VersionedJson<UserAccount>,
  oldPassword: string,
  password: string,
  context: IdentityContext,
): Promise<RegisterResult> {
  const { store } = context;
  const throttle = throttleKeys(username.key, context.remoteAddress);
  await admitAttempt(store, throttle, context.clock.now());

  const keyPair = await openWithOldPassword(existing.value, oldPassword, context);
  await recordLoginSuccess(store, throttle);
  if (existing.value.status !== 'active') {
    throw new AcquireError(ErrorCode.USER_DISABLED, 'this account is disabled');
  }

  const totpSecret = openSecret(existing.value.sealedTotpSecret, keyPair);
  const secrets = await sealAccountSecrets(password, totpSecret, passwordLogN(context));
  const account: UserAccount = {
    ...existing.value,
    ...secrets,
    passwordChangedMs: context.clock.now(),
  };
  try {
    await writeJsonIfVersion(store, accountKey(username.key), account, existing.version);
  } catch (error) {
    throw AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)
      ? new AcquireError(ErrorCode.ACCOUNT_CHANGED, 'the account changed meanwhile; try again')
      : error;
  }

  await forgetDevices(store, username.key);
  context.logger.info({ userUid: account.userUid }, 'password changed');
  return { userUid: account.userUid };
}

/** The attempt was already counted against the throttle when it was admitted. */
async function openWithOldPassword(
  account: UserAccount,
  oldPassword: string,
  context: IdentityContext,
): Promise<EncryptionKeyPair> {
  try {
    return await openAccountKeyPair(account, oldPassword);
  } catch (error) {
    if (AcquireError.is(error, ErrorCode.WRONG_PASSWORD)) {
      context.logger.info({ userUid: account.userUid }, 'password change refused: wrong password');
      throw new AcquireError(ErrorCode.WRONG_PASSWORD, 'the old password does not match');
    }
    throw error;
  }
}

function usernameTaken(): AcquireError {
  return new AcquireError(ErrorCode.USERNAME_TAKEN, 'this username is already registered');
}
