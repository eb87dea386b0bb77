/**
 * A lock per key that holds across processes sharing one directory and recovers from holders
 * that crashed.
 *
 * Taking the lock means creating its file, and creation is exclusive. On POSIX systems the lock
 * is a symbolic link whose target text is the owner record: symlink(2) creates name and content
 * in one step and fails with `EEXIST` when the name is taken, so a lock always holds a complete
 * record and costs one system call. The link is only ever read with readlink(2), never followed.
 * Windows needs special rights for links, so there the lock is a file created with `O_EXCL`; a
 * process that dies between creating it and writing the record leaves an empty lock, which is
 * judged by its modification time and so recovered after one lease.
 *
 * A lock is stale when its holder is a process on this host that no longer exists (checked with
 * signal 0), or when its lease has run out. Breaking a stale lock is itself exclusive: the breaker
 * must first create a claim file whose name contains the stale lock's unique token, so two
 * breakers cannot both remove it, and a later breaker cannot remove a newer lock by mistake. A
 * breaker that dies holding its claim is replaced, once its own claim is stale, by one claiming
 * the next level.
 *
 * Leases make the lock safe under one timing assumption, stated here plainly: a holder only
 * commits (or releases) while its lock is younger than half the lease, so a holder paused for
 * more than half a lease between that check and the rename that follows it could overlap with a
 * process that broke its lock. With the default lease of 10 s that takes a pause of five seconds
 * between two system calls; holders on this host that are alive are never broken early.
 *
 * @module
 */

import { lstat, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AcquireError, type Clock, ErrorCode, randomBytes } from '@acquire/core';
import { errnoCode, isMissing } from './fs-errors.js';
import {
  formatLockOwner,
  isProcessAlive,
  type LockOwner,
  newLockOwner,
  parseLockOwner,
} from './lock-owner.js';
import { NO_FOLLOW_FLAG, removeQuietly } from './temp-files.js';

/**
 * A lock older than this is stale whoever holds it. Holders keep a lock for a few system calls;
 * ten seconds covers long event-loop stalls and slow disks, and is how long a lock left by a
 * process that crashed on another host (or in another container) blocks its key.
 */
export const LOCK_LEASE_MS = 10_000;

/** The first retry comes soon: a holder keeps its lock for a few system calls. */
const LOCK_RETRY_DELAY_MS_MIN = 0.25;

/**
 * Retries back off to this interval. A retry costs one failing symlink(2), a name lookup that
 * changes nothing on disk, so waiting processes may poll often; a long interval would leave the
 * lock idle while they sleep.
 */
const LOCK_RETRY_DELAY_MS_MAX = 5;

/**
 * Waiting is bounded by this many leases' worth of attempts at the longest retry interval, which
 * with jitter comes to two to three leases: by then any stale lock has been broken.
 */
const LOCK_WAIT_LEASES = 3;

/** The lock file is read to judge staleness on every fourth failed attempt, to keep waits cheap. */
const STALENESS_CHECK_EVERY_ATTEMPTS = 4;

/** Lock names end so; break claims add an infix, the stale lock's id and a level. */
const LOCK_SUFFIX = '.lock';
const BREAK_CLAIM_INFIX = '.break-';

/** Lock records are symbolic links except on Windows (see the module comment). */
const RECORDS_ARE_LINKS = process.platform !== 'win32';

/** Breakers that died holding their claim are replaced this many times before giving up. */
const BREAK_LEVELS_MAX = 8;

/** Where locks live and how long they last. */
export interface LockSettings {
  /** The directory of lock files. */
  readonly directory: string;
  /** The lease in milliseconds. */
  readonly leaseMs: number;
  /** The store's clock. */
  readonly clock: Clock;
  /** This process's host tag, from `currentHost`. */
  readonly host: string;
}

/** A lock this process holds. */
export interface HeldLock {
  /** The lock file. */
  readonly path: string;
  /** The record in it. */
  readonly owner: LockOwner;
}

/** What a lock or claim file holds, as read by someone else. */
interface LockRecord {
  /** Unique to one taking of the lock: the token, or the inode for a record that is not ours. */
  readonly id: string;
  /** The owner, when the record could be parsed. */
  readonly owner?: LockOwner;
  /** When the record was written, for records that could not be parsed. */
  readonly writtenAtMs: number;
}

/**
 * Takes a lock, waiting while another process holds it and breaking it when it is stale.
 *
 * @param settings - where locks live and the lease
 * @param name - the lock's name, unique per key
 * @returns the held lock
 * @throws AcquireError `STORE_UNAVAILABLE` when the lock stayed busy for two to three leases
 */
export async function acquireLock(settings: LockSettings, name: string): Promise<HeldLock> {
  const path = join(settings.directory, `${name}${LOCK_SUFFIX}`);
  const attemptsMax = Math.ceil((LOCK_WAIT_LEASES * settings.leaseMs) / LOCK_RETRY_DELAY_MS_MAX);

  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const owner = newLockOwner(settings.host, settings.clock);
    if (await createRecord(path, owner)) {
      return { path, owner };
    }

    if (attempt % STALENESS_CHECK_EVERY_ATTEMPTS === 0) {
      const holder = await readRecord(path);
      if (holder !== undefined && isStale(settings, holder)) {
        await breakStaleRecord(settings, path, holder);
        continue;
      }
    }
    await sleep(retryDelayMs(attempt));
  }

  throw new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    `fs store lock ${name} stayed busy for more than two leases`,
    { details: { lock: name } },
  );
}

