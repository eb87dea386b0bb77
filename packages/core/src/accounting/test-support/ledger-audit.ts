/**
 * Test support: checks a ledger's store against its invariants from the raw objects, without
 * going through the ledger. Returns the problems found, so tests can assert there are none.
 *
 * @module
 */

import { decodeJson } from '../../store/json.js';
import { listAllKeys } from '../../store/listing.js';
import type { ObjectStore } from '../../store/object-store.js';
import { decodeAccountHead } from '../account-head.js';
import {
  addTotals,
  type LineItem,
  lineItemEffect,
  parseLineItemKey,
  type Totals,
  totalsFromJson,
  ZERO_TOTALS,
} from '../line-items.js';
import { ACCOUNT_HEADS_PREFIX, utcDay } from '../store-layout.js';
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
 * Audits a ledger: every head equals the sum of its line items, every day's opening totals (in
 * a head or a day snapshot) equal the sum of the line items before that day, balances sum to zero,
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
  const openings = new Map<string, DayOpening>();
  for (const key of await listAllKeys(store, ACCOUNT_HEADS_PREFIX)) {
    const stored = await store.read(key);
    if (stored !== undefined) {
      const head = decodeAccountHead(stored.value, key);
      heads.set(head.uid, head.totals);
      openings.set(`head of ${head.uid}`, { uid: head.uid, day: head.day, totals: head.opening });
    }
  }
  for (const key of await listAllKeys(store, 'account_days')) {
    const [, uid, day] = key.split('/') as [string, string, string];
    const stored = await store.read(key);
    if (stored !== undefined) {
      const totals = decodeJson(stored.value, key, totalsFromJson);
      openings.set(`snapshot ${key}`, { uid, day, totals });
    }
  }

  const itemsByAccount = new Map<string, LineItem[]>();
  for (const key of await listAllKeys(store, 'accounts')) {
    const item = parseLineItemKey(key);
    if (item === undefined) {
      problems.push(`${key} is not a line item key`);
      continue;
    }
    const accountItems = itemsByAccount.get(item.accountUid) ?? [];
    accountItems.push(item);
    itemsByAccount.set(item.accountUid, accountItems);
  }
  const items = new Map(
    [...itemsByAccount].map(([uid, accountItems]) => [uid, sumOfEffects(accountItems)]),
  );
  problems.push(...openingProblems(openings, itemsByAccount));

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

/** The totals an account opened a day with, as a head or a day snapshot states them. */
interface DayOpening {
  readonly uid: string;
  readonly day: string;
  readonly totals: Totals;
}

/** Every stated opening must equal the sum of the account's line items on earlier days. */
function openingProblems(
  openings: ReadonlyMap<string, DayOpening>,
  itemsByAccount: ReadonlyMap<string, readonly LineItem[]>,
): string[] {
  const problems: string[] = [];
  for (const [source, opening] of openings) {
    const before = sumOfEffects(
      (itemsByAccount.get(opening.uid) ?? []).filter((item) => utcDay(item.timeMs) < opening.day),
    );
    if (!sameTotals(opening.totals, before)) {
      problems.push(
        `${source}: opens ${opening.day} with ${show(opening.totals)} but the line items ` +
          `before it sum to ${show(before)}`,
      );
    }
  }
  return problems;
}

function sumOfEffects(items: readonly LineItem[]): Totals {
  return items.reduce((sum, item) => addTotals(sum, lineItemEffect(item)), ZERO_TOTALS);
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
