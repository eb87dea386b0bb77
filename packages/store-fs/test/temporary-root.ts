/**
 * Temporary store roots for tests, under the system's temporary directory, and a snapshot of
 * everything in a directory tree.
 *
 * @module
 */

import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/**
 * Linux's shared-memory file system. The tests that start many processes use it when it exists:
 * it gives the same rename, link and exclusive-create guarantees as a disk, while a disk shared
 * with other busy jobs can take milliseconds per metadata change and stretch those tests
 * tenfold. The conformance suite and every other test use the system's temporary directory.
 */
const MEMORY_FILE_SYSTEM = '/dev/shm';

/**
 * Makes a new empty directory for one test, under the system's temporary directory.
 *
 * @returns its path
 */
export async function temporaryRoot(): Promise<string> {
  return makeRoot(tmpdir());
}

/**
 * Makes a new empty directory on a memory file system when there is one, else like
 * {@link temporaryRoot}.
 *
 * @returns its path
 */
export async function scratchRoot(): Promise<string> {
  return makeRoot(existsSync(MEMORY_FILE_SYSTEM) ? MEMORY_FILE_SYSTEM : tmpdir());
}

async function makeRoot(parent: string): Promise<string> {
  const root = await mkdtemp(join(parent, 'acquire-store-fs-'));
  created.push(root);
  return root;
}

/** Removes every directory {@link temporaryRoot} made; call it in `afterAll`. */
export async function removeTemporaryRoots(): Promise<void> {
  const roots = created.splice(0);
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
}

/**
 * Describes every entry under a directory: files with their content, links with their target.
 *
 * @param root - the directory
 * @returns relative paths mapped to a description, sorted by path
 */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  const visit = async (relative: string): Promise<void> => {
    for (const name of (await readdir(join(root, relative))).sort()) {
      const path = join(relative, name);
      const stats = await lstat(join(root, path));
      if (stats.isSymbolicLink()) {
        snapshot[path] = `link -> ${await readlink(join(root, path))}`;
      } else if (stats.isDirectory()) {
        snapshot[path] = 'directory';
        await visit(path);
      } else {
        snapshot[path] = (await readFile(join(root, path))).toString('base64');
      }
    }
  };
  await visit('');
  return snapshot;
}
