/**
 * Test support: a manual clock that moves on with every store write, so time passes while
 * operations race as it does between real processes, and tells waiters when it has passed a
 * time.
 *
 * @module
 */

import type { ObjectStore } from '../../store/object-store.js';
import type { ManualClock } from '../../time/clock.js';
import { interceptWrites } from './write-interceptor.js';

/** Someone waiting for the clock to pass a time. */
interface ClockWaiter {
  readonly timeMs: number;
  readonly resolve: () => void;
}

/** Moves a manual clock on with every write through its store view; see the module comment. */
export class ClockTicks {
  readonly #clock: ManualClock;
  readonly #tickMs: number;
  readonly #waiters: ClockWaiter[] = [];

  /**
   * @param clock - the clock to move
   * @param tickMs - how far each write moves it, in milliseconds
   */
  constructor(clock: ManualClock, tickMs: number) {
    this.#clock = clock;
    this.#tickMs = tickMs;
  }

  /**
   * @param timeMs - a time on the clock
   * @returns settles once the clock reads `timeMs` or later
   */
  passed(timeMs: number): Promise<void> {
    if (this.#clock.now() >= timeMs) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push({ timeMs, resolve }));
  }

  /**
   * @param store - the real store
   * @returns a view of it whose writes and deletes each move the clock on by one tick first
   */
  writingThrough(store: ObjectStore): ObjectStore {
    return interceptWrites(store, (write) => {
      this.#tick();
      return write();
    });
  }

  #tick(): void {
    this.#clock.advance(this.#tickMs);
    const now = this.#clock.now();
    for (let index = this.#waiters.length - 1; index >= 0; index--) {
      const waiter = this.#waiters[index] as ClockWaiter;
      if (waiter.timeMs <= now) {
        this.#waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }
}
