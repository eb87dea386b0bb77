/**
 * What every ledger operation is given: the store, the clock, and four things that live only
 * in this process. Per-account locks queue this process's own updates of one account head, so
 * they do not race each other through compare-and-swap retries (other processes still race, and
 * CAS keeps that safe). A cache remembers operations known to be finished, which never become
 * unfinished again, so markers of finished operations are dropped without reading their
 * records. Another remembers the last head this process read or wrote for each account, so an
 * update can compare-and-swap without reading first; when another process changed the head
 * meanwhile, the swap fails and the update reads the head and tries again. The last holds the
 * committed performs this process is finishing, so that an update meeting one of their markers
 * can leave it or wait, rather than read the record and write the line items a second time.
 *
 * @module
 */

import { createUniqueIdGenerator, type UniqueIdGenerator } from '../crypto/unique-ids.js';
import type { Logger } from '../logging.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import type { AccountHead } from './account-head.js';

/**
 * An operation left in flight longer than this is presumed dead: the next reader rolls it
 * forward or back. A perform normally finishes in a few store round trips; a minute leaves room
 * for slow stores and long pauses without holding funds for long after a crash.
 */
export const LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT = 60_000;

/** Finished operations remembered per process; 10,000 covers any burst on a few hot accounts. */
export const FINISHED_OPERATIONS_CACHED_MAX = 10_000;

/** Heads remembered per process; 10,000 small objects cover every account a busy process uses. */
export const HEADS_CACHED_MAX = 10_000;

/** The final outcome of an operation. */
export type FinishedOutcome = 'done' | 'aborted';

/** Everything a ledger operation needs. */
export interface LedgerRuntime {
  /** Where the ledger lives. */
  readonly store: ObjectStore;
  /** The only source of time. */
  readonly clock: Clock;
  /** Where to log. */
  readonly logger: Logger;
  /** See {@link LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT}. */
  readonly inflightTimeoutMs: number;
  /** Makes uids for this process's transactions. */
  readonly newUid: UniqueIdGenerator;
  /**
   * Takes this process's locks on several accounts, in a fixed order so that two callers can
   * never wait for each other.
   *
   * @param uids - account uids, in any order, repeats allowed
   * @returns a function that releases them
   */
  lockAccounts(uids: readonly string[]): Promise<() => void>;
  /**
   * @param id - an operation id from `operationId`
   * @returns its outcome when known to be finished
   */
  finishedOutcome(id: string): FinishedOutcome | undefined;
  /**
   * Remembers that an operation finished.
   *
   * @param id - an operation id from `operationId`
   * @param outcome - how it finished
   */
  rememberFinished(id: string, outcome: FinishedOutcome): void;
  /**
   * Remembers the finishing of a committed perform while it runs.
   *
   * @param id - the perform's operation id from `operationId`
   * @param finishing - settles when it is finished
   */
  rememberFinishing(id: string, finishing: Promise<unknown>): void;
  /**
   * @param id - an operation id from `operationId`
   * @returns the finishing of that perform when this process is doing it now
   */
  finishing(id: string): Promise<unknown> | undefined;
  /**
   * @param uid - an account uid
   * @returns the head this process last read or wrote, with its version, if remembered
   */
  lastHead(uid: string): CachedHead | undefined;
  /**
   * Remembers the head just read or written.
   *
   * @param uid - the account uid
   * @param head - the head and its version
   */
  rememberHead(uid: string, head: CachedHead): void;
}

/** A head as this process last saw it: the decoded value and its store version. */
export interface CachedHead {
  /** The head. */
  readonly head: AccountHead;
  /** Its store version. */
  readonly version: string;
}

/** Options for {@link createLedgerRuntime}. */
export interface LedgerRuntimeOptions {
  /** Where the ledger lives. */
  readonly store: ObjectStore;
  /** The only source of time. */
  readonly clock: Clock;
  /** Where to log. */
  readonly logger: Logger;
  /** @default LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT */
  readonly inflightTimeoutMs?: number;
}

/**
 * Wires a runtime.
 *
 * @param options - store, clock, logger and timeout
 * @returns the runtime
 */
export function createLedgerRuntime(options: LedgerRuntimeOptions): LedgerRuntime {
  const finished = new Map<string, FinishedOutcome>();
  const heads = new Map<string, CachedHead>();
  const finishing = new Map<string, Promise<unknown>>();
  const locks = createLocks();

  return {
    store: options.store,
    clock: options.clock,
    logger: options.logger,
    inflightTimeoutMs: options.inflightTimeoutMs ?? LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT,
    newUid: createUniqueIdGenerator(),

    async lockAccounts(uids) {
      const keys = [...new Set(uids)].sort();
      for (const key of keys) {
        await locks.acquire(key);
      }
      return () => {
        for (const key of keys) {
          locks.release(key);
        }
      };
    },

    finishedOutcome: (id) => finished.get(id),

    rememberFinished: (id, outcome) =>
      remember(finished, id, outcome, FINISHED_OPERATIONS_CACHED_MAX),

    rememberFinishing(id, work) {
      finishing.set(id, work);
      const forget = (): void => {
        if (finishing.get(id) === work) {
          finishing.delete(id);
        }
      };
      work.then(forget, forget);
    },

    finishing: (id) => finishing.get(id),

    lastHead: (uid) => heads.get(uid),

    rememberHead: (uid, head) => remember(heads, uid, head, HEADS_CACHED_MAX),
  };
}

/** Sets an entry, evicting the oldest key when the map is full. */
function remember<T>(map: Map<string, T>, key: string, value: T, sizeMax: number): void {
  if (map.size >= sizeMax && !map.has(key)) {
    map.delete(map.keys().next().value as string);
  }
  map.set(key, value);
}

/**
 * Exclusive locks by key. A free lock is taken at once; a held one queues its waiters, and each
 * release hands the lock to the next waiter in turn.
 */
function createLocks(): {
  acquire(key: string): Promise<void> | undefined;
  release(key: string): void;
} {
  const waiters = new Map<string, (() => void)[]>();

  return {
    acquire(key) {
      const queue = waiters.get(key);
      if (queue === undefined) {
        waiters.set(key, []);
        return undefined;
      }
      return new Promise<void>((resolve) => {
        queue.push(resolve);
      });
    },
    release(key) {
      const queue = waiters.get(key);
      const next = queue?.shift();
      if (next === undefined) {
        waiters.delete(key);
      } else {
        next();
      }
    },
  };
}
