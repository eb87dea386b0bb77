/**
 * The reads, writes and deletes of the file-system store.
 *
 * Every write first puts the complete new file, header and value, under a temporary name in the
 * object's directory (fsynced when durable). Then:
 * - an unconditional write takes the key's lock and renames the file into place, which replaces
 *   the old file atomically (rename(2));
 * - write-if-absent hard-links it into place, which fails when the name exists (link(2)), so
 *   exactly one of any number of racing processes wins, without a lock; an empty object whose
 *   path has no hashed name needs no temporary file, as it is a link created in one step
 *   (symlink(2), which fails alike);
 * - write-if-version takes the key's lock, reads the current version from the file's header and
 *   renames only when it matches. Versions this process replaced itself are refused before any
 *   file is written; a version another process replaced is found only under the lock, after the
 *   temporary file was written for nothing.
 * Deletes take the lock too, so they cannot slip between another writer's check and its rename.
 * A process killed at any point leaves either the old file or the new one, plus perhaps a
 * temporary file that readers never see.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { link, lstat, rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AcquireError, ErrorCode, type StoredObject } from '@acquire/core';
import {
  directoryPath,
  directoryState,
  ensureDirectory,
  forgetDirectory,
  removeEmptyDirectories,
  syncDirectory,
} from './directories.js';
import { closeDescriptor } from './file-descriptors.js';
import { acquireLock, assertLockFresh, type HeldLock, releaseLock } from './file-lock.js';
import { errnoCode, isMissing, preconditionFailed, symlinkRefused } from './fs-errors.js';
import { encodeKey, isHashedName, OBJECT_FILE_SUFFIX } from './key-names.js';
import {
  EMPTY_OBJECTS_AS_LINKS,
  emptyObjectLinkTarget,
  type NewObjectFile,
} from './object-file.js';
import {
  openEarly,
  readObjectFile,
  readObjectVersion,
  readVersionOpenedEarly,
} from './object-io.js';
import type { StoreContext } from './store-context.js';
import { removeQuietly, writeTempFile } from './temp-files.js';

/**
 * Writing a temporary file (or an empty object's link) restarts when a concurrent delete removed
 * its directory in between; each restart needs another process to empty the directory at that
 * instant.
 */
const TEMP_FILE_ATTEMPTS_MAX = 16;

/** A complete new file waiting under a temporary name, its handle closing. */
interface PreparedFile {
  readonly directory: string;
  readonly tempPath: string;
  readonly finalPath: string;
  readonly closing: Promise<void>;
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
  const { directories } = encodeKey(key);
  const directory = await ensureDirectory(context.layout, directories, key);
  await replaceUnderLock(context, key, file, directory, undefined);
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
  if (file.empty && EMPTY_OBJECTS_AS_LINKS && isPlainPath(directories, fileName)) {
    await linkEmptyObject(context, key, file, directory, fileName);
    return file.version;
  }

  const prepared = await prepareFile(context, key, file.bytes, directory);
  try {
    await alongsideClosing(prepared, link(prepared.tempPath, prepared.finalPath));
  } catch (error) {
    throw errnoCode(error) === 'EEXIST' ? preconditionFailed(key, 'already exists') : error;
  } finally {
    discard(prepared);
  }

  if (context.layout.durable) {
    await syncDirectory(prepared.directory);
  }
  return file.version;
}

/** Creates an empty object as a link, unless the name exists; see `object-file.ts`. */
async function linkEmptyObject(
  context: StoreContext,
  key: string,
  file: NewObjectFile,
  knownDirectory: string,
  fileName: string,
): Promise<void> {
  const target = emptyObjectLinkTarget(file.version);
  const { directories } = encodeKey(key);

  for (let attempt = 0; attempt < TEMP_FILE_ATTEMPTS_MAX; attempt++) {
    const directory =
      attempt === 0 ? knownDirectory : await ensureDirectory(context.layout, directories, key);
    try {
      await symlink(target, join(directory, fileName));
      if (context.layout.durable) {
        await syncDirectory(directory);
      }
      return;
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EEXIST') {
        throw preconditionFailed(key, 'already exists');
      }
      if (code !== 'ENOENT') {
        throw error;
      }
      forgetDirectory(context.layout, directory);
    }
  }
  throw new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    `fs store could not write ${key}: its directory kept disappearing`,
    { details: { key } },
  );
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
  const { directories } = encodeKey(key);
  const state = await directoryState(context.layout, directories);
  if (state === 'foreign') {
    throw symlinkRefused(key);
  }
  if (state === 'missing') {
    throw preconditionFailed(key, 'does not exist');
  }
  await replaceUnderLock(context, key, file, directoryPath(context.layout, directories), expected);
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
 * the caller has just checked; it is used for the first attempt. When the directory turns out to
 * be gone, it is created again, or, when `mayCreate` is false, the object cannot exist.
 */
async function prepareFile(
  context: StoreContext,
  key: string,
  bytes: Uint8Array,
  knownDirectory?: string,
  mayCreate = true,
): Promise<PreparedFile> {
  const { directories, fileName } = encodeKey(key);

  for (let attempt = 0; attempt < TEMP_FILE_ATTEMPTS_MAX; attempt++) {
    const directory =
      attempt === 0 && knownDirectory !== undefined
        ? knownDirectory
        : await ensureDirectory(context.layout, directories, key);
    try {
      const temp = await writeTempFile(directory, bytes, context.clock, context.layout.durable);
      return {
        directory,
        tempPath: temp.path,
        finalPath: join(directory, fileName),
        closing: temp.closing,
      };
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') {
        throw error;
      }
      forgetDirectory(context.layout, directory);
      if (!mayCreate) {
        throw preconditionFailed(key, 'does not exist');
      }
    }
  }
  throw new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    `fs store could not write ${key}: its directory kept disappearing`,
    { details: { key } },
  );
}

