/**
 * Temporary files: every new object is first written in full under a temporary name in its final
 * directory, then renamed or linked into place, so no reader ever sees part of a file. The
 * temporary name carries its creation time, so files left behind by a crashed process can be
 * recognised as stale without asking the file system.
 *
 * Locks are not written this way: each is created in one exclusive step under its own name, as a
 * symbolic link on POSIX systems and as an `O_EXCL` file on Windows (see `file-lock.ts`). They
 * share only the helpers here for removing files and for opening without following links.
 *
 * @module
 */

import { constants } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, createUniqueIdGenerator } from '@acquire/core';
import { closeDescriptor, flushData, openDescriptor, writeAll } from './file-descriptors.js';
import { errnoCode } from './fs-errors.js';

/** Temporary names start with a dot, which no encoded key segment does. */
export const TEMP_FILE_PREFIX = '.tmp-';

/**
 * A temporary file older than this was left by a process that died mid-write, and may be
 * removed. Writers finish or give up within seconds, so ten minutes is far on the safe side.
 */
export const TEMP_FILE_STALE_MS: number = 10 * 60 * 1000;

/** Unique ids keep concurrent writers' names apart, across processes too. */
const nextTempId = createUniqueIdGenerator();

/** `O_NOFOLLOW` does not exist on Windows, where links need special rights to create. */
export const NO_FOLLOW_FLAG: number = constants.O_NOFOLLOW ?? 0;

const CREATE_NEW_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW_FLAG;

/** A temporary file written in full, whose handle is being closed. */
export interface TempFile {
  /** Its path. */
  readonly path: string;
  /**
   * Settles once the handle is closed. A file may be renamed or linked while its handle closes,
   * so callers await this together with that step rather than before it.
   */
  readonly closing: Promise<void>;
}

/**
 * Writes bytes to a new temporary file in a directory.
 *
 * @param directory - the directory the file will be renamed or linked within
 * @param bytes - the whole content
 * @param clock - stamps the name
 * @param durable - fsync the data before returning
 * @returns the temporary file, its handle closing
 */
export async function writeTempFile(
  directory: string,
  bytes: Uint8Array,
  clock: Clock,
  durable: boolean,
): Promise<TempFile> {
  const path = join(directory, tempFileName(clock));
  const fd = await openDescriptor(path, CREATE_NEW_FLAGS);
  try {
    await writeAll(fd, bytes);
    if (durable) {
      await flushData(fd);
    }
  } catch (error) {
    await closeDescriptor(fd);
    await removeQuietly(path);
    throw error;
  }
  return { path, closing: closeDescriptor(fd) };
}

/**
 * Makes a temporary file name stamped with the current time.
 *
 * @param clock - the time source
 * @returns a name such as `.tmp-1767225600000-AbCdEfGhIjKlMnOpAAAAAA`
 */
export function tempFileName(clock: Clock): string {
  return `${TEMP_FILE_PREFIX}${Math.floor(clock.now())}-${nextTempId()}`;
}

/**
 * Tells whether a directory entry is a temporary file left long enough ago to be abandoned.
 *
 * @param name - a directory entry's name
 * @param clock - the time source
 * @returns true for a temporary name stamped more than {@link TEMP_FILE_STALE_MS} ago
 */
export function isStaleTempFile(name: string, clock: Clock): boolean {
  if (!name.startsWith(TEMP_FILE_PREFIX)) {
    return false;
  }
  const stampedMs = Number.parseInt(name.slice(TEMP_FILE_PREFIX.length), 10);
  return Number.isFinite(stampedMs) && clock.now() - stampedMs > TEMP_FILE_STALE_MS;
}

/**
 * Removes a file, ignoring one that is already gone.
 *
 * @param path - the file
 */
export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') {
      throw error;
    }
  }
}
