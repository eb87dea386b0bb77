/**
 * Who holds a lock: a unique token, the holder's process id and the "host" that process id is
 * meaningful on, and when the lock was taken. A lock whose holder is a dead process on this host
 * is stale at once; any other lock is stale when its lease has run out.
 *
 * @module
 */

import { readlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { type Clock, randomBytes } from '@acquire/core';

/**
 * 12 random bytes make every lock token unique, across processes and restarts. Tokens are hex,
 * because they appear in file names, which may be compared without regard to case.
 */
const LOCK_TOKEN_RANDOM_BYTES = 12;

/** The record a lock file holds. */
export interface LockOwner {
  /** Unique to this one taking of the lock. */
  readonly token: string;
  /** Names the process-id space the holder lives in (see {@link currentHost}). */
  readonly host: string;
  /** The holder's process id. */
  readonly pid: number;
  /** When the lock was taken, on the store's clock. */
  readonly acquiredAtMs: number;
}

let hostPromise: Promise<string> | undefined;

/**
 * Names the process-id space of this process: the host name plus, on Linux, the pid namespace,
 * so that two containers sharing a volume never judge each other's process ids.
 *
 * @returns a string equal for processes whose ids can be checked against each other
 */
export function currentHost(): Promise<string> {
  hostPromise ??= readlink('/proc/self/ns/pid').then(
    (namespace) => `${hostname()}/${namespace}`,
    () => hostname(),
  );
  return hostPromise;
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
    acquiredAtMs: clock.now(),
  };
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const fields = value as Record<string, unknown>;
  const valid =
    typeof fields.token === 'string' &&
    typeof fields.host === 'string' &&
    Number.isSafeInteger(fields.pid) &&
    typeof fields.acquiredAtMs === 'number' &&
    Number.isFinite(fields.acquiredAtMs);
  return valid ? (fields as unknown as LockOwner) : undefined;
}
