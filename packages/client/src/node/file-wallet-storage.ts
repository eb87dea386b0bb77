/**
 * Wallet entries as files in a directory only the owner can read: the directory is created with
 * mode 0700, each entry is written to a 0600 temporary file and renamed into place, so a reader
 * never sees half an entry.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import envPaths from 'env-paths';
import type { WalletStorage } from '../wallet/wallet-storage.js';

/** Owner may read, write and enter the directory; nobody else may do anything. */
const DIRECTORY_MODE = 0o700;

/** Owner may read and write an entry; nobody else may do anything. */
const FILE_MODE = 0o600;

const ENTRY_SUFFIX = '.json';
const ENTRY_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The default wallet directory: `ACQUIRE_WALLET_DIR` when set, otherwise `wallet` inside the
 * platform's configuration directory for Acquire (for example `~/.config/acquire/wallet`).
 *
 * @param env - the environment to read
 * @returns an absolute directory path
 */
export function defaultWalletDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.ACQUIRE_WALLET_DIR ?? join(envPaths('acquire', { suffix: '' }).config, 'wallet');
}

/**
 * Keeps wallet entries as owner-only files in a directory.
 *
 * @param directory - where the entries live; created when missing
 * @returns a wallet storage
 * @example
 * ```ts
 * import { createWallet } from '@acquire/client';
 * import { createFileWalletStorage, defaultWalletDirectory } from '@acquire/client/node';
 *
 * const storage = createFileWalletStorage(defaultWalletDirectory());
 * const wallet = createWallet({ storage, password: process.env.ACQUIRE_WALLET_PASSWORD ?? '' });
 * ```
 */
export function createFileWalletStorage(directory: string): WalletStorage {
  const pathOf = (name: string) => {
    if (!ENTRY_NAME_PATTERN.test(name)) {
      throw new TypeError('wallet entry names are 1–100 characters of [A-Za-z0-9_-]');
    }
    return join(directory, name + ENTRY_SUFFIX);
  };

  return {
    async read(name) {
      try {
        return await readFile(pathOf(name), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return undefined;
        }
        throw error;
      }
    },

    async write(name, text) {
      const path = pathOf(name);
      await mkdir(directory, { recursive: true, mode: DIRECTORY_MODE });
      const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, text, { mode: FILE_MODE, flag: 'wx' });
        await rename(temporary, path);
      } finally {
        await rm(temporary, { force: true });
      }
    },

    async remove(name) {
      await rm(pathOf(name), { force: true });
    },

    async list() {
      try {
        const files = await readdir(directory);
        return files
          .filter((file) => file.endsWith(ENTRY_SUFFIX))
          .map((file) => file.slice(0, -ENTRY_SUFFIX.length));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return [];
        }
        throw error;
      }
    },
  };
}
