/**
 * Test support: checks a ledger's store against its invariants from the raw objects, without
 * going through the ledger. Returns the problems found, so tests can assert there are none.
 *
 * @module
 */

import { listAllKeys } from '../../store/listing.js';
import type { ObjectStore } from '../../store/object-store.js';
import { decodeAccountHead } from '../account-head.js';
import {
  addTotals,
  lineItemEffect,
  parseLineItemKey,
  type Totals,
  ZERO_TOTALS,
} from '../line-items.js';
import { ACCOUNT_HEADS_PREFIX } from '../store-layout.js';
import { readTransactionRecord } from '../transaction-records.js';

/** What an audit found. */
export interface LedgerAudit {
  /** Each account's head totals, by uid. */
  readonly heads: ReadonlyMap<string, Totals>;
  /** Each account's totals summed from its line items, by uid. */
  readonly items: ReadonlyMap<string, Totals>;
  /** Broken invariants, described for people; empty when all hold. */
  readonly problems: readonly string[];
}

/** States a record may be left in once nothing is in flight. */
const FINAL_STATES: ReadonlySet<string> = new Set([
  'direct',
  'provisional',
  'receipted',
  'released',
  'refunded',
  'aborted',
]);

/**
 * Audits a ledger: every head equals the sum of its line items, balances sum to zero,
 * liabilities equal receivables, and (when asked) every record is in a final state.
 *
 * @param store - the ledger's store
 * @param options - whether in-flight records count as problems
 * @returns totals and problems
 */
export async function auditLedger(
  store: ObjectStore,
  options: { readonly requireFinal?: boolean } = {},
): Promise<LedgerAudit> {
  const problems: string[] = [];
  const heads = new Map<string, Totals>();
  for (const key of await listAllKeys(store, ACCOUNT_HEADS_PREFIX)) {
    const stored = await store.read(key);
    if (stored !== undefined) {
      const head = decodeAccountHead(stored.value, key);
      heads.set(head.uid, head.totals);
    }
  }

  const items = new Map<string, Totals>();
  for (const key of await listAllKeys(store, 'accounts')) {
    const item = parseLineItemKey(key);
    if (item === undefined) {
      problems.push(`${key} is not a line item key`);
      continue;
    }
    items.set(
      item.accountUid,
      addTotals(items.get(item.accountUid) ?? ZERO_TOTALS, lineItemEffect(item)),
    );
  }

  let sum = ZERO_TOTALS;
  for (const [uid, totals] of heads) {
    sum = addTotals(sum, totals);
    const fromItems = items.get(uid) ?? ZERO_TOTALS;
    if (!sameTotals(totals, fromItems)) {
      problems.push(
        `account ${uid}: head ${show(totals)} but line items sum to ${show(fromItems)}`,
      );
    }
  }
  if (sum.balance !== 0n || sum.liability !== sum.receivable) {
    problems.push(`balances sum to ${show(sum)}`);
  }

  if (options.requireFinal === true) {
    for (const key of await listAllKeys(store, 'transactions')) {
      const found = await readTransactionRecord(store, key.slice('transactions/'.length));
      if (found !== undefined && !FINAL_STATES.has(found.record.state)) {
        problems.push(`${key} is left ${found.record.state}`);
      }
    }
  }
  return { heads, items, problems };
}

function sameTotals(left: Totals, right: Totals): boolean {
  return (
    left.balance === right.balance &&
    left.liability === right.liability &&
    left.receivable === right.receivable
  );
}

function show(totals: Totals): string {
  const { balance, liability, receivable } = totals;
  return `{balance ${balance}, liability ${liability}, receivable ${receivable}}`;
}
