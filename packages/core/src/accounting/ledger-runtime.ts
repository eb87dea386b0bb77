/**
 * What every ledger operation is given: the store, the clock, and two things that live only in
 * this process. Per-account locks queue this process's own updates of one account head, so they
 * do not race each other through compare-and-swap retries (other processes still race, and CAS
 * keeps that safe). A cache remembers operations known to be finished, which never become
 * unfinished again, so markers of finished operations are dropped without reading their records.
 *
 * @module
 */

import type { Logger } from '../logging.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';

/**
 * An operation left in flight longer than this is presumed dead: the next reader rolls it
 * forward or back. A perform normally finishes in a few store round trips; a minute leaves room
 * for slow stores and long pauses without holding funds for long after a crash.
 */
export const LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT = 60_000;

/** Finished operations remembered per process; 10,000 covers any burst on a few hot accounts. */
export const FINISHED_OPERATIONS_CACHED_MAX = 10_000;

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
  const lockOne = createLockQueue();

  return {
    store: options.store,
    clock: options.clock,
    logger: options.logger,
    inflightTimeoutMs: options.inflightTimeoutMs ?? LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT,

    async lockAccounts(uids) {
      const releases: (() => void)[] = [];
      for (const uid of [...new Set(uids)].sort()) {
        releases.push(await lockOne(uid));
      }
      return () => {
        for (const release of releases.reverse()) {
          release();
        }
      };
    },

    finishedOutcome: (id) => finished.get(id),

    rememberFinished(id, outcome) {
      if (finished.size >= FINISHED_OPERATIONS_CACHED_MAX) {
        const oldest = finished.keys().next().value as string;
        finished.delete(oldest);
      }
      finished.set(id, outcome);
    },
  };
}

/** A queue per key: each caller waits for the previous holder of that key to release it. */
function createLockQueue(): (key: string) => Promise<() => void> {
  const tails = new Map<string, Promise<void>>();

  return async (key) => {
    const previous = tails.get(key);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous === undefined ? held : previous.then(() => held);
    tails.set(key, tail);

    if (previous !== undefined) {
      await previous;
    }
    return () => {
      release();
      if (tails.get(key) === tail) {
        tails.delete(key);
      }
    };
  };
}