/**
 * Checks, just before committing, that the lock cannot have been broken yet.
 *
 * @param settings - the lock settings
 * @param lock - the held lock
 * @throws AcquireError `STORE_UNAVAILABLE` when half the lease has passed since it was taken
 */
export function assertLockFresh(settings: LockSettings, lock: HeldLock): void {
  if (!isFresh(settings, lock.owner)) {
    throw new AcquireError(
      ErrorCode.STORE_UNAVAILABLE,
      'fs store lock lease ran out before the write could commit; nothing was written',
      { details: { lock: lock.path } },
    );
  }
}

/**
 * Releases a lock. A lock held past half its lease is left for others to break, because it may
 * already have been broken and taken by someone else.
 *
 * @param settings - the lock settings
 * @param lock - the held lock
 */
export async function releaseLock(settings: LockSettings, lock: HeldLock): Promise<void> {
  if (isFresh(settings, lock.owner)) {
    await removeQuietly(lock.path);
  }
}

/**
 * Removes the stale locks and abandoned break claims in the lock directory, so that locks left
 * by crashed processes on keys nobody touches again do not pile up. Stale locks are broken with
 * the same exclusive claims as during a wait; a claim is abandoned when it is stale itself, and
 * removing it is the same step a breaker takes when it claims the next level.
 *
 * @param settings - the lock settings
 */
export async function sweepStaleLocks(settings: LockSettings): Promise<void> {
  for (const name of await readdir(settings.directory)) {
    const path = join(settings.directory, name);
    const record = await readRecord(path);
    if (record === undefined || !isStale(settings, record)) {
      continue;
    }
    if (name.endsWith(LOCK_SUFFIX)) {
      await breakStaleRecord(settings, path, record);
    } else if (name.includes(BREAK_CLAIM_INFIX)) {
      await removeQuietly(path);
    }
  }
}

/** Creates a lock or claim file holding `owner`; false when the name is taken. */
async function createRecord(path: string, owner: LockOwner): Promise<boolean> {
  const record = formatLockOwner(owner);
  try {
    if (RECORDS_ARE_LINKS) {
      await symlink(record, path);
    } else {
      await writeFile(path, record, { flag: 'wx' });
    }
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') {
      return false;
    }
    throw error;
  }
}

/** Reads a lock or claim, link or file; `undefined` when it is gone. */
async function readRecord(path: string): Promise<LockRecord | undefined> {
  try {
    const owner = parseLockOwner(await readRecordText(path));
    if (owner !== undefined) {
      return { id: owner.token, owner, writtenAtMs: owner.acquiredAtMs };
    }
    const stats = await lstat(path);
    return { id: `inode-${stats.ino}`, writtenAtMs: stats.mtimeMs };
  } catch (error) {
    if (isMissing(error)) {
      return undefined;
    }
    throw error;
  }
}

async function readRecordText(path: string): Promise<string> {
  try {
    return await readlink(path);
  } catch (error) {
    if (errnoCode(error) !== 'EINVAL') {
      throw error;
    }
    return readFile(path, { encoding: 'utf8', flag: NO_FOLLOW_FLAG });
  }
}

/** Breaks a stale lock unless someone else is already doing it; see the module comment. */
async function breakStaleRecord(
  settings: LockSettings,
  path: string,
  stale: LockRecord,
): Promise<void> {
  for (let level = 1; level <= BREAK_LEVELS_MAX; level++) {
    const claimPath = `${path}${BREAK_CLAIM_INFIX}${stale.id}-${level}`;
    const breaker = newLockOwner(settings.host, settings.clock);

    if (await createRecord(claimPath, breaker)) {
      try {
        const current = await readRecord(path);
        if (current?.id === stale.id && isFresh(settings, breaker)) {
          await removeQuietly(path);
          await removeAbandonedClaims(path, stale.id, level);
        }
      } finally {
        await removeQuietly(claimPath);
      }
      return;
    }

    const claim = await readRecord(claimPath);
    if (claim === undefined || !isStale(settings, claim)) {
      return;
    }
  }
}

/** Once the stale lock is gone, the claims of breakers that died before are of no use. */
async function removeAbandonedClaims(path: string, staleId: string, level: number): Promise<void> {
  for (let lower = 1; lower < level; lower++) {
    await removeQuietly(`${path}${BREAK_CLAIM_INFIX}${staleId}-${lower}`);
  }
}

function isStale(settings: LockSettings, record: LockRecord): boolean {
  const { owner } = record;
  if (owner !== undefined && owner.host === settings.host && !isProcessAlive(owner.pid)) {
    return true;
  }
  const ageMs = settings.clock.now() - record.writtenAtMs;
  return ageMs > settings.leaseMs || ageMs < -settings.leaseMs;
}

/** Fresh within half a lease either way, so a clock stepped back cannot make a holder overstay. */
function isFresh(settings: LockSettings, owner: LockOwner): boolean {
  return Math.abs(settings.clock.now() - owner.acquiredAtMs) < settings.leaseMs / 2;
}

function retryDelayMs(attempt: number): number {
  const ceilingMs = Math.min(LOCK_RETRY_DELAY_MS_MAX, LOCK_RETRY_DELAY_MS_MIN * 2 ** attempt);
  const jitter = (randomBytes(1)[0] as number) / 255;
  return ceilingMs / 2 + (jitter * ceilingMs) / 2;
}

function sleep(durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationMs));
}
