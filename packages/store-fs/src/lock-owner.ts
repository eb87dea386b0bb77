/**
 * Who holds a lock: a unique token, the holder's process id and the "host" that process id is
 * meaningful on, and when the lock was taken. A lock whose holder is a dead process on this host
 * is stale at once; any other lock is stale when its lease has run out.
 *
 * The record is written as `<token>.<pid>.<acquired at ms>.<host tag>`, about 50 characters: a
 * symbolic link's target that short is kept in the link's inode, which makes taking a lock
 * cheaper than with a target that needs a block of its own (ext4 and others keep up to 59).
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { readlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { type Clock, randomBytes } from '@acquire/core';

/**
 * 8 random bytes make every lock token unique, across processes and restarts: two takings of one
 * lock that collide need 2^32 takings. Tokens are hex, because they appear in file names, which
 * may be compared without regard to case.
 */
const LOCK_TOKEN_RANDOM_BYTES = 8;

/** A host tag is this many hex digits of the SHA-256 of the host name and pid namespace. */
const HOST_TAG_DIGITS = 12;

/** A lock record: token, pid, time taken and host tag, as {@link formatLockOwner} writes them. */
const LOCK_RECORD_PATTERN = /^([0-9a-f]{1,64})\.(\d{1,10})\.(-?\d{1,16})\.([0-9a-z-]{1,64})$/;

/** The record a lock file holds. */
export interface LockOwner {
  /** Unique to this one taking of the lock. */
  readonly token: string;
  /** Tags the process-id space the holder lives in (see {@link currentHost}). */
  readonly host: string;
  /** The holder's process id. */
  readonly pid: number;
  /** When the lock was taken, on the store's clock. */
  readonly acquiredAtMs: number;
}

let hostPromise: Promise<string> | undefined;

/**
 * Tags the process-id space of this process: a digest of the host name plus, on Linux, the pid
 * namespace, so that two containers sharing a volume never judge each other's process ids.
 *
 * @returns 12 hex digits, equal for processes whose ids can be checked against each other
 */
export function currentHost(): Promise<string> {
  hostPromise ??= readlink('/proc/self/ns/pid').then(
    (namespace) => hostTag(`${hostname()}/${namespace}`),
    () => hostTag(hostname()),
  );
  return hostPromise;
}

function hostTag(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HOST_TAG_DIGITS);
}

/**
 * Makes the record for a lock taken now by this process.
 *
 * @param host - from {@link currentHost}
 * @param clock - the store's clock
 * @returns a fresh owner record
 */
export function newLockOwner(host: string, clock: Clock): LockOwner {
  return {
    token: Buffer.from(randomBytes(LOCK_TOKEN_RANDOM_BYTES)).toString('hex'),
    host,
    pid: process.pid,
    acquiredAtMs: Math.floor(clock.now()),
  };
}

/**
 * Writes a lock record as a lock file holds it.
 *
 * @param owner - the owner
 * @returns `<token>.<pid>.<acquired at ms>.<host tag>`
 */
export function formatLockOwner(owner: LockOwner): string {
  return `${owner.token}.${owner.pid}.${owner.acquiredAtMs}.${owner.host}`;
}

/**
 * Tells whether a process exists, by sending it signal 0 (kill(2): the check without a signal).
 * `EPERM` means it exists under another user.
 *
 * @param pid - a process id on this host
 * @returns false only when no such process exists
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code !== 'ESRCH';
  }
}

/**
 * Parses a lock file's content.
 *
 * @param text - the file's text
 * @returns the owner, or `undefined` when the text is not a lock record
 */
export function parseLockOwner(text: string): LockOwner | undefined {
  const match = LOCK_RECORD_PATTERN.exec(text);
  if (match === null) {
    return undefined;
  }
  const [, token, pid, acquiredAtMs, host] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { token, host, pid: Number(pid), acquiredAtMs: Number(acquiredAtMs) };
}
