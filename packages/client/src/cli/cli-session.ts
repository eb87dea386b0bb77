/**
 * Opening the wallet and the logged-in user for a command.
 *
 * @module
 */

import { AcquireError } from '@acquire/core';
import { createFileWalletStorage, defaultWalletDirectory } from '../node/file-wallet-storage.js';
import { createUser, NOT_LOGGED_IN, type User } from '../user/user.js';
import { createWallet, type Wallet } from '../wallet/wallet.js';
import type { WalletStorage } from '../wallet/wallet-storage.js';
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

/**
 * The wallet in `--wallet`, `ACQUIRE_WALLET_DIR` or the platform's configuration directory.
 *
 * @param io - the command line's I/O
 * @param options - the global options
 * @returns the wallet, opened on demand
 */
export function cliWallet(io: CliIo, options: GlobalOptions): CliWallet {
  const storage = createFileWalletStorage(options.wallet ?? defaultWalletDirectory(io.env));
  return {
    storage,
    open: async () =>
      createWallet({
        storage,
        password: await readSecret(io, 'ACQUIRE_WALLET_PASSWORD', 'Wallet password'),
      }),
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
