/**
 * A small timing harness for benchmarks: runs an operation repeatedly for a minimum time and
 * reports operations per second and mean milliseconds.
 *
 * @module
 */

/** Each figure runs for at least this long, so timer resolution does not matter. */
export const MEASURE_DURATION_MS_MIN = 1000;

/** Rates below this are printed with two decimals, so slow figures keep their precision. */
const WHOLE_RATE_MIN = 100;

/** Interleaved figures are each measured in this many slices, taken in turn. */
const INTERLEAVED_SLICES = 10;

/** The width of the label column, so the figures of one section line up. */
const NAME_COLUMN_CHARS = 52;

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
  const measurement = await timeOperation(name, operation, durationMs);
  printMeasurement(measurement);
  return measurement;
}

/**
 * Runs `operation` once untimed, then repeatedly for at least `durationMs`, without printing.
 *
 * @param name - the label of the measurement
 * @param operation - the work to time; awaited each call
 * @param durationMs - the minimum running time
 * @returns the measurement
 */
export async function timeOperation(
  name: string,
  operation: () => unknown,
  durationMs: number = MEASURE_DURATION_MS_MIN,
): Promise<Measurement> {
  await operation();
  const started = performance.now();
  let operations = 0;
  let elapsedMs = 0;

  while (elapsedMs < durationMs) {
    await operation();
    operations++;
    elapsedMs = performance.now() - started;
  }
  return rateOf(name, operations, elapsedMs);
}

/** An operation to time, and its label. */
export interface NamedOperation {
  /** The label printed. */
  readonly name: string;
  /** The work to time; awaited each call. */
  readonly operation: () => unknown;
}

/**
 * Measures several operations in turn, slice by slice, and prints each figure: a drift in the
 * machine's load then falls on all of them alike, so figures meant to be compared are.
 *
 * @param operations - the operations, printed in this order
 * @param durationMs - the minimum running time of each
 * @returns the measurements, in the same order
 */
export async function measureInterleaved(
  operations: readonly NamedOperation[],
  durationMs: number = MEASURE_DURATION_MS_MIN,
): Promise<Measurement[]> {
  const slices: Measurement[][] = operations.map(() => []);
  for (let slice = 0; slice < INTERLEAVED_SLICES; slice++) {
    for (const [index, { name, operation }] of operations.entries()) {
      slices[index]?.push(await timeOperation(name, operation, durationMs / INTERLEAVED_SLICES));
    }
  }

  const measurements = slices.map(combineMeasurements);
  for (const measurement of measurements) {
    printMeasurement(measurement);
  }
  return measurements;
}

/**
 * Runs `operation` repeatedly for `durationMs` and records nothing, so that the JIT has
 * compiled the code (and caches are filled) before the figures that compare it are taken.
 *
 * @param operation - the work to repeat; awaited each call
 * @param durationMs - how long to keep at it
 */
export async function warmUp(
  operation: () => unknown,
  durationMs: number = MEASURE_DURATION_MS_MIN,
): Promise<void> {
  const stopAt = performance.now() + durationMs;
  while (performance.now() < stopAt) {
    await operation();
  }
}

/**
 * Makes a measurement from a count and the time it took.
 *
 * @param name - what was measured
 * @param operations - operations completed
 * @param elapsedMs - the time they took, in milliseconds
 * @returns the measurement
 */
export function rateOf(name: string, operations: number, elapsedMs: number): Measurement {
  return {
    name,
    operations,
    perSecond: (operations * 1000) / elapsedMs,
    meanMs: elapsedMs / operations,
  };
}

/**
 * Joins measurements of one operation, such as samples taken at different moments, into one
 * figure over all of them.
 *
 * @param measurements - the parts, at least one
 * @returns their combined rate, under the first part's name
 */
export function combineMeasurements(measurements: readonly Measurement[]): Measurement {
  const operations = measurements.reduce((total, part) => total + part.operations, 0);
  const elapsedMs = measurements.reduce((total, part) => total + part.operations * part.meanMs, 0);
  return rateOf(measurements[0]?.name ?? '', operations, elapsedMs);
}

/**
 * Prints one aligned line for a measurement.
 *
 * @param measurement - the figure
 * @param note - printed after the figure, for example how it compares with a target
 */
export function printMeasurement(measurement: Measurement, note?: string): void {
  const decimals = measurement.perSecond < WHOLE_RATE_MIN ? 2 : 0;
  const rate = measurement.perSecond.toFixed(decimals).padStart(10);
  const mean = measurement.meanMs.toFixed(3).padStart(10);
  const suffix = note === undefined ? '' : `  ${note}`;
  console.log(`  ${measurement.name.padEnd(NAME_COLUMN_CHARS)} ${rate} /s  ${mean} ms/op${suffix}`);
}

/**
 * Prints a section heading.
 *
 * @param title - the heading
 */
export function section(title: string): void {
  console.log(`\n${title}`);
}
