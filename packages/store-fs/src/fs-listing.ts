/**
 * Listing keys from the directory tree, in key order, one page at a time.
 *
 * Keys are ordered by code point ({@link compareKeys}). A depth-first walk gives that order when
 * each directory's entries are sorted by their segment, with a directory sorting as its segment
 * followed by `/`: every key below `p/s/` then falls between the entries around it. The walk
 * reads one directory at a time, skips whole subtrees that lie before `startAfter`, and stops as
 * soon as the page is full (plus one key, to know whether more follow).
 *
 * Entries that are not objects of this store are skipped: temporary files, the lock directory,
 * and names the store would not have made. An object is listed by its name, whether a file or a
 * link holding an empty object (see `object-file.ts`); reading it checks what it holds. Stale
 * temporary files and empty directories met on the way are removed.
 *
 * @module
 */

import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AcquireError,
  compareKeys,
  ErrorCode,
  type ListPage,
  type ListPageOptions,
  resolvePageLimit,
} from '@acquire/core';
import { directoryPath, directoryState } from './directories.js';
import { isMissing } from './fs-errors.js';
import { decodeSegment, encodeSegment, isHashedName, OBJECT_FILE_SUFFIX } from './key-names.js';
import { readObjectHeader } from './object-io.js';
import type { StoreContext } from './store-context.js';
import { isStaleTempFile, removeQuietly } from './temp-files.js';

/** One object or subdirectory of a directory, with the segment it stands for. */
interface ListingEntry {
  readonly name: string;
  readonly segment: string;
  readonly isDirectory: boolean;
  /** The segment, plus `/` for a directory. */
  readonly sortKey: string;
}

/**
 * Lists one page of keys under a prefix.
 *
 * @param context - the store context
 * @param prefix - `''` or a valid key
 * @param options - where to start and how many
 * @returns the page
 * @throws AcquireError `INVALID_ARGUMENT` for a bad limit
 */
export async function listObjectPage(
  context: StoreContext,
  prefix: string,
  options: ListPageOptions,
): Promise<ListPage> {
  const limit = resolvePageLimit(options.limit);
  const names = prefix === '' ? [] : prefix.split('/').map(encodeSegment);
  if ((await directoryState(context.layout, names)) !== 'present') {
    return { keys: [] };
  }

  const keyPrefix = prefix === '' ? '' : `${prefix}/`;
  const { startAfter } = options;
  const from =
    startAfter !== undefined && compareKeys(startAfter, keyPrefix) > 0 ? startAfter : undefined;
  const keys: string[] = [];
  for await (const key of walk(context, directoryPath(context.layout, names), keyPrefix, from)) {
    keys.push(key);
    if (keys.length > limit) {
      break;
    }
  }

  if (keys.length <= limit) {
    return { keys };
  }
  const page = keys.slice(0, limit);
  return { keys: page, next: page[page.length - 1] as string };
}

async function* walk(
  context: StoreContext,
  directory: string,
  keyPrefix: string,
  startAfter: string | undefined,
): AsyncGenerator<string, void, undefined> {
  for (const entry of await readEntries(context, directory, keyPrefix)) {
    if (!entry.isDirectory) {
      const key = keyPrefix + entry.segment;
      if (startAfter === undefined || compareKeys(key, startAfter) > 0) {
        yield key;
      }
      continue;
    }

    const subPrefix = `${keyPrefix}${entry.segment}/`;
    const path = join(directory, entry.name);
    if (startAfter === undefined || compareKeys(subPrefix, startAfter) > 0) {
      yield* walk(context, path, subPrefix, undefined);
    } else if (startAfter.startsWith(subPrefix)) {
      yield* walk(context, path, subPrefix, startAfter);
    }
  }
}

/** Reads a directory's objects and subdirectories, sorted; tidies up on the way. */
async function readEntries(
  context: StoreContext,
  directory: string,
  keyPrefix: string,
): Promise<ListingEntry[]> {
  let dirents: Awaited<ReturnType<typeof readDirectory>>;
  try {
    dirents = await readDirectory(directory);
  } catch (error) {
    if (isMissing(error)) {
      return [];
    }
    throw error;
  }
  if (dirents.length === 0 && keyPrefix !== '') {
    await rmdir(directory).catch(() => undefined);
    return [];
  }

  const entries: ListingEntry[] = [];
  const staleTempFiles: string[] = [];
  for (const dirent of dirents) {
    const entry = plainEntry(dirent) ?? (await hashedEntry(directory, keyPrefix, dirent));
    if (entry !== undefined) {
      entries.push(entry);
    } else if (dirent.isFile() && isStaleTempFile(dirent.name, context.clock)) {
      staleTempFiles.push(join(directory, dirent.name));
    }
  }
  await Promise.all(staleTempFiles.map((path) => removeQuietly(path).catch(() => undefined)));
  return entries.sort((left, right) => compareKeys(left.sortKey, right.sortKey));
}

