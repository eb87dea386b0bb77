/**
 * Opening the wallet and the logged-in user for a command.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';
import { createFileWalletStorage, defaultWalletDirectory } from '../node/file-wallet-storage.js';
import { createUser, NOT_LOGGED_IN, type User } from '../user/user.js';
import { createWallet, type Wallet } from '../wallet/wallet.js';
import type { WalletStorage } from '../wallet/wallet-storage.js';
import type { CliVariable } from './cli-environment.js';
import { type CliIo, readSecret } from './cli-io.js';
import { type CliProfile, requireProfile } from './cli-profile.js';

/** Options every command accepts. */
export interface GlobalOptions {
  /** Print results as JSON. */
  readonly json?: boolean;
  /** Print stack traces of failures. */
  readonly debug?: boolean;
  /** The wallet directory. */
  readonly wallet?: string;
}

/** The wallet a command works with. */
export interface CliWallet {
  /** Where entries live. */
  readonly storage: WalletStorage;
  /** Opens the wallet, asking for its password. */
  open(): Promise<Wallet>;
}

/** The variables every command that opens the wallet reads. */
export const WALLET_VARIABLES: readonly CliVariable[] = [
  'ACQUIRE_WALLET_DIR',
  'ACQUIRE_WALLET_PASSWORD',
];

/**
 * The wallet in `--wallet`, `ACQUIRE_WALLET_DIR` or the platform's configuration directory. A
 * wrong wallet password is reported as the wallet's, with the directory.
 *
 * @param io - the command line's I/O
 * @param options - the global options
 * @returns the wallet, opened on demand
 */
export function cliWallet(io: CliIo, options: GlobalOptions): CliWallet {
  const directory = options.wallet ?? defaultWalletDirectory(io.env);
  const storage = createFileWalletStorage(directory);
  return {
    storage,
    open: async () => {
      const wallet = createWallet({
        storage,
        password: await readSecret(io, 'ACQUIRE_WALLET_PASSWORD', 'Wallet password'),
      });
      return { ...wallet, loadSession: sayingWalletPassword(wallet, directory) };
    },
  };
}

/**
 * The wallet's `loadSession`, saying that a wrong password is the wallet's: the same code comes
 * from services for their own passwords.
 */
function sayingWalletPassword(wallet: Wallet, directory: string): Wallet['loadSession'] {
  return async (identityUrl, username) => {
    try {
      return await wallet.loadSession(identityUrl, username);
    } catch (error) {
      if (AcquireError.is(error, ErrorCode.WRONG_PASSWORD)) {
        throw new AcquireError(
          ErrorCode.WRONG_PASSWORD,
          `the wallet password does not open the wallet in ${directory}`,
          { cause: error },
        );
      }
      throw error;
    }
  };
}

/** The logged-in user of the profile, with their session loaded. */
export interface CliUser {
  /** The profile. */
  readonly profile: CliProfile;
  /** The user, session loaded. */
  readonly user: User;
}

/**
 * Loads the profile's user and their session from the wallet.
 *
 * @param io - the command line's I/O
 * @param options - the global options
 * @returns the profile and user
 * @throws AcquireError `NO_PROFILE` or `NOT_LOGGED_IN`
 */
export async function loggedInUser(io: CliIo, options: GlobalOptions): Promise<CliUser> {
  const wallet = cliWallet(io, options);
  const profile = await requireProfile(wallet.storage);
  const user = createUser({
    identityUrl: profile.identityUrl,
    username: profile.username,
    wallet: await wallet.open(),
  });

  if ((await user.resume()) === undefined) {
    throw new AcquireError(NOT_LOGGED_IN, `${profile.username} has no session: run acquire login`);
  }
  return { profile, user };
}
