/**
 * Balances now and in the past, and statements. The balance now is the account head's totals,
 * read in one object however long the history. A past balance starts from the stored opening
 * totals of its day and adds that day's line items, so it costs one day of items. Statements
 * list line items by time, lazily, one store page at a time.
 *
 * @module
 */

import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { decodeJson } from '../store/json.js';
import { listKeys } from '../store/listing.js';
import { LIST_PAGE_SIZE_MAX } from '../store/object-store.js';
import { availableToSpend } from './account-head.js';
import { readHead, tidyMarkers } from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import {
  addTotals,
  type LineItem,
  type LineItemKind,
  lineItemEffect,
  parseLineItemKey,
  type Totals,
  totalsFromJson,
} from './line-items.js';
import { Money } from './money.js';
import { releaseDue } from './operations.js';
import {
  daySnapshotKey,
  daySnapshotPrefix,
  KEY_TIME_MS_MAX,
  keyTime,
  lineItemPrefix,
  utcDay,
} from './store-layout.js';

/** An account's balances now. */
export interface BalanceStatus {
  /** Settled value: credits minus debits. */
  readonly balance: Money;
  /** Value held by provisional debits not yet receipted. */
  readonly liability: Money;
  /** Value due from provisional credits not yet receipted. */
  readonly receivable: Money;
  /** Debits made today (UTC), direct and provisional. */
  readonly spentToday: Money;
  /** balance − liability + overdraft limit, capped by what is left of the daily limit. */
  readonly available: Money;
}

/** An account's balances at a past time. */
export interface PastBalance {
  /** Settled value. */
  readonly balance: Money;
  /** Value held by provisional debits. */
  readonly liability: Money;
  /** Value due from provisional credits. */
  readonly receivable: Money;
}

/** One line of a statement. */
export interface StatementItem {
  /** When the change took effect on the account, in ms since the epoch. */
  readonly timeMs: number;
  /** The transaction it belongs to. */
  readonly transactionUid: string;
  /** What happened. */
  readonly kind: LineItemKind;
  /** The value moved; for receipts, the provisional value settled. */
  readonly value: Money;
  /** For receipts: the value paid. */
  readonly receiptedValue?: Money;
}

/** Options for a statement: the times are milliseconds since the epoch. */
export interface StatementOptions {
  /** Items at or after this time. */
  readonly startMs: number;
  /** Items before this time. */
  readonly endMs: number;
}

/** Options for one page of a statement. */
export interface StatementPageOptions extends StatementOptions {
  /** Items per page, 1 to {@link LIST_PAGE_SIZE_MAX}. @default 100 */
  readonly limit?: number;
  /** Where the previous page ended. */
  readonly pageToken?: string;
}

/** One page of a statement. */
export interface StatementPage {
  /** The items, oldest first. */
  readonly items: readonly StatementItem[];
  /** Pass this to get the next page; absent on the last page. */
  readonly nextPageToken?: string;
}

/** A statement page holds 100 items unless asked otherwise: a screenful, and quick to list. */
export const STATEMENT_PAGE_SIZE_DEFAULT = 100;

/**
 * An account's balances now. Due expiries of its provisional debits are released first.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @returns the balances
 * @throws AcquireError `ACCOUNT_NOT_FOUND`
 */
export async function readBalance(runtime: LedgerRuntime, uid: string): Promise<BalanceStatus> {
  await releaseDue(runtime, uid);
  const { head } = await readHead(runtime, uid);
  const view = (await tidyMarkers(runtime, head)).head;
  const today = utcDay(runtime.clock.now());
  return {
    ...moneyTotals(view.totals),
    spentToday: Money.fromMicro(view.day === today ? view.spentToday : 0n),
    available: Money.fromMicro(availableToSpend(view, today)),
  };
}

/**
 * An account's balances as they stood just before a time.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @param timeMs - the time, in ms since the epoch
 * @returns the balances
 * @throws AcquireError `ACCOUNT_NOT_FOUND`, or `INVALID_ARGUMENT` for a bad time
 */
export async function balanceAt(
  runtime: LedgerRuntime,
  uid: string,
  timeMs: number,
): Promise<PastBalance> {
  checkTime(timeMs, 'timeMs');
  const { head } = await readHead(runtime, uid);
  const view = (await tidyMarkers(runtime, head)).head;
  const day = utcDay(timeMs);
  if (day > view.day) {
    return moneyTotals(view.totals);
  }
  if (day === view.day) {
    return moneyTotals(await addDayItems(runtime, view.opening, uid, day, timeMs));
  }

  const opening = await readSnapshot(runtime, daySnapshotKey(uid, day));
  if (opening !== undefined) {
    return moneyTotals(await addDayItems(runtime, opening, uid, day, timeMs));
  }
  // No snapshot means the account was not used that day: its balance is the opening of the
  // next day it was used.
  const later = await runtime.store.listPage(daySnapshotPrefix(uid), {
    startAfter: daySnapshotKey(uid, day),
    limit: 1,
  });
  const next = later.keys[0];
  return moneyTotals(
    next === undefined ? view.opening : ((await readSnapshot(runtime, next)) as Totals),
  );
}