function readDirectory(directory: string) {
  return readdir(directory, { withFileTypes: true });
}

/** A directory entry as `readdir` gives it. */
interface DirectoryEntry {
  readonly name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * Maps an entry with a plain name to the segment it stands for; `undefined` for anything else.
 * An object's name is trusted as it is, file or link (an empty object; see `object-file.ts`):
 * reading it checks what it holds.
 */
function plainEntry(dirent: DirectoryEntry): ListingEntry | undefined {
  if ((dirent.isFile() || dirent.isSymbolicLink()) && dirent.name.endsWith(OBJECT_FILE_SUFFIX)) {
    const segment = decodeSegment(dirent.name.slice(0, -OBJECT_FILE_SUFFIX.length));
    return segment === undefined
      ? undefined
      : { name: dirent.name, segment, isDirectory: false, sortKey: segment };
  }
  if (dirent.isDirectory()) {
    const segment = decodeSegment(dirent.name);
    return segment === undefined
      ? undefined
      : { name: dirent.name, segment, isDirectory: true, sortKey: `${segment}/` };
  }
  return undefined;
}

/** Maps an entry with a hashed name to its segment, read from a header; `undefined` otherwise. */
async function hashedEntry(
  directory: string,
  keyPrefix: string,
  dirent: DirectoryEntry,
): Promise<ListingEntry | undefined> {
  const path = join(directory, dirent.name);
  if (dirent.isFile() && dirent.name.endsWith(OBJECT_FILE_SUFFIX)) {
    const name = dirent.name.slice(0, -OBJECT_FILE_SUFFIX.length);
    const segment = isHashedName(name) ? await hashedFileSegment(path, keyPrefix, name) : undefined;
    return segment === undefined
      ? undefined
      : { name: dirent.name, segment, isDirectory: false, sortKey: segment };
  }
  if (dirent.isDirectory() && isHashedName(dirent.name)) {
    const segment = await hashedDirectorySegment(path, keyPrefix, dirent.name);
    return segment === undefined
      ? undefined
      : { name: dirent.name, segment, isDirectory: true, sortKey: `${segment}/` };
  }
  return undefined;
}

/** A hashed object name's segment comes from the key in the file's header. */
async function hashedFileSegment(
  path: string,
  keyPrefix: string,
  name: string,
): Promise<string | undefined> {
  const header = await readObjectHeader(path, `${keyPrefix}${name}`);
  return header === undefined ? undefined : segmentOf(header.key, keyPrefix, name);
}

/**
 * A hashed directory name's segment comes from the key of any object below it. A directory with
 * no object below it lists nothing, so it needs no segment.
 */
async function hashedDirectorySegment(
  path: string,
  keyPrefix: string,
  name: string,
): Promise<string | undefined> {
  const key = await anyKeyBelow(path, `${keyPrefix}${name}/`);
  return key === undefined ? undefined : segmentOf(key, keyPrefix, name);
}

async function anyKeyBelow(directory: string, where: string): Promise<string | undefined> {
  let dirents: Awaited<ReturnType<typeof readDirectory>>;
  try {
    dirents = await readDirectory(directory);
  } catch (error) {
    if (isMissing(error)) {
      return undefined;
    }
    throw error;
  }

  for (const dirent of dirents) {
    if (dirent.isFile() && dirent.name.endsWith(OBJECT_FILE_SUFFIX)) {
      const header = await readObjectHeader(join(directory, dirent.name), where);
      if (header !== undefined) {
        return header.key;
      }
    }
  }
  for (const dirent of dirents) {
    if (dirent.isDirectory() && !dirent.name.startsWith('.')) {
      const key = await anyKeyBelow(join(directory, dirent.name), where);
      if (key !== undefined) {
        return key;
      }
    }
  }
  return undefined;
}

/** Takes the segment after `keyPrefix` out of a stored key, checking that it maps to `name`. */
function segmentOf(key: string, keyPrefix: string, name: string): string {
  const segment = key.startsWith(keyPrefix) ? key.slice(keyPrefix.length).split('/')[0] : undefined;
  if (segment === undefined || encodeSegment(segment) !== name) {
    throw new AcquireError(
      ErrorCode.CORRUPT_RECORD,
      `fs store found an object of ${key} filed under the wrong name in ${keyPrefix || '/'}`,
      { details: { key } },
    );
  }
  return segment;
}
