/**
 * Test helpers for Acquire adapters and applications: the object-store conformance suite (on
 * vitest) and its concurrency cases as plain functions.
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
