import { spawnSync } from 'node:child_process';
import { readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AcquireError,
  type Clock,
  createManualClock,
  ErrorCode,
  type ManualClock,
  systemClock,
} from '@acquire/core';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryRoots, temporaryRoot } from '../test/temporary-root.js';
import {
  acquireLock,
  assertLockFresh,
  type HeldLock,
  type LockSettings,
  releaseLock,
  sweepStaleLocks,
} from './file-lock.js';
import { currentHost, formatLockOwner, type LockOwner, parseLockOwner } from './lock-owner.js';

/** ext4 and others keep a link's target in its inode up to this length. */
const FAST_SYMLINK_TARGET_CHARS_MAX = 60;

afterAll(removeTemporaryRoots);

const LEASE_MS = 1000;

/** Long enough for an acquirer that would not wait to have finished. */
const STILL_WAITING_CHECK_MS = 150;

async function lockSettings(clock: Clock = createManualClock()): Promise<LockSettings> {
  return { directory: await temporaryRoot(), leaseMs: LEASE_MS, clock, host: await currentHost() };
}

function deadPid(): number {
  const exited = spawnSync(process.execPath, ['-e', '']);
  return exited.pid as number;
}

async function plantLock(settings: LockSettings, name: string, owner: LockOwner): Promise<string> {
  const path = join(settings.directory, name);
  await writeFile(path, formatLockOwner(owner));
  return path;
}

function track(promise: Promise<HeldLock>): { settled: () => boolean; lock: Promise<HeldLock> } {
  let settled = false;
  const lock = promise.finally(() => {
    settled = true;
  });
  return { settled: () => settled, lock };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('file lock', () => {
  it('lets one holder at a time in, and the next in on release', async () => {
    const settings = await lockSettings();
    const first = await acquireLock(settings, 'k');
    const second = track(acquireLock(settings, 'k'));

    await sleep(STILL_WAITING_CHECK_MS);
    expect(second.settled()).toBe(false);
    await releaseLock(settings, first);
    const held = await second.lock;

    const record = await readlink(held.path);
    expect(parseLockOwner(record)?.token).toBe(held.owner.token);
    expect(record.length).toBeLessThan(FAST_SYMLINK_TARGET_CHARS_MAX);
    await releaseLock(settings, held);
    expect(await readdir(settings.directory)).toEqual([]);
  });

  it('never lets two of many racing acquirers hold it at once', async () => {
    const settings = await lockSettings(systemClock);
    let inside = 0;
    let mostInside = 0;

    await Promise.all(
      Array.from({ length: 24 }, async () => {
        const lock = await acquireLock(settings, 'k');
        inside++;
        mostInside = Math.max(mostInside, inside);
        await sleep(1);
        inside--;
        await releaseLock(settings, lock);
      }),
    );

    expect(mostInside).toBe(1);
  });

  it('breaks at once a lock left by a process of this host that has died', async () => {
    const clock = createManualClock();
    const settings = await lockSettings(clock);
    const owner = { token: 'a1', host: settings.host, pid: deadPid(), acquiredAtMs: clock.now() };
    await plantLock(settings, 'k.lock', owner);

    const held = await acquireLock(settings, 'k');

    expect(held.owner.pid).toBe(process.pid);
    await releaseLock(settings, held);
    expect(await readdir(settings.directory)).toEqual([]);
  });

  it('waits out the lease of a holder on another host, then breaks its lock', async () => {
    const clock = createManualClock();
    const settings = await lockSettings(clock);
    await plantLock(settings, 'k.lock', {
      token: 'b2',
      host: 'another-host',
      pid: process.pid,
      acquiredAtMs: clock.now(),
    });
    const waiting = track(acquireLock(settings, 'k'));

    await sleep(STILL_WAITING_CHECK_MS);
    expect(waiting.settled()).toBe(false);
    clock.advance(LEASE_MS + 1);

    expect((await waiting.lock).owner.pid).toBe(process.pid);
  });

  it('breaks the lock of a live holder of this host once its lease has run out', async () => {
    const clock = createManualClock();
    const settings = await lockSettings(clock);
    await plantLock(settings, 'k.lock', {
      token: 'c3',
      host: settings.host,
      pid: process.pid,
      acquiredAtMs: clock.now() - LEASE_MS - 1,
    });

    expect((await acquireLock(settings, 'k')).owner.token).not.toBe('c3');
  });

  it('keeps a holder past half its lease from committing or releasing', async () => {
    const clock: ManualClock = createManualClock();
    const settings = await lockSettings(clock);
    const held = await acquireLock(settings, 'k');
    assertLockFresh(settings, held);

    clock.advance(LEASE_MS / 2);
    const error = (() => {
      try {
        assertLockFresh(settings, held);
      } catch (caught) {
        return caught;
      }
    })();
    await releaseLock(settings, held);

    expect(AcquireError.is(error, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
    expect(await readdir(settings.directory)).toEqual(['k.lock']);
  });

  it('takes over from a breaker that died holding its claim, and clears its claim', async () => {
    const clock = createManualClock();
    const settings = await lockSettings(clock);
    const dead = deadPid();
    const stale = { token: 'd4', host: settings.host, pid: dead, acquiredAtMs: clock.now() };
    await plantLock(settings, 'k.lock', stale);
    await plantLock(settings, 'k.lock.break-d4-1', { ...stale, token: 'e5' });

    const held = await acquireLock(settings, 'k');
    await releaseLock(settings, held);

    expect(await readdir(settings.directory)).toEqual([]);
  });

  it('breaks a lock file it cannot read once a lease has passed since it was written', async () => {
    const settings = { ...(await lockSettings(systemClock)), leaseMs: 200 };
    await writeFile(join(settings.directory, 'k.lock'), 'not a lock record');
    const started = performance.now();

    const held = await acquireLock(settings, 'k');

    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(held.owner.pid).toBe(process.pid);
  });

  it('sweeps stale locks and abandoned claims, and leaves live ones', async () => {
    const clock = createManualClock();
    const settings = await lockSettings(clock);
    const dead = { token: 'f6', host: settings.host, pid: deadPid(), acquiredAtMs: clock.now() };
    const live = { token: 'a7', host: 'another-host', pid: 1, acquiredAtMs: clock.now() };
    await plantLock(settings, 'dead.lock', dead);
    await plantLock(settings, 'gone.lock.break-b8-1', { ...dead, token: 'c9' });
    await plantLock(settings, 'live.lock', live);
    await plantLock(settings, 'live.lock.break-a7-1', { ...live, token: 'd0' });

    await sweepStaleLocks(settings);

    expect((await readdir(settings.directory)).sort()).toEqual([
      'live.lock',
      'live.lock.break-a7-1',
    ]);
  });
});
