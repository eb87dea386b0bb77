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
import { type Measurement, printMeasurement } from './measure.js';
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
  /** Makes a fresh, empty store for one run. */
  readonly createStore: () => ObjectStore;
  /** Samples the raw write + rename rate of the store's disk; only for file-system stores. */
  readonly sampleRawWrite?: RawWriteSampler;
  /** Lines printed under the first heading: what the raw rate is, why runs are shorter. */
  readonly notes?: readonly string[];
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

/**
 * Opens an account that may overdraw far enough for every run.
 *
 * @param ledger - the ledger
 * @param group - a group of its own
 * @returns the account's uid
 */
export async function openAccount(ledger: Ledger, group: string): Promise<string> {
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
