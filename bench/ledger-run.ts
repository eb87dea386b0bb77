/**
 * What the ledger benchmark runs share: the description of a store under test and the size of
 * its runs, a warmed-up ledger on a fresh store, and small helpers for accounts and output.
 *
 * @module
 */

import {
  createLedger,
  createManualClock,
  type Ledger,
  type ManualClock,
  type ObjectStore,
} from '@acquire/core';
import { ratioText } from './ledger-targets.js';
import { combineMeasurements, type Measurement, printMeasurement, rateOf } from './measure.js';
import type { RawWriteSampler } from './raw-write.js';

/** How many transfers each run on one store makes. */
export interface LedgerRunSizes {
  /** Transfers on other accounts before each timed run, so the JIT has compiled the code. */
  readonly warmUp: number;
  /** Transfers' worth of direct store writes for the floor figure. */
  readonly floor: number;
  /** The short sequential run. */
  readonly sequentialShort: number;
  /** The long sequential run, whose first and last windows are compared. */
  readonly sequentialLong: number;
  /** Transfers in each compared window of the long run. */
  readonly window: number;
  /** Transfers shared by the concurrent workers. */
  readonly concurrent: number;
}

/** A store to run the ledger benchmarks on. */
export interface LedgerBenchTarget {
  /** Names the store in the headings. */
  readonly label: string;
  /** The size of each run. */
  readonly sizes: LedgerRunSizes;
  /** Gives the store for one run: a fresh one, or one the runs share on accounts of their own. */
  readonly createStore: () => ObjectStore;
  /** What to do before the first run, on a store from `createStore`; timed and printed. */
  readonly storeWarmUp?: StoreWarmUp;
  /** Samples the raw write + rename rate of the store's disk; only for file-system stores. */
  readonly sampleRawWrite?: RawWriteSampler;
  /** Lines printed under the first heading: what the raw rate is, why runs are shorter. */
  readonly notes?: readonly string[];
}

/** A warm-up of a store before its timed runs: at least so many transfers, for so long. */
export interface StoreWarmUp {
  /** The fewest transfers. */
  readonly transfers: number;
  /** The shortest time, in milliseconds. */
  readonly durationMs: number;
}

/** A ledger ready for a timed run, with the manual clock it runs on. */
export interface WarmLedger {
  /** The ledger, on a store of its own. */
  readonly ledger: Ledger;
  /** Its clock; sequential runs advance it a millisecond per transfer. */
  readonly clock: ManualClock;
}

/** Every payer may go this far below zero, so no transfer in the runs is refused. */
const OVERDRAFT = '1000000000';

/**
 * Makes a ledger on a fresh store and runs transfers between two accounts of its own, so that
 * the timed accounts start with no history while the ledger's code is already compiled.
 *
 * @param target - the store and the number of warm-up transfers
 * @returns the ledger and its clock
 */
export async function warmLedger(target: LedgerBenchTarget): Promise<WarmLedger> {
  const clock = createManualClock();
  const ledger = createLedger({ store: target.createStore(), clock });
  const transfer = [
    {
      debitAccountUid: await openAccount(ledger, 'warm-payer'),
      creditAccountUid: await openAccount(ledger, 'warm-payee'),
      value: '1',
    },
  ];
  for (let index = 0; index < target.sizes.warmUp; index++) {
    await ledger.perform(transfer);
    clock.advance(1);
  }
  return { ledger, clock };
}

/** Around a run timed as a whole, the raw rate is sampled this long before and again after. */
const RAW_BRACKET_MS = 250;

/**
 * Times a run as a whole and prints its rate, as a ratio of the raw rate sampled just before
 * and just after it when the store is on a disk.
 *
 * @param target - the store under test, with its raw-rate sampler if any
 * @param name - names the figure, given how many operations the run made
 * @param run - the run; returns how many operations it made
 */
export async function timeBracketed(
  target: LedgerBenchTarget,
  name: (operations: number) => string,
  run: () => Promise<number>,
): Promise<void> {
  const sample = target.sampleRawWrite;
  const before = await sample?.(RAW_BRACKET_MS);
  const started = performance.now();
  const operations = await run();
  const figure = rateOf(name(operations), operations, performance.now() - started);
  const after = await sample?.(RAW_BRACKET_MS);

  const raw =
    before === undefined || after === undefined ? undefined : combineMeasurements([before, after]);
  printMeasurement(
    figure,
    raw === undefined ? undefined : ratioText(figure.perSecond, raw.perSecond),
  );
  printRaw(raw, 'before + after');
}

/**
 * Makes transfers on the store of a target before its timed runs, and prints their rate.
 *
 * @param target - the store and its raw-rate sampler
 * @param warmUp - how many transfers at least, and for how long at least
 */
export async function warmStore(target: LedgerBenchTarget, warmUp: StoreWarmUp): Promise<void> {
  const ledger = createLedger({ store: target.createStore(), clock: createManualClock() });
  const transfer = [
    {
      debitAccountUid: await openAccount(ledger, 'store-warm-payer'),
      creditAccountUid: await openAccount(ledger, 'store-warm-payee'),
      value: '1',
    },
  ];
  const name = (made: number): string => `warm-up: ${count(made)} transfers on a fresh store`;
  await timeBracketed(target, name, async () => {
    const started = performance.now();
    let made = 0;
    while (made < warmUp.transfers || performance.now() - started < warmUp.durationMs) {
      await ledger.perform(transfer);
      made++;
    }
    return made;
  });
}

/** Numbers the groups of accounts opened, so that runs sharing a store never reuse one. */
let groupsOpened = 0;

/**
 * Opens an account that may overdraw far enough for every run, in a group of its own.
 *
 * @param ledger - the ledger
 * @param role - what the account is for, the start of its group's name
 * @returns the account's uid
 */
export async function openAccount(ledger: Ledger, role: string): Promise<string> {
  const group = `${role}.${groupsOpened++}`;
  return (await ledger.createAccount({ group, name: 'main', overdraftLimit: OVERDRAFT })).uid;
}

/**
 * Prints the raw write + rename rate a figure was compared with, indented under it.
 *
 * @param raw - the raw rate, absent on stores without a disk
 * @param when - when it was sampled, for the label
 */
export function printRaw(raw: Measurement | undefined, when: string): void {
  if (raw !== undefined) {
    printMeasurement({ ...raw, name: `  ${raw.name}, ${when}` });
  }
}

/**
 * @param value - a count
 * @returns it with thousands separators, as in the labels
 */
export function count(value: number): string {
  return value.toLocaleString('en');
}
