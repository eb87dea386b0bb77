/**
 * Temporary store roots for tests, under the system's temporary directory, and a snapshot of
 * everything in a directory tree.
 *
 * @module
 */

import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/**
 * Makes a new empty directory for one test.
 *
 * @returns its path
 */
export async function temporaryRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'acquire-store-fs-'));
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
