/**
 * Test helpers for Acquire adapters and applications: the object-store conformance suite (on
 * vitest) and its concurrency cases as plain functions, the ledger's race cases (on vitest),
 * which a store shared by several ledgers must pass, and a one-time code the verifier refuses at
 * a given moment.
 *
 * @example
 * ```ts
 * import { runObjectStoreConformance } from '@acquire/core/testing';
 * import { createFsStore } from '@acquire/store-fs';
 *
 * runObjectStoreConformance({ name: 'fs', create: () => createFsStore({ root: tempDir() }) });
 * ```
 *
 * @module
 */

export {
  LEDGER_RACE_CASE_TIMEOUT_MS,
  LEDGER_RACE_CLOCK_TICK_MS,
  LEDGER_RACE_DEBIT_RACERS,
  LEDGER_RACE_DEBIT_ROUNDS,
  LEDGER_RACE_MIDNIGHT_ROUNDS,
  LEDGER_RACE_PROCESSES,
  LEDGER_RACE_SETTLE_RACERS,
  LEDGER_RACE_SETTLE_ROUNDS,
  type LedgerRaceSuiteOptions,
  runLedgerRaceSuite,
} from './accounting/ledger-race-suite.js';
export { wrongTotpCode } from './crypto/wrong-totp-code.js';
export {
  CONFORMANCE_CAS_INCREMENTS,
  CONFORMANCE_CAS_WORKERS,
  CONFORMANCE_RACERS,
  type ObjectStoreConformanceOptions,
  runObjectStoreConformance,
} from './store/conformance.js';
export {
  incrementCounter,
  raceWriteIfAbsent,
  runCasIncrements,
  type WriteIfAbsentRace,
} from './store/conformance-cases.js';
