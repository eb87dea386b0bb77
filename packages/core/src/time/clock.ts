/**
 * The injected source of time. Nothing in Acquire reads the system time except {@link systemClock}.
 *
 * @module
 */

/** A source of the current time in milliseconds since the Unix epoch. */
export interface Clock {
  /** @returns the current time in milliseconds since 1970-01-01T00:00:00Z */
  now(): number;
}

/** The real time, for production use. */
export const systemClock: Clock = { now: (): number => Date.now() };

/** A clock that stands still until a test moves it. */
export interface ManualClock extends Clock {
  /**
   * Moves the clock forward.
   *
   * @param durationMs - how far, in milliseconds; must be ≥ 0
   * @throws RangeError when `durationMs` is negative or not finite
   */
  advance(durationMs: number): void;

  /**
   * Sets the clock to an absolute time, which may be earlier than now.
   *
   * @param timeMs - milliseconds since the Unix epoch
   */
  set(timeMs: number): void;
}

/** 2026-01-01T00:00:00Z, a fixed and readable default start for manual clocks. */
export const MANUAL_CLOCK_START_MS: number = Date.UTC(2026, 0, 1);

/**
 * Creates a clock for tests that moves only when told to.
 *
 * @param startMs - the starting time in milliseconds since the Unix epoch
 * @returns a {@link ManualClock}
 * @example
 * ```ts
 * import { createManualClock } from '@acquire/core';
 *
 * const clock = createManualClock();
 * clock.advance(30 * 60 * 1000); // half an hour later
 * ```
 */
export function createManualClock(startMs: number = MANUAL_CLOCK_START_MS): ManualClock {
  let current = checkedTime(startMs, 'startMs');

  return {
    now: () => current,
    advance(durationMs) {
      if (!Number.isFinite(durationMs) || durationMs < 0) {
        throw new RangeError(`durationMs must be a finite number ≥ 0, got ${durationMs}`);
      }
      current += durationMs;
    },
    set(timeMs) {
      current = checkedTime(timeMs, 'timeMs');
    },
  };
}

function checkedTime(timeMs: number, label: string): number {
  if (!Number.isFinite(timeMs)) {
    throw new RangeError(`${label} must be a finite number of milliseconds, got ${timeMs}`);
  }
  return timeMs;
}