/**
 * An account's line items between two times, oldest first, read lazily.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @param options - the time range
 * @returns the items
 * @throws AcquireError `ACCOUNT_NOT_FOUND`, or `INVALID_ARGUMENT` for bad times
 */
export async function* statement(
  runtime: LedgerRuntime,
  uid: string,
  options: StatementOptions,
): AsyncGenerator<StatementItem, void, undefined> {
  for await (const { key: _key, ...item } of keyedStatement(runtime, uid, options)) {
    yield item;
  }
}

async function* keyedStatement(
  runtime: LedgerRuntime,
  uid: string,
  options: StatementOptions,
  startAfterKey?: string,
): AsyncGenerator<StatementItem & { readonly key: string }, void, undefined> {
  checkTime(options.startMs, 'startMs');
  checkTime(options.endMs, 'endMs');
  await readHead(runtime, uid);
  const prefix = lineItemPrefix(uid);
  const startAfter =
    startAfterKey ?? `${prefix}/${utcDay(options.startMs)}/${keyTime(options.startMs)}`;

  for await (const key of listKeys(runtime.store, prefix, { startAfter })) {
    const item = parseLineItemKey(key);
    if (item === undefined || item.timeMs < options.startMs) {
      continue;
    }
    if (item.timeMs >= options.endMs) {
      return;
    }
    yield { ...statementItem(item), key };
  }
}

/**
 * One page of an account's statement.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @param options - the time range, page size and token
 * @returns the page
 * @throws AcquireError `INVALID_ARGUMENT` for a bad page size or token
 */
export async function statementPage(
  runtime: LedgerRuntime,
  uid: string,
  options: StatementPageOptions,
): Promise<StatementPage> {
  const limit = options.limit ?? STATEMENT_PAGE_SIZE_DEFAULT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_PAGE_SIZE_MAX) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, `limit must be 1 to ${LIST_PAGE_SIZE_MAX}`);
  }
  const startAfter = options.pageToken === undefined ? undefined : tokenKey(uid, options.pageToken);

  const items: StatementItem[] = [];
  let lastKey = '';
  for await (const { key, ...item } of keyedStatement(runtime, uid, options, startAfter)) {
    if (items.length === limit) {
      return {
        items,
        nextPageToken: base64UrlEncode(utf8Encode(lastKey.slice(lineItemPrefix(uid).length + 1))),
      };
    }
    items.push(item);
    lastKey = key;
  }
  return { items };
}

function tokenKey(uid: string, token: string): string {
  let key: string | undefined;
  try {
    key = `${lineItemPrefix(uid)}/${utf8Decode(base64UrlDecode(token, 'pageToken'))}`;
  } catch {
    key = undefined;
  }
  if (key === undefined || parseLineItemKey(key)?.accountUid !== uid) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'pageToken is not a token of this statement',
    );
  }
  return key;
}

async function addDayItems(
  runtime: LedgerRuntime,
  opening: Totals,
  uid: string,
  day: string,
  beforeMs: number,
): Promise<Totals> {
  let totals = opening;
  for await (const key of listKeys(runtime.store, `${lineItemPrefix(uid)}/${day}`)) {
    const item = parseLineItemKey(key);
    if (item === undefined) {
      continue;
    }
    if (item.timeMs >= beforeMs) {
      break;
    }
    totals = addTotals(totals, lineItemEffect(item));
  }
  return totals;
}

async function readSnapshot(runtime: LedgerRuntime, key: string): Promise<Totals | undefined> {
  const stored = await runtime.store.read(key);
  return stored === undefined ? undefined : decodeJson(stored.value, key, totalsFromJson);
}

function statementItem(item: LineItem): StatementItem {
  return {
    timeMs: item.timeMs,
    transactionUid: item.transactionUid,
    kind: item.kind,
    value: Money.fromMicro(item.value),
    ...(item.receiptedValue === undefined
      ? {}
      : { receiptedValue: Money.fromMicro(item.receiptedValue) }),
  };
}

function moneyTotals(totals: Totals): PastBalance {
  return {
    balance: Money.fromMicro(totals.balance),
    liability: Money.fromMicro(totals.liability),
    receivable: Money.fromMicro(totals.receivable),
  };
}

function checkTime(timeMs: number, label: string): void {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs > KEY_TIME_MS_MAX) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `${label} must be whole milliseconds since the epoch`,
    );
  }
}
