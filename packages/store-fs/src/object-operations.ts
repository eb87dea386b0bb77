/**
 * The reads, writes and deletes of the file-system store.
 *
 * Every write first puts the complete new file, header and value, under a temporary name in the
 * object's directory (fsynced when durable). Then:
 * - an unconditional write takes the key's lock and renames the file into place, which replaces
 *   the old file atomically (rename(2));
 * - write-if-absent hard-links it into place, which fails when the name exists (link(2)), so
 *   exactly one of any number of racing processes wins, without a lock;
 * - write-if-version takes the key's lock, reads the current version from the file's header and
 *   renames only when it matches.
 * Deletes take the lock too, so they cannot slip between another writer's check and its rename.
 * A process killed at any point leaves either the old file or the new one, plus perhaps a
 * temporary file that readers never see.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { link, lstat, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AcquireError, ErrorCode, type StoredObject } from '@acquire/core';
import {
  directoryPath,
  directoryState,
  ensureDirectory,
  removeEmptyDirectories,
  syncDirectory,
} from './directories.js';
import { acquireLock, assertLockFresh, type HeldLock, releaseLock } from './file-lock.js';
import { errnoCode, isMissing, preconditionFailed, symlinkRefused } from './fs-errors.js';
import { encodeKey } from './key-names.js';
import type { NewObjectFile } from './object-file.js';
import { readObjectFile, readObjectVersion } from './object-io.js';
import type { StoreContext } from './store-context.js';
import { removeQuietly, writeTempFile } from './temp-files.js';

/**
 * Writing a temporary file restarts when a concurrent delete removed its directory in between;
 * each restart needs another process to empty the directory at that instant.
 */
const TEMP_FILE_ATTEMPTS_MAX = 16;

/** A complete new file waiting under a temporary name. */
interface PreparedFile {
  readonly directory: string;
  readonly tempPath: string;
  readonly finalPath: string;
}

/**
 * Reads an object.
 *
 * @param context - the store context
 * @param key - a valid key
 * @returns the value and version, or `undefined`
 */
export async function readObject(
  context: StoreContext,
  key: string,
): Promise<StoredObject | undefined> {
  const { directories, fileName } = encodeKey(key);
  const state = await directoryState(context.layout, directories);
  if (state !== 'present') {
    return absentOrRefused(state, key);
  }
  const path = join(directoryPath(context.layout, directories), fileName);
  const decoded = await readObjectFile(path, key);
  return decoded === undefined
    ? undefined
    : { value: decoded.value, version: decoded.header.version };
}

/**
 * Writes an object unconditionally.
 *
 * @param context - the store context
 * @param key - a valid key
 * @param file - the new file, from `newObjectFile`
 * @returns the new version
 */
export async function writeObject(
  context: StoreContext,
  key: string,
  file: NewObjectFile,
): Promise<string> {
  const prepared = await prepareFile(context, key, file.bytes);
  await commit(context, key, prepared, async (lock) => {
    assertLockFresh(context.locks, lock);
    await rename(prepared.tempPath, prepared.finalPath);
  });
  return file.version;
}

/**
 * Writes an object only when the key is empty.
 *
 * @param context - the store context
 * @param key - a valid key
 * @param file - the new file, from `newObjectFile`
 * @returns the new version
 * @throws AcquireError `PRECONDITION_FAILED` when an object exists
 */
export async function writeObjectIfAbsent(
  context: StoreContext,
  key: string,
  file: NewObjectFile,
): Promise<string> {
  const { directories, fileName } = encodeKey(key);
  const directory = await ensureDirectory(context.layout, directories, key);
  if (await pathExists(join(directory, fileName))) {
    throw preconditionFailed(key, 'already exists');
  }

  const prepared = await prepareFile(context, key, file.bytes, directory);
  try {
    await link(prepared.tempPath, prepared.finalPath);
  } catch (error) {
    throw errnoCode(error) === 'EEXIST' ? preconditionFailed(key, 'already exists') : error;
  } finally {
    await removeQuietly(prepared.tempPath);
  }

  if (context.layout.durable) {
    await syncDirectory(prepared.directory);
  }
  return file.version;
}

/**
 * Writes an object only when its version is the given one.
 *
 * @param context - the store context
 * @param key - a valid key
 * @param file - the new file, from `newObjectFile`
 * @param expected - the version the caller read
 * @returns the new version
 * @throws AcquireError `PRECONDITION_FAILED` when absent or another version
 */
