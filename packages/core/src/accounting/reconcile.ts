/**
 * Reconciliation: finishing or rolling back everything left in flight past the timeout, across
 * every account, after a crash or on a schedule.
 *
 * @module
 */

import { listKeys } from '../store/listing.js';
import { isStale, readHead, tidyMarkers, updateHead } from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { releaseDue, resolveMarker } from './operations.js';
import { ACCOUNT_HEADS_PREFIX } from './store-layout.js';

/** What {@link Ledger.reconcile} did. */
export interface ReconcileReport {
  /** Account heads visited. */
  readonly accounts: number;
  /** Interrupted operations finished. */
  readonly rolledForward: number;
  /** Interrupted performs rolled back. */
  readonly rolledBack: number;
  /** Expired provisional transactions released. */
  readonly released: number;
}

/**
 * Finishes or rolls back every operation left in flight past the timeout, tidies every account
 * head, and releases expired provisional transactions. Safe to run at any time, from any
 * number of processes at once.
 *
 * @param runtime - the ledger runtime
 * @returns what was done
 */
export async function reconcile(runtime: LedgerRuntime): Promise<ReconcileReport> {
  let accounts = 0;
  let rolledForward = 0;
  let rolledBack = 0;
  let released = 0;

  for await (const key of listKeys(runtime.store, ACCOUNT_HEADS_PREFIX)) {
    const uid = key.slice(ACCOUNT_HEADS_PREFIX.length + 1);
    accounts++;
    const { head } = await readHead(runtime, uid);
    for (const marker of head.markers.filter((candidate) => isStale(runtime, candidate))) {
      const outcome = await resolveMarker(runtime, marker, 0);
      rolledForward += outcome === 'rolled-forward' ? 1 : 0;
      rolledBack += outcome === 'rolled-back' ? 1 : 0;
    }
    await tidyAccount(runtime, uid);
    released += await releaseDue(runtime, uid);
  }
  return { accounts, rolledForward, rolledBack, released };
}

async function tidyAccount(runtime: LedgerRuntime, uid: string): Promise<void> {
  const release = await runtime.lockAccounts([uid]);
  try {
    await updateHead(runtime, uid, undefined, async (head) => {
      const tidy = await tidyMarkers(runtime, head);
      return tidy.head === head ? { stop: undefined } : { next: tidy.head, result: undefined };
    });
  } finally {
    release();
  }
}
