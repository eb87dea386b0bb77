/**
 * Sequential ledger runs: one transfer at a time between two fresh accounts, each timed, so a
 * long run shows whether the cost stays flat as history grows. On a disk the raw write + rename
 * rate is sampled every few hundred transfers during the run, so that the ratio follows the disk
 * through it, and the first and last windows each get the raw rate of their own stretch.
 *
 * @module
 */

import type { Ledger, ManualClock } from '@acquire/core';
import { count, type LedgerBenchTarget, openAccount, printRaw, warmLedger } from './ledger-run.js';
import { memoryRateNote, ratioText, rawRatioNote, slowdownNote } from './ledger-targets.js';
import { combineMeasurements, type Measurement, printMeasurement, rateOf } from './measure.js';
import type { RawWriteSampler } from './raw-write.js';

/** Transfers between two raw samples: four samples in each window of 1,000. */
const RAW_SAMPLE_EVERY_TRANSFERS = 250;

/** Each raw sample lasts this long; a 10,000-transfer run takes 41 of them, about 2 s in all. */
const RAW_SAMPLE_MS = 50;

/** Balance reads timed after the long run. */
const BALANCE_READS = 1_000;

/** A raw sample and how many transfers of the run had been made when it was taken. */
interface RawSample {
  readonly atTransfer: number;
  readonly measurement: Measurement;
}

/** What a timed run gives: each transfer's milliseconds, and the raw samples in between. */
interface TimedRun {
  readonly durations: readonly number[];
  readonly samples: readonly RawSample[];
}

/**
 * The short run is made this many times, each on a fresh ledger, and the median printed: on the
 * memory store it lasts a few tens of milliseconds, which one garbage collection moves by a
 * quarter.
 */
const SHORT_RUN_REPEATS = 5;

/** A short run's figure, the raw rate during it, and the score it is ranked by. */
interface ShortRun {
  readonly figure: Measurement;
  readonly raw: Measurement | undefined;
  /** Transfers per second, or on a disk their ratio to the raw rate. */
  readonly score: number;
}

/**
 * Times `total` transfers one after another, {@link SHORT_RUN_REPEATS} times on fresh,
 * warmed-up ledgers, and prints the median run with the range of all of them.
 *
 * @param target - the store under test
 * @param total - how many transfers in each run
 */
export async function sequentialShort(target: LedgerBenchTarget, total: number): Promise<void> {
  const name = `${count(total)} sequential transfers, median of ${SHORT_RUN_REPEATS}`;
  const runs: ShortRun[] = [];
  for (let repeat = 0; repeat < SHORT_RUN_REPEATS; repeat++) {
    const { ledger, clock, transfer } = await startRun(target);
    const run = await timeTransfers(ledger, clock, transfer, total, target.sampleRawWrite);
    const figure = rateOf(name, total, sum(run.durations));
    const raw = rawBetween(run.samples, 0, total);
    const score = raw === undefined ? figure.perSecond : figure.perSecond / raw.perSecond;
    runs.push({ figure, raw, score });
  }
  runs.sort((one, other) => one.score - other.score);

  const median = runs[Math.floor(runs.length / 2)] as ShortRun;
  const lowest = (runs[0] as ShortRun).score;
  const highest = (runs[runs.length - 1] as ShortRun).score;
  const note =
    median.raw === undefined
      ? `${memoryRateNote(median.score)}; runs ${count(Math.round(lowest))}` +
        `–${count(Math.round(highest))} /s`
      : `${rawRatioNote(median.figure.perSecond, median.raw.perSecond)}; runs ` +
        `${lowest.toFixed(2)}–${highest.toFixed(2)} × raw`;
  printMeasurement(median.figure, note);
  printRaw(median.raw, 'during that run');
}

/**
 * Times `total` transfers one after another on a fresh, warmed-up ledger and prints the figure,
 * its first and last windows, and a balance read afterwards.
 *
 * @param target - the store under test
 * @param total - how many transfers
 */
