/**
 * The user's side of Acquire's login flow: register, ask for a session bound to keys made here,
 * approve it (or wait while a person approves it on the login page), sign authorisations with
 * the session key, and log out.
 *
 * @module
 */

import {
  AcquireError,
  type Authorisation,
  type Clock,
  createAuthorisation,
  ErrorCode,
  encodePublicKey,
  generateEncryptionKeyPair,
  generateSigningKeyPair,
  requestResource,
  systemClock,
} from '@acquire/core';
import type { FunctionCallerOptions } from '../clients/function-caller.js';
import { createIdentityClient, type IdentityClient } from '../clients/identity-client.js';
import type { Wallet, WalletSession } from '../wallet/wallet.js';
import { type WaitForApprovalOptions, waitForApproval } from './approval-wait.js';

/** Options for {@link createUser}. */
export interface UserOptions {
  /** The identity service's URL. */
  readonly identityUrl: string;
  /** The user's name. */
  readonly username: string;
  /** Keeps the session between runs; without it the session lives in this object only. */
  readonly wallet?: Wallet;
  /** The time source for authorisations. @default systemClock */
  readonly clock?: Clock;
  /** Options for every call to the identity service. */
  readonly callOptions?: FunctionCallerOptions;
}

/** What {@link User.register} returns. */
export interface Registration {
  /** The user's stable uid. */
  readonly userUid: string;
  /** The `otpauth://` URI to add to an authenticator app; shown once, never stored. */
  readonly provisioningUri: string;
}

/** Details a login request may show the person approving it. */
export interface LoginRequestDetails {
  /** The requesting machine's name. */
  readonly hostname?: string;
  /** A short note, for example the app's name. */
  readonly message?: string;
}

/** A user of an identity service, as seen from the user's own device. */
export interface User {
  /** The user's name as given. */
  readonly username: string;
  /** The identity service's URL. */
  readonly identityUrl: string;
  /** The typed identity client this user calls through. */
  readonly identity: IdentityClient;
  /**
   * Creates the user.
   *
   * @param password - the new password
   * @returns the uid and the provisioning URI for an authenticator app
   * @throws AcquireError `USERNAME_TAKEN` when the name is in use
   */
  register(password: string): Promise<Registration>;
  /**
   * Makes fresh session keys and asks for a login session bound to them.
   *
   * @param details - what the login page may show
   * @returns the session with its login URL; the keys stay on this device
   */
  requestLogin(details?: LoginRequestDetails): Promise<WalletSession>;
  /**
   * Approves the pending session with password and one-time code, as the login page would.
   *
   * @param password - the user's password
   * @param code - the current code from the authenticator
   * @throws AcquireError `LOGIN_FAILED` for any wrong credential
   */
  approve(password: string, code: string): Promise<void>;
  /**
   * Waits until the pending session is approved, polling with back-off.
   *
   * @param options - time limit, poll interval and an abort signal
   * @throws AcquireError `LOGIN_TIMEOUT` when it was not approved in time, or the session's
   *   refusal code when it was denied or marked suspicious
   */
  waitForApproval(options?: WaitForApprovalOptions): Promise<void>;
  /** @returns the current session, or `undefined` before a login request */
  session(): WalletSession | undefined;
  /**
   * Loads this user's session from the wallet.
   *
   * @returns the session, or `undefined` when the wallet has none
   */
  resume(): Promise<WalletSession | undefined>;
  /**
   * Signs an authorisation for a resource with the session key.
   *
   * @param resource - what the authorisation is for
   * @returns the signed authorisation
   * @throws AcquireError `NOT_LOGGED_IN` without a session
   */
  authorise(resource: string): Authorisation;
  /**
   * Adds to a call's arguments an authorisation bound to exactly those arguments.
   *
   * @param functionName - the wire name of the function to call
   * @param args - the other arguments
   * @returns the arguments with `authorisation`
   */
  authoriseCall<const TArgs extends Record<string, unknown>>(
    functionName: string,
    args: TArgs,
  ): TArgs & {
    /** Signed for exactly this function and these arguments. */
    authorisation: Authorisation;
  };
  /** Logs the session out at the identity service and forgets it. */
  logout(): Promise<void>;
}

/** The user is not logged in on this device. */
export const NOT_LOGGED_IN = 'NOT_LOGGED_IN';

/**
 * Creates the user-side login flow.
 *
 * @param options - identity URL, username, wallet and clock
 * @returns the user
 * @example
 * ```ts
 * import { createUser } from '@acquire/client';
 *
 * const alice = createUser({ identityUrl: 'http://127.0.0.1:8001', username: 'alice' });
 * const session = await alice.requestLogin();
 * console.log(`approve at ${session.loginUrl}`);
 * await alice.waitForApproval();
 * ```
 */
export function createUser(options: UserOptions): User {
  const { identityUrl, username, wallet } = options;
  const clock = options.clock ?? systemClock;
  const identity = createIdentityClient(identityUrl, { clock, ...options.callOptions });
  let current: WalletSession | undefined;

  const requireSession = (): WalletSession => {
    if (current === undefined) {
      throw new AcquireError(NOT_LOGGED_IN, `${username} has no session on this device`);
    }
    return current;
  };

  const authorise = (resource: string): Authorisation => {
    const session = requireSession();
    return createAuthorisation({
      userUid: session.userUid,
      sessionUid: session.sessionUid,
      identityUrl: session.identityUrl,
      resource,
      signingSecretKey: session.signingSecretKey,
      clock,
    });
  };

  return {
    username,
    identityUrl,
    identity,

    async register(password) {
      const result = await identity.register({ username, password });
      if (result.provisioningUri === undefined) {
        throw new AcquireError(
          ErrorCode.INVALID_ARGUMENT,
          'registration returned no provisioning URI',
        );
      }
      return { userUid: result.userUid, provisioningUri: result.provisioningUri };
    },

    async requestLogin(details = {}) {
      const signing = generateSigningKeyPair();
      const encryption = generateEncryptionKeyPair();
      const publicKey = encodePublicKey('x25519', encryption.publicKey);
      const certificate = encodePublicKey('ed25519', signing.publicKey);
      const request = await identity.requestLogin({ username, publicKey, certificate, ...details });

      current = {
        identityUrl,
        username,
        ...request,
        publicKey,
        certificate,
        signingSecretKey: signing.secretKey,
        encryptionSecretKey: encryption.secretKey,
      };
      await wallet?.saveSession(current);
      return current;
    },

    async approve(password, code) {
      const session = requireSession();
      await identity.login({ shortUid: session.shortUid, username, password, code });
    },

    waitForApproval: (waitOptions) =>
      waitForApproval(identity, requireSession(), { clock, ...waitOptions }),

    session: () => current,

    async resume() {
      current = (await wallet?.loadSession(identityUrl, username)) ?? current;
      return current;
    },

    authorise,

    authoriseCall(functionName, args) {
      return { ...args, authorisation: authorise(requestResource(functionName, args)) };
    },

    async logout() {
      const session = requireSession();
      const args = { username, sessionUid: session.sessionUid };
      await identity.logout({ ...args, authorisation: authorise(requestResource('logout', args)) });
      current = undefined;
      await wallet?.removeSession(identityUrl, username);
    },
  };
}
