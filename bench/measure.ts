/**
 * A small timing harness for benchmarks: runs an operation repeatedly for a minimum time and
 * reports operations per second and mean milliseconds.
 *
 * @module
 */

/** Each figure runs for at least this long, so timer resolution does not matter. */
export const MEASURE_DURATION_MS_MIN = 1000;

/** A measured figure. */
export interface Measurement {
  /** What was measured. */
  readonly name: string;
  /** Operations completed. */
  readonly operations: number;
  /** Operations per second. */
  readonly perSecond: number;
  /** Mean milliseconds per operation. */
  readonly meanMs: number;
}

/**
 * Runs `operation` repeatedly for at least `durationMs` and prints the figure.
 *
 * @param name - the label printed
 * @param operation - the work to time; awaited each call
 * @param durationMs - the minimum running time
 * @returns the measurement
 */
export async function measure(
  name: string,
  operation: () => unknown,
  durationMs: number = MEASURE_DURATION_MS_MIN,
): Promise<Measurement> {
  await operation();
  const started = performance.now();
  let operations = 0;
  let elapsed = 0;

  while (elapsed < durationMs) {
    await operation();
    operations++;
    elapsed = performance.now() - started;
  }

  const measurement = {
    name,
    operations,
    perSecond: (operations * 1000) / elapsed,
    meanMs: elapsed / operations,
  };
  printMeasurement(measurement);
  return measurement;
}

/**
 * Prints one aligned line for a measurement.
 *
 * @param measurement - the figure
 */
export function printMeasurement(measurement: Measurement): void {
  const rate = measurement.perSecond.toFixed(measurement.perSecond < 100 ? 2 : 0);
  console.log(
    `  ${measurement.name.padEnd(52)} ${rate.padStart(10)} /s  ${measurement.meanMs.toFixed(3).padStart(10)} ms/op`,
  );
}

/**
 * Prints a section heading.
 *
 * @param title - the heading
 */
export function section(title: string): void {
  console.log(`\n${title}`);
}
