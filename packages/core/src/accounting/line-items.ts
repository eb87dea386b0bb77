/**
 * Line items: one immutable object per change to one account, with everything a balance needs
 * in its key, `accounts/<uid>/<yyyy-mm-dd>/<time>~<transaction>~<kind>~<value>[~<receipted>]`,
 * so totals can be summed from a listing alone. Values in keys are micro-units.
 *
 * @module
 */

import { integer, record } from './json-checks.js';
import { KEY_TIME_MS_MAX, keyTime, lineItemPrefix, utcDay } from './store-layout.js';

/**
 * The kinds of line item. `liability` and `receivable` are the two sides of a provisional
 * transaction; a receipt settles them (a release is a receipt of zero).
 */
export const LINE_ITEM_KINDS = [
  'debit',
  'credit',
  'liability',
  'receivable',
  'sent_receipt',
  'received_receipt',
  'sent_refund',
  'received_refund',
] as const;

/** One of {@link LINE_ITEM_KINDS}. */
export type LineItemKind = (typeof LINE_ITEM_KINDS)[number];

/** What one line item says, before it is tied to an account and a time. */
export interface LineItemEntry {
  /** What happened. */
  readonly kind: LineItemKind;
  /** The transaction it belongs to. */
  readonly transactionUid: string;
  /** The value moved, in micro-units; for receipts, the provisional value settled. */
  readonly value: bigint;
  /** For receipts only: the value actually paid, in micro-units. */
  readonly receiptedValue?: bigint;
}

/** A line item of one account's statement. */
export interface LineItem extends LineItemEntry {
  /** The account the item belongs to. */
  readonly accountUid: string;
  /** When the change took effect on the account, in ms since the epoch. */
  readonly timeMs: number;
}

/** Balance, liability and receivable in micro-units: the totals line items add up to. */
export interface Totals {
  /** Settled value: credits minus debits. */
  readonly balance: bigint;
  /** Value promised away by provisional debits not yet settled. */
  readonly liability: bigint;
  /** Value promised in by provisional credits not yet settled. */
  readonly receivable: bigint;
}

/** Totals of nothing. */
export const ZERO_TOTALS: Totals = { balance: 0n, liability: 0n, receivable: 0n };

const KIND_SET: ReadonlySet<string> = new Set(LINE_ITEM_KINDS);
const MICRO_PATTERN = /^(0|[1-9]\d{0,30})$/;

/**
 * The key of a line item.
 *
 * @param item - the item
 * @returns its key
 */
export function lineItemKey(item: LineItem): string {
  return lineItemKeys(item.accountUid, item.timeMs, [item])[0] as string;
}

/**
 * The keys of an account's line items that take effect at one time.
 *
 * @param accountUid - the account
 * @param timeMs - when they take effect
 * @param entries - the items
 * @returns their keys, in order
 */
export function lineItemKeys(
  accountUid: string,
  timeMs: number,
  entries: readonly LineItemEntry[],
): string[] {
  const start = `${lineItemPrefix(accountUid)}/${utcDay(timeMs)}/${keyTime(timeMs)}`;
  return entries.map((entry) => {
    const receipted = entry.receiptedValue === undefined ? '' : `~${entry.receiptedValue}`;
    return `${start}~${entry.transactionUid}~${entry.kind}~${entry.value}${receipted}`;
  });
}

/**
 * Reads a line item back from its key.
 *
 * @param key - a key under `accounts/<uid>/`
 * @returns the item, or undefined when the key is not a line item key
 */
export function parseLineItemKey(key: string): LineItem | undefined {
  const [root, accountUid, day, tail, extra] = key.split('/');
  if (
    root !== 'accounts' ||
    accountUid === undefined ||
    tail === undefined ||
    extra !== undefined
  ) {
    return undefined;
  }
  const [time, transactionUid, kind, value, receipted, more] = tail.split('~');
  const timeMs = Number(time);
  const valid =
    time !== undefined &&
    /^\d{13}$/.test(time) &&
    timeMs <= KEY_TIME_MS_MAX &&
    utcDay(timeMs) === day &&
    transactionUid !== undefined &&
    transactionUid !== '' &&
    kind !== undefined &&
    KIND_SET.has(kind) &&
    value !== undefined &&
    MICRO_PATTERN.test(value) &&
    (receipted === undefined || MICRO_PATTERN.test(receipted)) &&
    (receipted !== undefined) === kind.endsWith('_receipt') &&
    more === undefined;
  if (!valid) {
    return undefined;
  }
  return {
    accountUid,
    timeMs,
    transactionUid,
    kind: kind as LineItemKind,
    value: BigInt(value),
    ...(receipted === undefined ? {} : { receiptedValue: BigInt(receipted) }),
  };
}

/**
 * How a line item changes its account's totals.
 *
 * @param item - the item
 * @returns the change to balance, liability and receivable
 */
export function lineItemEffect(item: LineItemEntry): Totals {
  const value = item.value;
  const receipted = item.receiptedValue ?? 0n;
  switch (item.kind) {
    case 'debit':
    case 'sent_refund':
      return { balance: -value, liability: 0n, receivable: 0n };
    case 'credit':
    case 'received_refund':
      return { balance: value, liability: 0n, receivable: 0n };
    case 'liability':
      return { balance: 0n, liability: value, receivable: 0n };
    case 'receivable':
      return { balance: 0n, liability: 0n, receivable: value };
    case 'sent_receipt':
      return { balance: -receipted, liability: -value, receivable: 0n };
    case 'received_receipt':
      return { balance: receipted, liability: 0n, receivable: -value };
  }
}

/**
 * Adds two sets of totals.
 *
 * @param left - totals
 * @param right - more totals
 * @returns their sum
 */
export function addTotals(left: Totals, right: Totals): Totals {
  return {
    balance: left.balance + right.balance,
    liability: left.liability + right.liability,
    receivable: left.receivable + right.receivable,
  };
}

/**
 * Subtracts totals.
 *
 * @param left - totals
 * @param right - totals to take away
 * @returns the difference
 */
export function subtractTotals(left: Totals, right: Totals): Totals {
  return {
    balance: left.balance - right.balance,
    liability: left.liability - right.liability,
    receivable: left.receivable - right.receivable,
  };
}

/**
 * Totals as JSON: decimal integer text, since JSON numbers cannot hold every bigint.
 *
 * @param totals - the totals
 * @returns a JSON-safe object
 */
export function totalsToJson(totals: Totals): Record<string, string> {
  return {
    balance: totals.balance.toString(),
    liability: totals.liability.toString(),
    receivable: totals.receivable.toString(),
  };
}

/**
 * Reads totals written by {@link totalsToJson}.
 *
 * @param value - parsed JSON
 * @returns the totals
 * @throws TypeError when the shape is wrong
 */
export function totalsFromJson(value: unknown): Totals {
  const json = record(value);
  return {
    balance: integer(json.balance),
    liability: integer(json.liability),
    receivable: integer(json.receivable),
  };
}
