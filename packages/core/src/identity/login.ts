/**
 * `login`: a person approves a pending login request with username, password and one-time code.
 *
 * Every attempt counts against the throttle until its credentials check out; every credential
 * failure gives the same `LOGIN_FAILED` and is logged with its reason for operators only. A code
 * is spent once per user; a second use is refused and both sessions involved become
 * `suspicious`.
 *
 * @module
 */

import * as v from 'valibot';
import type { EncryptionKeyPair } from '../crypto/sealed-box.js';
import { verifyTotpCode } from '../crypto/totp.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { readJson } from '../store/json.js';
import {
  CODE_SCHEMA,
  PASSWORD_SCHEMA,
  SHORT_UID_SCHEMA,
  UID_SCHEMA,
  USERNAME_SCHEMA,
} from './argument-schemas.js';
import { openDeviceSecret } from './devices.js';
import type { IdentityContext } from './identity-context.js';
import { approveLogin, type CheckedLogin } from './login-approval.js';
import { isLiveSession, type LoginSession, parseLoginSession } from './login-session.js';
import { findPendingRequest } from './pending-requests.js';
import { markSessionSuspicious, pruneSpentCodes, spendCode } from './spent-codes.js';
import { ACCOUNT_SECRET_ID, liveSessionKey } from './store-layout.js';
import { admitAttempt, recordLoginSuccess, throttleKeys } from './throttle.js';
import { openAccountKeyPair, openSecret, type UserAccount } from './user-account.js';
import { readAccount } from './user-lookup.js';
import { parseUsername, type Username } from './usernames.js';

/** Arguments of {@link login}. */
export interface LoginArgs {
  /** The short uid from the login URL. */
  readonly shortUid: string;
  /** The username. */
  readonly username: string;
  /** The password. */
  readonly password: string;
  /** The current one-time code of the account, or of the remembered device. */
  readonly code: string;
  /** A remembered device whose code `code` is. */
  readonly deviceUid?: string;
  /** Remember this device: issue it its own TOTP secret (the code must be the account's). */
  readonly rememberDevice?: boolean;
}

/** Result of {@link login}. */
export interface LoginResult {
  /** Always `approved`; every failure throws. */
  readonly status: 'approved';
  /** The approved session. */
  readonly sessionUid: string;
  /** The newly remembered device, when one was asked for. */
  readonly deviceUid?: string;
  /** The `otpauth://` URI of the new device's secret; shown once. */
  readonly deviceProvisioningUri?: string;
}

const LOGIN_ARGS: v.GenericSchema<LoginArgs> = v.strictObject({
  shortUid: SHORT_UID_SCHEMA,
  username: USERNAME_SCHEMA,
  password: PASSWORD_SCHEMA,
  code: CODE_SCHEMA,
  deviceUid: v.optional(UID_SCHEMA),
  rememberDevice: v.optional(v.boolean()),
});

/** Why a login failed; logged, never returned. */
type FailureReason =
  | 'no-such-request'
  | 'no-such-user'
  | 'wrong-password'
  | 'unknown-device'
  | 'wrong-code'
  | 'code-reused';

type CheckOutcome = { readonly failure: FailureReason } | { readonly checked: CheckedLogin };

/**
 * Approves a pending login request.
 *
 * A login that spends a code first wins; if a second login with the same code arrives while the
 * first is still writing its approval, the first may return `approved` for a session that is
 * already marked suspicious. The stored session status is what counts, and it is `suspicious`.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, `LOGIN_THROTTLED` (with `details.retryAfterMs`),
 *   `LOGIN_FAILED`, `LOGIN_AMBIGUOUS`, `ONE_TIME_CODE_REUSED`, `SESSION_NOT_PENDING`,
 *   `USER_DISABLED`
 * @example
 * ```ts
 * import { login } from '@acquire/core';
 *
 * const { sessionUid } = await login.run({ shortUid, username, password, code }, context);
 * ```
 */
export const login: ServiceFunction<
  v.GenericSchema<LoginArgs>,
  LoginResult,
  IdentityContext
> = defineServiceFunction('login', LOGIN_ARGS, async (args, context) => {
  const username = parseUsername(args.username);
  const throttle = throttleKeys(username.key, context.remoteAddress);
  const nowMs = context.clock.now();
  await admitAttempt(context.store, throttle, nowMs);

  const outcome = await checkLogin(args, username, context, nowMs);
  if ('failure' in outcome) {
    context.logger.info({ name: username.key, reason: outcome.failure }, 'login failed');
    throw outcome.failure === 'code-reused'
      ? new AcquireError(ErrorCode.ONE_TIME_CODE_REUSED, 'this one-time code was already used')
      : new AcquireError(
          ErrorCode.LOGIN_FAILED,
          'username, password, code or request not recognised',
        );
  }

  await recordLoginSuccess(context.store, throttle);
  return approveLogin(username, outcome.checked, args.rememberDevice === true, context, nowMs);
});

