/**
 * Directories under the store's root: finding them without following symbolic links, creating
 * them, syncing them, and removing them again once a delete leaves them empty.
 *
 * Node has no `openat`-style API that confines a lookup to a directory, so the store checks the
 * resolved path instead: a directory is accepted only when `realpath` gives back exactly the path
 * the key maps to, which fails as soon as any component is a link. This guards against links
 * planted in the root. A directory found real, or created, is remembered until this process
 * removes it, so the check costs one system call per directory rather than one per operation.
 * It cannot guard against someone swapping a directory for a link after the check, which needs
 * write access to the root and so the power to change the data anyway. A directory another
 * process removes while it is remembered is found missing by the operation that uses it.
 *
 * @module
 */

import { constants } from 'node:fs';
import { lstat, mkdir, realpath, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AcquireError, ErrorCode } from '@acquire/core';
import { closeDescriptor, flushAll, openDescriptor } from './file-descriptors.js';
import { errnoCode, isMissing, symlinkRefused } from './fs-errors.js';

/**
 * The directories remembered as real (see the module comment) are bounded: line items make one
 * directory per account and day, and the oldest remembered is forgotten first, which costs only
 * one more check when it is used again.
 */
const VERIFIED_DIRECTORIES_MAX = 4096;

/**
 * Creating a directory chain restarts when a concurrent delete removes a parent it just made.
 * Each restart means another process emptied the directory in that instant, so a few suffice.
 */
const DIRECTORY_ATTEMPTS_MAX = 16;

/** Where the store lives and how careful it is. */
export interface StoreLayout {
  /** The root directory, as `realpath` gives it. */
  readonly root: string;
  /** Whether to fsync files and directories. */
  readonly durable: boolean;
  /** Paths of directories found real or created since the store opened, and not removed since. */
  readonly verified: Set<string>;
}

/** What a directory lookup found. */
export type DirectoryState = 'present' | 'missing' | 'foreign';

/**
 * Joins encoded names onto the root.
 *
 * @param layout - the store layout
 * @param names - encoded directory names
 * @returns the directory's path
 */
export function directoryPath(layout: StoreLayout, names: readonly string[]): string {
  return join(layout.root, ...names);
}

/**
 * Looks up a directory without following links.
 *
 * @param layout - the store layout
 * @param names - encoded directory names
 * @returns `present`, `missing`, or `foreign` when a component is a link or not a directory
 */
export async function directoryState(
  layout: StoreLayout,
  names: readonly string[],
): Promise<DirectoryState> {
  if (names.length === 0) {
    return 'present';
  }
  const expected = directoryPath(layout, names);
  if (layout.verified.has(expected)) {
    return 'present';
  }
  try {
    if ((await realpath(expected)) !== expected) {
      return 'foreign';
    }
    rememberDirectory(layout, expected);
    return 'present';
  } catch (error) {
    if (isMissing(error)) {
      return errnoCode(error) === 'ENOTDIR' ? 'foreign' : 'missing';
    }
    throw error;
  }
}

/**
 * Makes sure a directory exists as a real directory under the root, creating what is missing.
 *
 * @param layout - the store layout
 * @param names - encoded directory names
 * @param where - the key, named in errors
 * @returns the directory's path
 * @throws AcquireError `CORRUPT_RECORD` when a component is a link or a file
 */
export async function ensureDirectory(
  layout: StoreLayout,
  names: readonly string[],
  where: string,
): Promise<string> {
  const state = await directoryState(layout, names);
  if (state === 'present') {
    return directoryPath(layout, names);
  }
  if (state === 'foreign') {
    throw symlinkRefused(where);
  }

  for (let attempt = 0; attempt < DIRECTORY_ATTEMPTS_MAX; attempt++) {
    if (await createChain(layout, names, where)) {
      const path = directoryPath(layout, names);
      rememberDirectory(layout, path);
      return path;
    }
  }
  throw new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    `fs store could not create the directory of ${where}: it kept disappearing`,
    { details: { key: where } },
  );
}

/** Creates each missing component in turn; false when a parent vanished meanwhile. */
async function createChain(
  layout: StoreLayout,
  names: readonly string[],
  where: string,
): Promise<boolean> {
  for (let depth = 1; depth <= names.length; depth++) {
    const path = directoryPath(layout, names.slice(0, depth));
    try {
      await mkdir(path);
      if (layout.durable) {
        await syncDirectory(directoryPath(layout, names.slice(0, depth - 1)));
      }
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT') {
        return false;
      }
      if (code !== 'EEXIST') {
        throw error;
      }
      // A delete emptying the same directories may remove it between mkdir and lstat.
      const stats = await lstat(path).catch((lstatError: unknown) => {
        if (errnoCode(lstatError) === 'ENOENT') {
          return undefined;
        }
        throw lstatError;
      });
      if (stats === undefined) {
        return false;
      }
      if (!stats.isDirectory()) {
        throw symlinkRefused(where);
      }
    }
  }
  return true;
}

/**
 * Removes the directories of a key from the deepest up, stopping at the first one that is not
 * empty. A writer creating a file in one of them at the same moment either wins (the directory is
 * not empty and stays) or finds it gone and creates it again.
 *
 * @param layout - the store layout
 * @param names - encoded directory names of the key
 */
export async function removeEmptyDirectories(
  layout: StoreLayout,
  names: readonly string[],
): Promise<void> {
  for (let depth = names.length; depth >= 1; depth--) {
    const path = directoryPath(layout, names.slice(0, depth));
    try {
      await rmdir(path);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') {
        return;
      }
    }
    layout.verified.delete(path);
  }
}

function rememberDirectory(layout: StoreLayout, path: string): void {
  if (layout.verified.size >= VERIFIED_DIRECTORIES_MAX) {
    const oldest = layout.verified.values().next();
    if (oldest.done !== true) {
      layout.verified.delete(oldest.value);
    }
  }
  layout.verified.add(path);
}

/**
 * Forgets that a directory was found real, after an operation found it gone.
 *
 * @param layout - the store layout
 * @param path - the directory's path
 */
export function forgetDirectory(layout: StoreLayout, path: string): void {
  layout.verified.delete(path);
}

/**
 * Flushes a directory's entries to disk, so a rename or a new file in it survives a power loss
 * (fsync(2) on the directory, as POSIX requires for new names). Windows cannot open directories
 * for this and journals its metadata anyway, so there it does nothing.
 *
 * @param path - the directory
 */
export async function syncDirectory(path: string): Promise<void> {
  if (process.platform === 'win32') {
    return;
  }
  const fd = await openDescriptor(path, constants.O_RDONLY);
  try {
    await flushAll(fd);
  } finally {
    await closeDescriptor(fd);
  }
}
