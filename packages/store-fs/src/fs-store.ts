/**
 * The file-system object store: {@link createFsStore}.
 *
 * @module
 */

import {
  AcquireError,
  assertDeleteOptions,
  assertListPageOptions,
  assertStoreValue,
  assertStoreVersion,
  assertValidKey,
  assertValidPrefix,
  type Clock,
  ErrorCode,
  type ObjectStore,
  type StoreCapabilities,
  systemClock,
} from '@acquire/core';
import * as v from 'valibot';
import { LOCK_LEASE_MS } from './file-lock.js';
import { toStoreError } from './fs-errors.js';
import { listObjectPage } from './fs-listing.js';
import { newObjectFile } from './object-file.js';
import {
  deleteObject,
  readObject,
  writeObject,
  writeObjectIfAbsent,
  writeObjectIfVersion,
} from './object-operations.js';
import { openStoreContext, type StoreContext, type StoreSettings } from './store-context.js';

/** Shorter leases would make holders give up over ordinary event-loop stalls. */
export const LOCK_LEASE_MS_MIN = 100;

/** Longer leases would block a key for too long after a holder crashed on another host. */
export const LOCK_LEASE_MS_MAX: number = 10 * 60 * 1000;

/** Options for {@link createFsStore}. */
export interface FsStoreOptions {
  /**
   * The directory that holds the store, created when missing. Give the store a directory of its
   * own: it lists everything under it, and removes directories it has emptied.
   */
  root: string;
  /**
   * Flush every write and delete to disk before it returns (fdatasync of the new file, then
   * fsync of its directory), so that it survives a power loss or a kernel crash, not only a crash
   * of the process. The cost is those two waits for the disk on every write: about a millisecond
   * each time on the shared virtual disk measured in the package README, which roughly halved
   * the write rate there. Without it, writes stay atomic, conditional writes stay exclusive and a
   * crash of the process loses nothing acknowledged; a power loss may lose recent writes or leave
   * a file cut short, which then reads as `CORRUPT_RECORD`.
   * @default true
   */
  fsync?: boolean;
  /**
   * How long a per-key lock may be held before other processes treat it as abandoned. Locks of
   * dead processes on the same host are recovered at once; this bounds the wait for a holder
   * that crashed elsewhere, such as in another container sharing the directory. A holder that
   * has held its lock for half the lease gives up with `STORE_UNAVAILABLE` and writes nothing;
   * only a stall of more than half the lease between that check and the rename right after it
   * could let two holders overlap.
   * @default LOCK_LEASE_MS
   */
  lockLeaseMs?: number;
  /**
   * The clock that lock leases and the age of abandoned temporary files are measured on. Every
   * process sharing a root must use the same real clock; tests may pass a manual one.
   * @default systemClock
   */
  clock?: Clock;
}

const OptionsSchema = v.strictObject({
  root: v.pipe(v.string(), v.minLength(1)),
  fsync: v.optional(v.boolean()),
  lockLeaseMs: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(LOCK_LEASE_MS_MIN), v.maxValue(LOCK_LEASE_MS_MAX)),
  ),
  clock: v.optional(
    v.custom<Clock>(
      (value) => typeof (value as Partial<Clock> | null)?.now === 'function',
      'a clock with now()',
    ),
  ),
});

/**
 * Creates an object store on a local directory, safe to share between processes on one machine.
 *
 * Every key maps to a file under `root`: each segment becomes a portable file name (see the
 * package README), directories for all but the last. Writes are atomic (complete temporary
 * file, then rename or link), version tags are unique ids kept in each file's header,
 * write-if-absent is exclusive through link(2) (or symlink(2) for an empty object, which is a
 * link holding its version), and writes, write-if-version and deletes hold a
 * per-key lock that recovers from crashed holders (see `lockLeaseMs`). Links planted under the
 * root are never followed.
 *
 * The directory is created and checked on first use, so errors about it surface from the first
 * operation. Network file systems are not supported: their link, rename and exclusive-create
 * semantics vary.
 *
 * @param options - where and how
 * @returns an {@link ObjectStore} with atomic conditional writes, shared across processes
 * @throws AcquireError `INVALID_ARGUMENT` when the options are invalid
 * @example
 * ```ts
 * import { readJson, updateJson } from '@acquire/core';
 * import { createFsStore } from '@acquire/store-fs';
 *
 * const store = createFsStore({ root: './data' });
 * await updateJson<number>(store, 'counters/visits', (count) => (count ?? 0) + 1);
 * const visits = await readJson<number>(store, 'counters/visits');
 * ```
 */
export function createFsStore(options: FsStoreOptions): ObjectStore {
  const settings = parseOptions(options);
  const capabilities: StoreCapabilities = {
    atomicConditionalWrites: true,
    durable: settings.fsync ?? true,
    sharedAcrossProcesses: true,
  };

  const run = operationRunner({
    root: settings.root,
    durable: capabilities.durable,
    leaseMs: settings.lockLeaseMs ?? LOCK_LEASE_MS,
    clock: settings.clock ?? systemClock,
  });

  return {
    capabilities,
    async read(key) {
      assertValidKey(key);
      return run('read', key, (opened) => readObject(opened, key));
    },
    async write(key, value) {
      assertValidKey(key);
      assertStoreValue(value);
      const file = newObjectFile(key, value);
      return run('write', key, (opened) => writeObject(opened, key, file));
    },
    async writeIfAbsent(key, value) {
      assertValidKey(key);
      assertStoreValue(value);
      const file = newObjectFile(key, value);
      return run('write-if-absent', key, (opened) => writeObjectIfAbsent(opened, key, file));
    },
    async writeIfVersion(key, value, version) {
      assertValidKey(key);
      assertStoreValue(value);
      assertStoreVersion(version);
      const file = newObjectFile(key, value);
      return run('write-if-version', key, (opened) =>
        writeObjectIfVersion(opened, key, file, version),
      );
    },
    async delete(key, deleteOptions) {
      assertValidKey(key);
      assertDeleteOptions(deleteOptions);
      const ifVersion = deleteOptions?.ifVersion;
      return run('delete', key, (opened) => deleteObject(opened, key, ifVersion));
    },
    async listPage(prefix, listOptions = {}) {
      assertValidPrefix(prefix);
      assertListPageOptions(listOptions);
      return run('list', prefix, (opened) => listObjectPage(opened, prefix, listOptions));
    },
  };
}

/** Runs one operation on the store context, opened on first use, with its errors made typed. */
type OperationRunner = <T>(
  operation: string,
  key: string,
  body: (opened: StoreContext) => Promise<T>,
) => Promise<T>;

/**
 * Makes the runner every operation goes through. The context is opened on first use and opened
 * again after a failed opening, so a root that was missing or unreadable can recover.
 */
function operationRunner(storeSettings: StoreSettings): OperationRunner {
  let opening: Promise<StoreContext> | undefined;
  const context = (): Promise<StoreContext> => {
    opening ??= openStoreContext(storeSettings).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };

  return async (operation, key, body) => {
    try {
      return await body(await context());
    } catch (error) {
      throw toStoreError(error, operation, key);
    }
  };
}

function parseOptions(options: FsStoreOptions): v.InferOutput<typeof OptionsSchema> {
  const result = v.safeParse(OptionsSchema, options);
  if (result.success) {
    return result.output;
  }
  const paths = result.issues.map((issue) => v.getDotPath(issue) ?? 'options');
  throw new AcquireError(
    ErrorCode.INVALID_ARGUMENT,
    `fs store options are invalid at ${paths.join(', ')}`,
    { details: { paths } },
  );
}
