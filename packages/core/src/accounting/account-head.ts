/**
 * The account head: one small object per account holding its running totals, limits, the
 * totals at the start of its current day, and a marker for every operation that changed it and
 * is not yet known to be finished. Every change to a head is one compare-and-swap, so a debit's
 * limit check and the debit itself can never be separated by another change.
 *
 * The functions here are pure; reading and writing heads lives in `head-store.ts`. The head is
 * read on every transfer, so it is decoded with hand-written checks rather than a schema library.
 *
 * @module
 */

import { utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { integer, list, record, text, time } from './json-checks.js';
import {
  addTotals,
  LINE_ITEM_KINDS,
  type LineItemEntry,
  type LineItemKind,
  subtractTotals,
  type Totals,
  totalsFromJson,
  ZERO_TOTALS,
} from './line-items.js';
import { utcDay } from './store-layout.js';
import type { Settlement, SettlementKind } from './transaction-records.js';

/** A perform marks every account it changes; a settlement marks the two accounts it changes. */
export type MarkerKind = 'perform' | 'settle';

/** An operation's mark on one account head, recording exactly what it changed there. */
export interface Marker {
  /** The operation: a perform's batch uid, or the uid of the transaction being settled. */
  readonly op: string;
  /** What kind of operation. */
  readonly kind: MarkerKind;
  /** When the marker was placed, in ms since the epoch; its in-flight timeout runs from here. */
  readonly placedMs: number;
  /** When the change took effect on this account (the time of its line items). */
  readonly timeMs: number;
  /** The change made to the totals. */
  readonly delta: Totals;
  /** What the change added to the day's spending, in micro-units. */
  readonly spent: bigint;
  /** The line items this account gets from the operation. */
  readonly items: readonly LineItemEntry[];
  /** On settlement markers: the settlement, so that anyone can finish it. */
  readonly settlement?: Settlement;
  /** On perform markers of idempotent requests: the request digest. */
  readonly requestDigest?: string;
}

/** The mutable state of one account. */
export interface AccountHead {
  /** The account's uid. */
  readonly uid: string;
  /** How far below zero the available balance may go, in micro-units (≥ 0). */
  readonly overdraftLimit: bigint;
  /** The most the account may spend in one UTC day, in micro-units, if limited. */
  readonly dailyLimit?: bigint;
  /** The running totals, including operations still in flight. */
  readonly totals: Totals;
  /** The UTC day (`yyyy-mm-dd`) of the latest change. */
  readonly day: string;
  /** Debits (direct and provisional) made on `day`, in micro-units. */
  readonly spentToday: bigint;
  /** The totals at the start of `day`. */
  readonly opening: Totals;
  /** The latest time any change took effect; later changes never take effect earlier. */
  readonly lastTimeMs: number;
  /** Markers of operations not yet known to be finished. */
  readonly markers: readonly Marker[];
}

const KIND_SET: ReadonlySet<string> = new Set(LINE_ITEM_KINDS);
const SETTLEMENT_KINDS: ReadonlySet<string> = new Set(['receipt', 'release', 'refund']);

/**
 * A new head for a new account.
 *
 * @param uid - the account uid
 * @param limits - overdraft and daily limits in micro-units
 * @param timeMs - when the account was created
 * @returns the head
 */
export function newAccountHead(
  uid: string,
  limits: { readonly overdraftLimit: bigint; readonly dailyLimit?: bigint },
  timeMs: number,
): AccountHead {
  return {
    uid,
    ...limits,
    totals: ZERO_TOTALS,
    day: utcDay(timeMs),
    spentToday: 0n,
    opening: ZERO_TOTALS,
    lastTimeMs: timeMs,
    markers: [],
  };
}

/**
 * Names a marker's operation uniquely across kinds.
 *
 * @param kind - the marker kind
 * @param op - the operation uid
 * @returns `<kind>:<op>`
 */
export function operationId(kind: MarkerKind, op: string): string {
  return `${kind}:${op}`;
}

/**
 * Finds an operation's marker.
 *
 * @param head - the head
 * @param kind - the marker kind
 * @param op - the operation uid
 * @returns the marker, or undefined
 */
export function findMarker(head: AccountHead, kind: MarkerKind, op: string): Marker | undefined {
  return head.markers.find((marker) => marker.op === op && marker.kind === kind);
}

/**
 * When a change made now takes effect: never earlier than the head's latest change, so the
 * changes to one account are in time order whatever the clocks of the processes making them.
 *
 * @param head - the head
 * @param timeMs - the operation's time
 * @returns the effective time
 */
export function effectiveTime(head: AccountHead, timeMs: number): number {
  return Math.max(timeMs, head.lastTimeMs);
}

/**
 * Applies an operation's change and records its marker.
 *
 * @param head - the head
 * @param marker - the marker, with the change
 * @returns the new head
 */
export function withMarker(head: AccountHead, marker: Marker): AccountHead {
  return {
    ...head,
    totals: addTotals(head.totals, marker.delta),
    spentToday: head.spentToday + marker.spent,
    lastTimeMs: Math.max(head.lastTimeMs, marker.timeMs),
    markers: [...head.markers, marker],
  };
}

/**
 * Drops a marker, undoing its change when the operation was rolled back.
 *
 * @param head - the head
 * @param marker - a marker of this head
 * @param undo - true to reverse the marker's change
 * @returns the new head
 */
export function withoutMarker(head: AccountHead, marker: Marker, undo: boolean): AccountHead {
  const markers = head.markers.filter((other) => other !== marker);
  if (!undo) {
    return { ...head, markers };
  }
  const sameDay = utcDay(marker.timeMs) === head.day;
  return {
    ...head,
    totals: subtractTotals(head.totals, marker.delta),
    spentToday: sameDay ? head.spentToday - marker.spent : head.spentToday,
    markers,
  };
}

/**
 * Starts a new day: the current totals become its opening totals and spending restarts at zero.
 *
 * @param head - the head, with no marker that might still be rolled back
 * @param day - the new `yyyy-mm-dd` day, after `head.day`
 * @returns the new head
 */
export function rolledOver(head: AccountHead, day: string): AccountHead {
  return { ...head, day, opening: head.totals, spentToday: 0n };
}

/**
 * What the account may still spend. As in {@link limitBreach}, what the markers of performs add
 * is not counted: on a tidied head those performs have not committed.
 *
 * @param head - the head, tidied
 * @param day - today, as `yyyy-mm-dd`
 * @returns balance − liability + overdraft limit, capped by what is left of the daily limit,
 *   in micro-units (negative when the account is beyond its limits)
 */
export function availableToSpend(head: AccountHead, day: string): bigint {
  const { balance, liability } = head.totals;
  const available = balance - liability + head.overdraftLimit - uncommittedGain(head, undefined);
  if (head.dailyLimit === undefined) {
    return available;
  }
  const spent = head.day === day ? head.spentToday : 0n;
  const leftToday = head.dailyLimit - spent;
  return leftToday < available ? leftToday : available;
}

/**
 * Tells why a head is beyond its limits, if it is. What the markers of other performs add to the
 * account is not counted: on a head just tidied, those performs have not committed and may still
 * be rolled back.
 *
 * @param head - a tidied head after a debit
 * @param op - the operation making the debit
 * @returns the error code that refuses the debit, or undefined when within limits
 */
export function limitBreach(
  head: AccountHead,
  op: string,
): typeof ErrorCode.INSUFFICIENT_FUNDS | typeof ErrorCode.DAILY_LIMIT_EXCEEDED | undefined {
  const { balance, liability } = head.totals;
  if (balance - liability + head.overdraftLimit - uncommittedGain(head, op) < 0n) {
    return ErrorCode.INSUFFICIENT_FUNDS;
  }
  if (head.dailyLimit !== undefined && head.spentToday > head.dailyLimit) {
    return ErrorCode.DAILY_LIMIT_EXCEEDED;
  }
  return undefined;
}

/**
 * What a marker's change adds to the account's available balance: negative for a debit.
 *
 * @param marker - the marker
 * @returns balance change minus liability change, in micro-units
 */
export function availableGain(marker: Marker): bigint {
  return marker.delta.balance - marker.delta.liability;
}

/** What the perform markers of operations other than `op` add to the available balance. */
function uncommittedGain(head: AccountHead, op: string | undefined): bigint {
  let gain = 0n;
  for (const marker of head.markers) {
    const added = availableGain(marker);
    if (marker.kind === 'perform' && marker.op !== op && added > 0n) {
      gain += added;
    }
  }
  return gain;
}

/**
 * Serialises a head. Heads are written on every transfer, so the JSON is built as text; every
 * string that is not a uid, day or kind of this module's own making goes through
 * `JSON.stringify`.
 *
 * @param head - the head
 * @returns its JSON bytes
 */
export function encodeAccountHead(head: AccountHead): Uint8Array {
  const dailyLimit = head.dailyLimit === undefined ? 'null' : `"${head.dailyLimit}"`;
  return utf8Encode(
    `{"uid":${JSON.stringify(head.uid)},"overdraftLimit":"${head.overdraftLimit}",` +
      `"dailyLimit":${dailyLimit},"totals":${totalsText(head.totals)},` +
      `"day":${JSON.stringify(head.day)},"spentToday":"${head.spentToday}",` +
      `"opening":${totalsText(head.opening)},"lastTimeMs":${head.lastTimeMs},` +
      `"markers":[${head.markers.map(markerText).join(',')}]}`,
  );
}

/**
 * Reads a head from its JSON bytes, checking every field.
 *
 * @param bytes - the stored bytes
 * @param key - the key they came from, named in errors
 * @returns the head
 * @throws AcquireError `CORRUPT_RECORD` when the bytes are not a valid head
 */
export function decodeAccountHead(bytes: Uint8Array, key: string): AccountHead {
  try {
    const json = record(JSON.parse(utf8Decode(bytes)));
    const dailyLimit = json.dailyLimit === null ? undefined : integer(json.dailyLimit);
    return {
      uid: text(json.uid),
      overdraftLimit: integer(json.overdraftLimit),
      ...(dailyLimit === undefined ? {} : { dailyLimit }),
      totals: totalsFromJson(json.totals),
      day: text(json.day),
      spentToday: integer(json.spentToday),
      opening: totalsFromJson(json.opening),
      lastTimeMs: time(json.lastTimeMs),
      markers: list(json.markers).map(markerFromJson),
    };
  } catch (cause) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, `record ${key} is not a valid account head`, {
      cause,
    });
  }
}