export async function writeObjectIfVersion(
  context: StoreContext,
  key: string,
  file: NewObjectFile,
  expected: string,
): Promise<string> {
  const { directories, fileName } = encodeKey(key);
  const state = await directoryState(context.layout, directories);
  if (state === 'foreign') {
    throw symlinkRefused(key);
  }
  const directory = directoryPath(context.layout, directories);
  const path = join(directory, fileName);
  if (state === 'missing') {
    throw preconditionFailed(key, 'does not exist');
  }

  await context.mutex.run(key, async () => {
    if (context.superseded.has(key, expected)) {
      throw preconditionFailed(key, 'has another version');
    }
    assertVersion(key, await readObjectVersion(path, key), expected);
    const prepared = await prepareFile(context, key, file.bytes, directory);
    await commitLocked(context, key, prepared, async (lock) => {
      assertVersion(key, await readObjectVersion(path, key), expected);
      assertLockFresh(context.locks, lock);
      await rename(prepared.tempPath, path);
    });
    context.superseded.remember(key, expected);
  });
  if (context.layout.durable) {
    await syncDirectory(directory);
  }
  return file.version;
}

/**
 * Deletes an object, optionally only at a given version, then removes directories the delete
 * left empty.
 *
 * @param context - the store context
 * @param key - a valid key
 * @param ifVersion - the version it must have, if any
 * @throws AcquireError `PRECONDITION_FAILED` when a version was given and does not match
 */
export async function deleteObject(
  context: StoreContext,
  key: string,
  ifVersion: string | undefined,
): Promise<void> {
  const { directories, fileName } = encodeKey(key);
  const state = await directoryState(context.layout, directories);
  const directory = directoryPath(context.layout, directories);
  const path = join(directory, fileName);
  if (state === 'foreign') {
    throw symlinkRefused(key);
  }
  if (state === 'missing' || !(await pathExists(path))) {
    assertVersion(key, undefined, ifVersion);
    return;
  }

  const checkVersion = async (): Promise<void> => {
    if (ifVersion !== undefined) {
      assertVersion(key, await readObjectVersion(path, key), ifVersion);
    }
  };
  const deleted = await context.mutex.run(key, async () => {
    if (ifVersion !== undefined && context.superseded.has(key, ifVersion)) {
      throw preconditionFailed(key, 'has another version');
    }
    await checkVersion();
    const unlinked = await withLock(context, key, async (lock) => {
      await checkVersion();
      assertLockFresh(context.locks, lock);
      return unlinkIfPresent(path);
    });
    if (ifVersion !== undefined) {
      context.superseded.remember(key, ifVersion);
    }
    return unlinked;
  });
  if (!deleted) {
    return;
  }
  if (context.layout.durable) {
    await syncDirectory(directory);
  }
  await removeEmptyDirectories(context.layout, directories);
}

/**
 * Writes the new file under a temporary name in the object's directory. `knownDirectory` is one
 * the caller has just checked; it is used for the first attempt.
 */
async function prepareFile(
  context: StoreContext,
  key: string,
  bytes: Uint8Array,
  knownDirectory?: string,
): Promise<PreparedFile> {
  const { directories, fileName } = encodeKey(key);

  for (let attempt = 0; attempt < TEMP_FILE_ATTEMPTS_MAX; attempt++) {
    const directory =
      attempt === 0 && knownDirectory !== undefined
        ? knownDirectory
        : await ensureDirectory(context.layout, directories, key);
    try {
      const tempPath = await writeTempFile(directory, bytes, context.clock, context.layout.durable);
      return { directory, tempPath, finalPath: join(directory, fileName) };
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') {
        throw error;
      }
    }
  }
  throw new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    `fs store could not write ${key}: its directory kept disappearing`,
    { details: { key } },
  );
}

/** Runs `step` under the key's locks, removes the temporary file if it fails, then syncs. */
async function commit(
  context: StoreContext,
  key: string,
  prepared: PreparedFile,
  step: (lock: HeldLock) => Promise<void>,
): Promise<void> {
  await context.mutex.run(key, () => commitLocked(context, key, prepared, step));
  if (context.layout.durable) {
    await syncDirectory(prepared.directory);
  }
}

/** Runs `step` under the key's file lock and removes the temporary file if it fails. */
async function commitLocked(
  context: StoreContext,
  key: string,
  prepared: PreparedFile,
  step: (lock: HeldLock) => Promise<void>,
): Promise<void> {
  try {
    await withLock(context, key, step);
  } catch (error) {
    await removeQuietly(prepared.tempPath);
    throw error;
  }
}

async function withLock<T>(
  context: StoreContext,
  key: string,
  step: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(context.locks, lockName(key));
  try {
    return await step(lock);
  } finally {
    await releaseLock(context.locks, lock);
  }
}

/** Lock names are the key's SHA-256, so every key's lock has a short, fixed-length name. */
function lockName(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function assertVersion(key: string, current: string | undefined, expected: string | undefined) {
  if (expected === undefined) {
    return;
  }
  if (current === undefined) {
    throw preconditionFailed(key, 'does not exist');
  }
  if (current !== expected) {
    throw preconditionFailed(key, 'has another version');
  }
}

function absentOrRefused(state: 'missing' | 'foreign', key: string): undefined {
  if (state === 'foreign') {
    throw symlinkRefused(key);
  }
  return undefined;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) {
      return false;
    }
    throw error;
  }
}

async function unlinkIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (isMissing(error)) {
      return false;
    }
    throw error;
  }
}
