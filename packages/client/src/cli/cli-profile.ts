/**
 * The command line's profile: which services and which user the next command talks to. It is
 * kept in the wallet directory beside the sessions and holds no secret.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';
import * as v from 'valibot';
import type { WalletStorage } from '../wallet/wallet-storage.js';

/** The wallet entry the profile lives in. */
const PROFILE_ENTRY = 'cli-profile';

/** Where the command line's user and services are. */
export interface CliProfile {
  /** The identity service the user logged in with. */
  readonly identityUrl: string;
  /** The logged-in user's name. */
  readonly username: string;
  /** The accounting service, when known. */
  readonly accountingUrl?: string;
  /** The access service, when known. */
  readonly accessUrl?: string;
}

const PROFILE_SCHEMA: v.GenericSchema<unknown, CliProfile> = v.object({
  identityUrl: v.string(),
  username: v.string(),
  accountingUrl: v.optional(v.string()),
  accessUrl: v.optional(v.string()),
});

/** No user has logged in with this wallet yet. */
export const NO_PROFILE = 'NO_PROFILE';

/**
 * Reads the profile.
 *
 * @param storage - the wallet storage
 * @returns the profile, or `undefined` before the first login
 */
export async function readProfile(storage: WalletStorage): Promise<CliProfile | undefined> {
  const text = await storage.read(PROFILE_ENTRY);
  if (text === undefined) {
    return undefined;
  }
  try {
    return v.parse(PROFILE_SCHEMA, JSON.parse(text));
  } catch (cause) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, 'the command-line profile is damaged', {
      cause,
    });
  }
}

/**
 * Reads the profile, refusing when there is none.
 *
 * @param storage - the wallet storage
 * @returns the profile
 * @throws AcquireError `NO_PROFILE` before the first login
 */
export async function requireProfile(storage: WalletStorage): Promise<CliProfile> {
  const profile = await readProfile(storage);
  if (profile === undefined) {
    throw new AcquireError(NO_PROFILE, 'nobody is logged in here: run `acquire login` first');
  }
  return profile;
}

/**
 * Saves the profile.
 *
 * @param storage - the wallet storage
 * @param profile - the new profile
 */
export async function writeProfile(storage: WalletStorage, profile: CliProfile): Promise<void> {
  await storage.write(PROFILE_ENTRY, JSON.stringify(profile));
}

/**
 * Forgets the profile.
 *
 * @param storage - the wallet storage
 */
export async function removeProfile(storage: WalletStorage): Promise<void> {
  await storage.remove(PROFILE_ENTRY);
}