/**
 * Replaces an object under its locks: writes the temporary file while taking the file lock (and,
 * for a conditional write, reading the current version under it), then renames the file into
 * place. The caller gets the result as soon as the rename is done; the lock is released after,
 * while this process keeps the key, and a lock that cannot be removed is broken once its lease
 * has run out.
 *
 * @param expected - the version the object must have, or undefined for an unconditional write
 */
async function replaceUnderLock(
  context: StoreContext,
  key: string,
  file: NewObjectFile,
  directory: string,
  expected: string | undefined,
): Promise<void> {
  const path = join(directory, encodeKey(key).fileName);
  const conditional = expected !== undefined;
  await context.mutex.runHeld(key, async () => {
    if (conditional && context.superseded.has(key, expected)) {
      throw preconditionFailed(key, 'has another version');
    }
    // With fsync on, the temporary file's flush is slow, so the lock is taken only after it.
    const preparing = prepareFile(context, key, file.bytes, directory, !conditional);
    const [prepared, locked] = await bothOrUndo(
      preparing,
      context.layout.durable
        ? preparing.then(() => lockAndReadVersion(context, key, path, conditional))
        : lockAndReadVersion(context, key, path, conditional),
      async (undone) => discard(undone),
      (undone) => releaseLock(context.locks, undone.lock),
    );
    try {
      if (conditional) {
        assertVersion(key, locked.version, expected);
      }
      assertLockFresh(context.locks, locked.lock);
      await alongsideClosing(prepared, rename(prepared.tempPath, path));
    } catch (error) {
      discard(prepared);
      await releaseLock(context.locks, locked.lock);
      throw error;
    }
    if (conditional) {
      context.superseded.remember(key, expected);
    }
    const afterwards = releaseLock(context.locks, locked.lock).catch(() => undefined);
    return { value: undefined, afterwards };
  });
  if (context.layout.durable) {
    await syncDirectory(directory);
  }
}

/** Takes the key's file lock and, when asked, reads the version under it. */
async function lockAndReadVersion(
  context: StoreContext,
  key: string,
  path: string,
  readVersion: boolean,
): Promise<{ readonly lock: HeldLock; readonly version: string | undefined }> {
  if (!readVersion) {
    return { lock: await acquireLock(context.locks, lockName(key)), version: undefined };
  }
  const [lock, fd] = await bothOrUndo(
    acquireLock(context.locks, lockName(key)),
    openEarly(path),
    (undone) => releaseLock(context.locks, undone),
    async (undone) => {
      if (undone !== undefined) {
        await closeDescriptor(undone);
      }
    },
  );
  try {
    return { lock, version: await readVersionOpenedEarly(fd, path, key) };
  } catch (error) {
    await releaseLock(context.locks, lock);
    throw error;
  }
}

/**
 * Awaits two steps run at once; when one fails, undoes the other if it succeeded and throws the
 * first failure.
 */
async function bothOrUndo<A, B>(
  first: Promise<A>,
  second: Promise<B>,
  undoFirst: (value: A) => Promise<void>,
  undoSecond: (value: B) => Promise<void>,
): Promise<[A, B]> {
  const [one, two] = await Promise.allSettled([first, second]);
  if (one.status === 'fulfilled' && two.status === 'fulfilled') {
    return [one.value, two.value];
  }
  if (one.status === 'fulfilled') {
    await undoFirst(one.value);
  }
  if (two.status === 'fulfilled') {
    await undoSecond(two.value);
  }
  throw one.status === 'rejected' ? one.reason : (two as PromiseRejectedResult).reason;
}

/**
 * Awaits a rename or link of a prepared file together with the closing of its handle, and only
 * once both have settled reports the first failure, so that nothing is still under way when a
 * caller goes on (releasing the lock, say).
 */
async function alongsideClosing(prepared: PreparedFile, step: Promise<void>): Promise<void> {
  const [stepped, closed] = await Promise.allSettled([step, prepared.closing]);
  if (stepped.status === 'rejected') {
    throw stepped.reason;
  }
  if (closed.status === 'rejected') {
    throw closed.reason;
  }
}

/**
 * Removes a temporary file once its handle is closed, without waiting for either: whether it goes
 * changes nothing readers see, and one that cannot be removed is cleared by a later listing once
 * it is stale. After a link it is a second name of the object, so removing it only drops that.
 */
function discard(prepared: PreparedFile): void {
  prepared.closing
    .catch(() => undefined)
    .then(() => removeQuietly(prepared.tempPath))
    .catch(() => undefined);
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

/**
 * Whether no name on a key's path is hashed. Listing recovers a hashed name's segment from a
 * file's header, which a link holding an empty object does not have.
 */
function isPlainPath(directories: readonly string[], fileName: string): boolean {
  return (
    directories.every((name) => !isHashedName(name)) &&
    !isHashedName(fileName.slice(0, -OBJECT_FILE_SUFFIX.length))
  );
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
