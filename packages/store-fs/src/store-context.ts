/**
 * What every operation of a file-system store needs, set up once: the root's real path, the lock
 * directory, the lock settings and the in-process key queue.
 *
 * @module
 */

import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '@acquire/core';
import type { StoreLayout } from './directories.js';
import { type LockSettings, sweepStaleLocks } from './file-lock.js';
import { symlinkRefused } from './fs-errors.js';
import { createKeyMutex, type KeyMutex } from './key-mutex.js';
import { currentHost } from './lock-owner.js';
import { createSupersededVersions, type SupersededVersions } from './superseded-versions.js';

/** Lock files live apart from the objects, so they never keep an object directory from emptying. */
export const LOCK_DIRECTORY_NAME = '.locks';

/** Settings a store is opened with. */
export interface StoreSettings {
  /** The root directory as given. */
  readonly root: string;
  /** Whether to fsync. */
  readonly durable: boolean;
  /** The lock lease. */
  readonly leaseMs: number;
  /** The store's clock. */
  readonly clock: Clock;
}

/** Everything an operation needs. */
export interface StoreContext {
  /** Where objects live. */
  readonly layout: StoreLayout;
  /** How locks are taken. */
  readonly locks: LockSettings;
  /** The store's clock. */
  readonly clock: Clock;
  /** Queues operations of this process per key. */
  readonly mutex: KeyMutex;
  /** Versions this process replaced, to refuse doomed compare-and-swaps early. */
  readonly superseded: SupersededVersions;
}

/**
 * Creates the root and lock directories when missing, resolves the root's real path, and clears
 * locks that crashed processes left behind.
 *
 * @param settings - the store's settings
 * @returns the context
 * @throws AcquireError `CORRUPT_RECORD` when the lock directory is a link or a file
 */
export async function openStoreContext(settings: StoreSettings): Promise<StoreContext> {
  await mkdir(settings.root, { recursive: true });
  const root = await realpath(settings.root);
  const lockDirectory = join(root, LOCK_DIRECTORY_NAME);

  await mkdir(lockDirectory, { recursive: true });
  if (!(await lstat(lockDirectory)).isDirectory()) {
    throw symlinkRefused(LOCK_DIRECTORY_NAME);
  }

  const locks: LockSettings = {
    directory: lockDirectory,
    leaseMs: settings.leaseMs,
    clock: settings.clock,
    host: await currentHost(),
  };
  await sweepStaleLocks(locks);

  return {
    layout: { root, durable: settings.durable, verified: new Set() },
    locks,
    clock: settings.clock,
    mutex: createKeyMutex(),
    superseded: createSupersededVersions(),
  };
}
