/**
 * The second half of `login`: once credentials and the code's single use are settled, the
 * session is approved by compare-and-swap and the device remembered.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { updateJson } from '../store/json.js';
import { rememberDevice } from './devices.js';
import type { IdentityContext } from './identity-context.js';
import type { LoginResult } from './login.js';
import { approveSession, type LoginSession, parseLoginSession } from './login-session.js';
import { ACCOUNT_SECRET_ID, liveSessionKey, requestKey } from './store-layout.js';
import type { UserAccount } from './user-account.js';
import type { Username } from './usernames.js';

/** Credentials that checked out, ready to approve with. */
export interface CheckedLogin {
  /** The user's account. */
  readonly account: UserAccount;
  /** The pending session. */
  readonly session: LoginSession;
  /** `account`, or the device uid whose code was used. */
  readonly secretId: string;
}

/**
 * Writes the approval of a checked login (its code already spent), drops the pending request,
 * and remembers the device when asked.
 *
 * @param username - the user's name
 * @param checked - the account, session and secret that checked out
 * @param remember - whether to remember the device
 * @param context - the identity context
 * @param nowMs - now
 * @returns the login result
 * @throws AcquireError `SESSION_NOT_PENDING` when the session was approved or ended meanwhile
 */
export async function approveLogin(
  username: Username,
  checked: CheckedLogin,
  remember: boolean,
  context: IdentityContext,
  nowMs: number,
): Promise<LoginResult> {
  const { store } = context;
  const { session } = checked;
  const deviceUid = checked.secretId === ACCOUNT_SECRET_ID ? undefined : checked.secretId;

  const stored = await updateJson<LoginSession>(
    store,
    liveSessionKey(username.key, session.sessionUid),
    (current) => approvedOrSuspicious(current, nowMs, deviceUid),
    { parse: parseLoginSession },
  );
  await store.delete(requestKey(session.shortUid, session.sessionUid));
  context.logger.info(
    { userUid: checked.account.userUid, sessionUid: session.sessionUid },
    'login approved',
  );

  if (!remember || stored?.status !== 'approved') {
    return { status: 'approved', sessionUid: session.sessionUid };
  }
  const device = await rememberDevice(store, username.key, checked.account, nowMs);
  return {
    status: 'approved',
    sessionUid: session.sessionUid,
    deviceUid: device.deviceUid,
    deviceProvisioningUri: device.provisioningUri,
  };
}

/**
 * The approval transition. A session marked suspicious between the code claim and this write
 * (by a concurrent reuse of the same code) stays suspicious but records its login time: the
 * claim decided the approval, and the reuse came after it.
 */
function approvedOrSuspicious(
  current: LoginSession | undefined,
  nowMs: number,
  deviceUid: string | undefined,
): LoginSession {
  if (current?.status === 'suspicious' && current.loginTimeMs === undefined) {
    return { ...current, loginTimeMs: nowMs, deviceUid };
  }
  if (current === undefined) {
    throw new AcquireError(ErrorCode.SESSION_NOT_PENDING, 'session is not waiting for approval');
  }
  return approveSession(current, nowMs, deviceUid);
}
