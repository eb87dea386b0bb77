import { describe, expect, it } from 'vitest';
import { createManualClock, MANUAL_CLOCK_START_MS, systemClock } from './clock.js';

describe('clocks', () => {
  it('a manual clock moves only when told', () => {
    const clock = createManualClock();

    expect(clock.now()).toBe(MANUAL_CLOCK_START_MS);
    clock.advance(1500);
    expect(clock.now()).toBe(MANUAL_CLOCK_START_MS + 1500);
    clock.set(10);
    expect(clock.now()).toBe(10);
  });

  it('a manual clock refuses to go backwards by advance or to leave the numbers', () => {
    const clock = createManualClock();

    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => createManualClock(Number.NaN)).toThrow(RangeError);
  });

  it('the system clock tells the real time', () => {
    const before = Date.now();
    const now = systemClock.now();

    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