function totalsText(totals: Totals): string {
  const { balance, liability, receivable } = totals;
  return `{"balance":"${balance}","liability":"${liability}","receivable":"${receivable}"}`;
}

function markerText(marker: Marker): string {
  const items = marker.items.map((item) => {
    const receipted =
      item.receiptedValue === undefined ? '' : `,"receiptedValue":"${item.receiptedValue}"`;
    const uid = JSON.stringify(item.transactionUid);
    return `{"kind":"${item.kind}","transactionUid":${uid},"value":"${item.value}"${receipted}}`;
  });
  const settlement =
    marker.settlement === undefined
      ? ''
      : `,"settlement":${JSON.stringify({
          ...marker.settlement,
          value: marker.settlement.value.toString(),
          receiptedValue: marker.settlement.receiptedValue.toString(),
        })}`;
  const digest =
    marker.requestDigest === undefined
      ? ''
      : `,"requestDigest":${JSON.stringify(marker.requestDigest)}`;
  return (
    `{"op":${JSON.stringify(marker.op)},"kind":"${marker.kind}","placedMs":${marker.placedMs},` +
    `"timeMs":${marker.timeMs},"delta":${totalsText(marker.delta)},"spent":"${marker.spent}",` +
    `"items":[${items.join(',')}]${settlement}${digest}}`
  );
}

