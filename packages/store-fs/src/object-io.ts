/**
 * Reading object files from disk without following links: whole files for reads, and only the
 * header when a conditional write needs the current version. A link in an object's place is
 * read with readlink(2): one of this store's links holding an empty object gives that object,
 * any other link is refused.
 *
 * @module
 */

import type { BigIntStats } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { AcquireError, ErrorCode } from '@acquire/core';
import {
  closeDescriptor,
  describeDescriptor,
  describePath,
  openDescriptor,
  readStart,
} from './file-descriptors.js';
import { errnoCode, isMissing, symlinkRefused } from './fs-errors.js';
import {
  type DecodedObject,
  decodeObjectFile,
  decodeObjectHeader,
  emptyObjectHeader,
  HEADER_READ_BYTES,
  type ObjectHeader,
  parseEmptyObjectLink,
} from './object-file.js';
import { NO_FOLLOW_FLAG } from './temp-files.js';

/**
 * Reads and checks a whole object file.
 *
 * @param path - the object file
 * @param key - the key it should hold, named in errors
 * @returns the decoded object, or `undefined` when there is no file
 * @throws AcquireError `CORRUPT_RECORD` when the file is a link, is damaged, or holds another key
 */
export function readObjectFile(path: string, key: string): Promise<DecodedObject | undefined> {
  return retryingReplacedLinks(async () => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path, { flag: NO_FOLLOW_FLAG });
    } catch (error) {
      const header = await linkedOrMissing(error, path, key);
      return header === undefined || header === REPLACED
        ? header
        : { header, value: new Uint8Array(0) };
    }
    const decoded = decodeObjectFile(bytes, key);
    assertKeyMatches(decoded.header, key);
    return decoded;
  });
}

/**
 * Reads only the header of an object file.
 *
 * @param path - the object file
 * @param where - names the file in errors
 * @returns the header, or `undefined` when there is no file
 * @throws AcquireError `CORRUPT_RECORD` when the file is a link or its header is damaged
 */
export async function readObjectHeader(
  path: string,
  where: string,
): Promise<ObjectHeader | undefined> {
  return retryingReplacedLinks(async () => {
    let fd: number;
    try {
      fd = await openDescriptor(path, NO_FOLLOW_FLAG);
    } catch (error) {
      return linkedOrMissing(error, path, where);
    }
    try {
      const buffer = new Uint8Array(HEADER_READ_BYTES);
      const bytesRead = await readStart(fd, buffer);
      return decodeObjectHeader(buffer.subarray(0, bytesRead), where).header;
    } finally {
      await closeDescriptor(fd);
    }
  });
}

/**
 * Reads the current version of the object at a path, checking the key it holds.
 *
 * @param path - the object file
 * @param key - the key it should hold
 * @returns the version, or `undefined` when there is no file
 * @throws AcquireError `CORRUPT_RECORD` when the file is a link, damaged, or holds another key
 */
export async function readObjectVersion(path: string, key: string): Promise<string | undefined> {
  const header = await readObjectHeader(path, key);
  if (header === undefined) {
    return undefined;
  }
  assertKeyMatches(header, key);
  return header.version;
}

/**
 * Opens an object file ahead of taking its lock, so that its version can be read at once when
 * the lock is held: see {@link readVersionOpenedEarly}.
 *
 * @param path - the object file
 * @returns the descriptor, or `undefined` when there is no plain file to open
 */
export async function openEarly(path: string): Promise<number | undefined> {
  try {
    return await openDescriptor(path, NO_FOLLOW_FLAG);
  } catch {
    return undefined;
  }
}

/**
 * Reads the current version of an object through a descriptor opened before the caller took the
 * key's lock, and closes it. The file may have been replaced between that open and the lock, so
 * the version counts only when the path still names the file the descriptor is open on: while it
 * is open its inode number cannot be given to another file, and under the lock nobody replaces
 * it. Otherwise, or without a descriptor, the version is read afresh.
 *
 * @param fd - from {@link openEarly}
 * @param path - the object file
 * @param key - the key it should hold
 * @returns the version, or `undefined` when there is no object
 * @throws AcquireError `CORRUPT_RECORD` when the file is a foreign link, damaged, or holds another
 *   key
 */
export async function readVersionOpenedEarly(
  fd: number | undefined,
  path: string,
  key: string,
): Promise<string | undefined> {
  if (fd === undefined) {
    return readObjectVersion(path, key);
  }
  const buffer = new Uint8Array(HEADER_READ_BYTES);
  let opened: BigIntStats;
  let named: BigIntStats | undefined;
  let bytesRead: number;
  try {
    [bytesRead, opened, named] = await Promise.all([
      readStart(fd, buffer),
      describeDescriptor(fd),
      describePath(path).catch(() => undefined),
    ]);
  } finally {
    await closeDescriptor(fd);
  }
  if (named === undefined || named.ino !== opened.ino || named.dev !== opened.dev) {
    return readObjectVersion(path, key);
  }
  const { header } = decodeObjectHeader(buffer.subarray(0, bytesRead), key);
  assertKeyMatches(header, key);
  return header.version;
}

function assertKeyMatches(header: ObjectHeader, key: string): void {
  if (header.key !== key) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, `object file of ${key} holds another key`, {
      details: { key },
    });
  }
}

/**
 * A link found in an object's place was replaced by a file between the open and the readlink;
 * the read starts again, and this many times in a row needs as many writes in those instants.
 */
const READ_ATTEMPTS_MAX = 16;

/** Said by a read step whose link was replaced by a file meanwhile. */
const REPLACED: unique symbol = Symbol('replaced');

/**
 * `open(2)` with `O_NOFOLLOW` fails so on a link: `ELOOP` on Linux and macOS, `EMLINK` on
 * FreeBSD, `EFTYPE` on NetBSD.
 */
const LINK_REFUSED_CODES: ReadonlySet<string> = new Set(['ELOOP', 'EMLINK', 'EFTYPE']);

async function retryingReplacedLinks<T>(read: () => Promise<T | typeof REPLACED>): Promise<T> {
  for (let attempt = 0; attempt < READ_ATTEMPTS_MAX; attempt++) {
    const result = await read();
    if (result !== REPLACED) {
      return result;
    }
  }
  throw new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    'fs store could not read an object: it kept being replaced while being read',
  );
}

/**
 * After an open failed: `undefined` when there is no file, the header of an empty object when a
 * link of this store holds one, {@link REPLACED} when the link was replaced by a file meanwhile;
 * refuses any other link.
 */
async function linkedOrMissing(
  error: unknown,
  path: string,
  where: string,
): Promise<ObjectHeader | undefined | typeof REPLACED> {
  if (isMissing(error)) {
    return undefined;
  }
  if (!LINK_REFUSED_CODES.has(errnoCode(error) ?? '')) {
    throw error;
  }

  let target: string;
  try {
    target = await readlink(path);
  } catch (readError) {
    if (isMissing(readError)) {
      return undefined;
    }
    if (errnoCode(readError) === 'EINVAL') {
      return REPLACED;
    }
    throw readError;
  }
  const version = parseEmptyObjectLink(target);
  if (version === undefined) {
    throw symlinkRefused(where);
  }
  return emptyObjectHeader(where, version);
}
