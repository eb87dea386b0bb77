/**
 * Test support: a store wrapper that fails at a chosen write, to simulate a process dying (or a
 * network failing) mid-operation. The failing write either takes effect or not, as chosen, and
 * throws either way, as a real store may when a reply is lost.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../../errors.js';
import type { ObjectStore } from '../../store/object-store.js';
import { interceptWrites } from './write-interceptor.js';

/** How and when the store fails. */
export interface FaultPlan {
  /** The write that fails, counting from 1 (writes, conditional writes and deletes). */
  readonly failAtWrite: number;
  /** Whether the failing write takes effect before it throws. */
  readonly applied: boolean;
  /** Whether every later write fails too (the process died) rather than only that one. */
  readonly crash: boolean;
}

/** A store that fails as planned, and tells how many writes it saw. */
export interface FaultyStore extends ObjectStore {
  /** Writes attempted so far. */
  readonly writes: () => number;
  /** Whether the planned failure has happened. */
  readonly tripped: () => boolean;
}

/**
 * Wraps a store so that it fails as planned.
 *
 * @param inner - the real store
 * @param plan - when and how to fail; with `failAtWrite` 0 it never fails
 * @returns the faulty store
 */
export function createFaultyStore(inner: ObjectStore, plan: FaultPlan): FaultyStore {
  let writes = 0;
  let tripped = false;

  const guard = async <T>(write: () => Promise<T>): Promise<T> => {
    writes++;
    if (tripped && plan.crash) {
      throw failure();
    }
    if (writes !== plan.failAtWrite) {
      return write();
    }
    tripped = true;
    if (plan.applied) {
      await write();
    }
    throw failure();
  };

  return {
    ...interceptWrites(inner, guard),
    writes: () => writes,
    tripped: () => tripped,
  };
}

function failure(): AcquireError {
  return new AcquireError(ErrorCode.STORE_UNAVAILABLE, 'injected store failure');
}

/** A store that holds one write back until told to go on. */
export interface PausingStore extends ObjectStore {
  /** Settles when the held write is reached. */
  readonly reached: Promise<void>;
  /** Lets the held write go ahead. */
  readonly resume: () => void;
}

/**
 * Wraps a store so that one write waits, as if its process paused just before it.
 *
 * @param inner - the real store
 * @param pauseAtWrite - the write to hold back, counting from 1
 * @returns the pausing store
 */
export function createPausingStore(inner: ObjectStore, pauseAtWrite: number): PausingStore {
  let writes = 0;
  let reach: () => void = () => {};
  let resume: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  const resumed = new Promise<void>((resolve) => {
    resume = resolve;
  });

  const hold = async <T>(write: () => Promise<T>): Promise<T> => {
    writes++;
    if (writes === pauseAtWrite) {
      reach();
      await resumed;
    }
    return write();
  };

  return {
    ...interceptWrites(inner, hold),
    reached,
    resume,
  };
}