function markerFromJson(value: unknown): Marker {
  const json = record(value);
  const kind = text(json.kind);
  if (kind !== 'perform' && kind !== 'settle') {
    throw new TypeError('marker kind');
  }
  return {
    op: text(json.op),
    kind,
    placedMs: time(json.placedMs),
    timeMs: time(json.timeMs),
    delta: totalsFromJson(json.delta),
    spent: integer(json.spent),
    items: list(json.items).map(itemFromJson),
    ...(json.settlement === undefined ? {} : { settlement: settlementFromJson(json.settlement) }),
    ...(json.requestDigest === undefined ? {} : { requestDigest: text(json.requestDigest) }),
  };
}

function itemFromJson(value: unknown): LineItemEntry {
  const json = record(value);
  const kind = text(json.kind);
  if (!KIND_SET.has(kind)) {
    throw new TypeError('line item kind');
  }
  return {
    kind: kind as LineItemKind,
    transactionUid: text(json.transactionUid),
    value: integer(json.value),
    ...(json.receiptedValue === undefined ? {} : { receiptedValue: integer(json.receiptedValue) }),
  };
}

function settlementFromJson(value: unknown): Settlement {
  const json = record(value);
  const kind = text(json.kind);
  if (!SETTLEMENT_KINDS.has(kind)) {
    throw new TypeError('settlement kind');
  }
  return {
    kind: kind as SettlementKind,
    value: integer(json.value),
    receiptedValue: integer(json.receiptedValue),
    timeMs: time(json.timeMs),
    ...(json.idempotencyKey === undefined ? {} : { idempotencyKey: text(json.idempotencyKey) }),
  };
}