/** Checks the request, password, code and its single use; writes only the spent-code claim. */
async function checkLogin(
  args: LoginArgs,
  username: Username,
  context: IdentityContext,
  nowMs: number,
): Promise<CheckOutcome> {
  const { store } = context;
  const sessionUid = await findPendingRequest(store, args.shortUid, username.key, nowMs);
  const account = await readAccount(store, username);
  if (sessionUid === undefined || account === undefined) {
    return { failure: sessionUid === undefined ? 'no-such-request' : 'no-such-user' };
  }

  const keyPair = await openKeyPair(account.value, args.password);
  if (keyPair === undefined) {
    return { failure: 'wrong-password' };
  }
  if (account.value.status !== 'active') {
    throw new AcquireError(ErrorCode.USER_DISABLED, 'this account is disabled');
  }

  const secret = await codeSecret(args, username, account.value, keyPair, context);
  if (secret === undefined) {
    return { failure: 'unknown-device' };
  }
  const step = verifyTotpCode(secret.totpSecret, args.code, context.clock);
  if (step === undefined) {
    return { failure: 'wrong-code' };
  }

  const session = await readPendingSession(context, username, sessionUid, account.value, nowMs);
  await pruneSpentCodes(store, username.key, secret.secretId, nowMs);
  const firstSpender = await spendCode(
    store,
    username.key,
    secret.secretId,
    step,
    sessionUid,
    nowMs,
  );
  if (firstSpender === sessionUid) {
    throw new AcquireError(ErrorCode.SESSION_NOT_PENDING, 'this login was already submitted');
  }
  if (firstSpender !== undefined) {
    await reportReuse(context, username, firstSpender, sessionUid, nowMs);
    return { failure: 'code-reused' };
  }
  return { checked: { account: account.value, session, secretId: secret.secretId } };
}

async function openKeyPair(
  account: UserAccount,
  password: string,
): Promise<EncryptionKeyPair | undefined> {
  try {
    return await openAccountKeyPair(account, password);
  } catch (error) {
    if (AcquireError.is(error, ErrorCode.WRONG_PASSWORD)) {
      return undefined;
    }
    throw error;
  }
}

/** The secret whose code the user typed: a remembered device's, or the account's. */
async function codeSecret(
  args: LoginArgs,
  username: Username,
  account: UserAccount,
  keyPair: EncryptionKeyPair,
  context: IdentityContext,
): Promise<{ totpSecret: string; secretId: string } | undefined> {
  if (args.deviceUid === undefined || args.rememberDevice === true) {
    return {
      totpSecret: openSecret(account.sealedTotpSecret, keyPair),
      secretId: ACCOUNT_SECRET_ID,
    };
  }
  const totpSecret = await openDeviceSecret(
    context.store,
    username.key,
    args.deviceUid,
    account,
    keyPair,
  );
  return totpSecret === undefined ? undefined : { totpSecret, secretId: args.deviceUid };
}

/** The session behind a pending request, which must still wait for approval. */
async function readPendingSession(
  context: IdentityContext,
  username: Username,
  sessionUid: string,
  account: UserAccount,
  nowMs: number,
): Promise<LoginSession> {
  const key = liveSessionKey(username.key, sessionUid);
  const found = await readJson(context.store, key, parseLoginSession);
  const session = found?.value;
  if (
    session === undefined ||
    session.userUid !== account.userUid ||
    session.status !== 'unapproved' ||
    !isLiveSession(session, nowMs)
  ) {
    throw new AcquireError(ErrorCode.SESSION_NOT_PENDING, 'session is not waiting for approval');
  }
  return session;
}

/** Both the session that spent the code first and the one trying again become suspicious. */
async function reportReuse(
  context: IdentityContext,
  username: Username,
  firstSessionUid: string,
  sessionUid: string,
  nowMs: number,
): Promise<void> {
  await markSessionSuspicious(context.store, username.key, firstSessionUid, nowMs);
  await markSessionSuspicious(context.store, username.key, sessionUid, nowMs);
  context.logger.warn(
    { name: username.key, sessionUid, firstSessionUid },
    'one-time code reused; both sessions marked suspicious',
  );
}