export async function sequentialLong(target: LedgerBenchTarget, total: number): Promise<void> {
  const { ledger, clock, transfer, payer } = await startRun(target);
  const run = await timeTransfers(ledger, clock, transfer, total, target.sampleRawWrite);
  const figure = rateOf(`${count(total)} sequential transfers`, total, sum(run.durations));
  const raw = rawBetween(run.samples, 0, total);
  const note =
    raw === undefined
      ? memoryRateNote(figure.perSecond)
      : rawRatioNote(figure.perSecond, raw.perSecond);
  printMeasurement(figure, note);
  printRaw(raw, 'during the run');
  printWindows(run, total, target.sizes.window);
  await balanceReads(ledger, payer, total);
}

/** A warmed-up ledger with a fresh payer and payee, and the transfer between them. */
async function startRun(target: LedgerBenchTarget): Promise<{
  readonly ledger: Ledger;
  readonly clock: ManualClock;
  readonly payer: string;
  readonly transfer: Parameters<Ledger['perform']>[0];
}> {
  const { ledger, clock } = await warmLedger(target);
  const payer = await openAccount(ledger, 'payer');
  const payee = await openAccount(ledger, 'payee');
  return {
    ledger,
    clock,
    payer,
    transfer: [{ debitAccountUid: payer, creditAccountUid: payee, value: '1.25' }],
  };
}

async function timeTransfers(
  ledger: Ledger,
  clock: ManualClock,
  transfer: Parameters<Ledger['perform']>[0],
  total: number,
  sampleRawWrite: RawWriteSampler | undefined,
): Promise<TimedRun> {
  const durations: number[] = [];
  const samples: RawSample[] = [];
  const sample = async (atTransfer: number): Promise<void> => {
    if (sampleRawWrite !== undefined) {
      samples.push({ atTransfer, measurement: await sampleRawWrite(RAW_SAMPLE_MS) });
    }
  };

  for (let index = 0; index < total; index++) {
    if (index % RAW_SAMPLE_EVERY_TRANSFERS === 0) {
      await sample(index);
    }
    const start = performance.now();
    await ledger.perform(transfer);
    durations.push(performance.now() - start);
    clock.advance(1);
  }
  await sample(total);
  return { durations, samples };
}

function printWindows(run: TimedRun, total: number, window: number): void {
  const firstName = `  first ${count(window)} of them`;
  const lastName = `  last ${count(window)} of them`;
  const first = rateOf(firstName, window, sum(run.durations.slice(0, window)));
  const last = rateOf(lastName, window, sum(run.durations.slice(-window)));
  const firstRaw = rawBetween(run.samples, 0, window);
  const lastRaw = rawBetween(run.samples, total - window, total);

  printMeasurement(
    first,
    firstRaw === undefined ? undefined : ratioText(first.perSecond, firstRaw.perSecond),
  );
  const slowdown = slowdownNote(last.meanMs, first.meanMs);
  printMeasurement(
    last,
    lastRaw === undefined
      ? slowdown
      : `${ratioText(last.perSecond, lastRaw.perSecond)}; ${slowdown}`,
  );
}

async function balanceReads(ledger: Ledger, accountUid: string, transfers: number): Promise<void> {
  const started = performance.now();
  for (let index = 0; index < BALANCE_READS; index++) {
    await ledger.balance(accountUid);
  }
  const name = `balance read after ${count(transfers)} transfers`;
  printMeasurement(rateOf(name, BALANCE_READS, performance.now() - started));
}

/** The raw rate over the samples taken while transfers `from` to `to` were made. */
function rawBetween(
  samples: readonly RawSample[],
  from: number,
  to: number,
): Measurement | undefined {
  const inside = samples.filter(({ atTransfer }) => atTransfer >= from && atTransfer <= to);
  return inside.length === 0 ? undefined : combineMeasurements(inside.map((s) => s.measurement));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
