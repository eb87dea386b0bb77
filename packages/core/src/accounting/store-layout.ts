/**
 * Where the ledger keeps things in the object store. Every key is built here.
 *
 * - `account_groups/<group>/<name>` → `{ uid }`: claims a name in a group, written once.
 * - `account_info/<uid>`: the account's fixed facts (group, name, description, creation time).
 * - `account_heads/<uid>`: running totals, limits and in-flight markers, changed only by CAS.
 * - `account_days/<uid>/<yyyy-mm-dd>`: the totals at the start of a day the account was used.
 * - `accounts/<uid>/<yyyy-mm-dd>/<item>`: immutable line items, kind and values in the key.
 * - `account_expiries/<uid>/<time>~<transaction uid>`: provisional debits that expire.
 * - `transactions/<uid>`: transaction records, whose state changes only by CAS.
 * - `idempotency_keys/<batch uid>`: the request digest an idempotency key was first used with,
 *   written once.
 *
 * Group and account names are percent-encoded into one key segment: every character but ASCII
 * letters, digits, `_` and `-` becomes `%XX` of its UTF-8 bytes, so no name can climb out of its
 * prefix, read as `.` or `..`, or collide with another name.
 *
 * @module
 */

import { utf8Decode, utf8Encode } from '../crypto/encoding.js';

/** Prefix of every account head, listed by `reconcile`. */
export const ACCOUNT_HEADS_PREFIX = 'account_heads';

/** Times in keys are 13-digit milliseconds, which sort correctly until the year 2286. */
export const KEY_TIME_DIGITS = 13;

/** The largest time a key can hold: 13 digits of milliseconds. */
export const KEY_TIME_MS_MAX = 9_999_999_999_999;

/** One day in milliseconds: days are UTC calendar days. */
export const DAY_MS = 86_400_000;

const PLAIN_SEGMENT_CHARACTER = /[A-Za-z0-9_-]/;

/**
 * Encodes any text as one key segment.
 *
 * @param text - a non-empty name
 * @returns the encoded segment
 */
export function encodeSegment(text: string): string {
  let encoded = '';
  for (const character of text) {
    if (PLAIN_SEGMENT_CHARACTER.test(character)) {
      encoded += character;
      continue;
    }
    for (const byte of utf8Encode(character)) {
      encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return encoded;
}

/**
 * Decodes a segment made by {@link encodeSegment}.
 *
 * @param segment - the encoded segment
 * @returns the original text
 */
export function decodeSegment(segment: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < segment.length; index++) {
    const character = segment[index] as string;
    if (character === '%') {
      bytes.push(Number.parseInt(segment.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(character.charCodeAt(0));
    }
  }
  return utf8Decode(Uint8Array.from(bytes));
}

/**
 * The prefix under which a group claims its account names.
 *
 * @param group - the group, normally a user uid
 * @returns the prefix under which a group's names are claimed
 */
export function accountGroupPrefix(group: string): string {
  return `account_groups/${encodeSegment(group)}`;
}

/**
 * The key that claims an account name in a group.
 *
 * @param group - the group
 * @param name - the account name
 * @returns the key that claims the name
 */
export function accountNameKey(group: string, name: string): string {
  return `${accountGroupPrefix(group)}/${encodeSegment(name)}`;
}

/**
 * The key of an account's fixed facts.
 *
 * @param uid - an account uid
 * @returns the key of the account's fixed facts
 */
export function accountInfoKey(uid: string): string {
  return `account_info/${uid}`;
}

/**
 * The key of an account's head: running totals, limits and in-flight markers.
 *
 * @param uid - an account uid
 * @returns the key of the account's head
 */
export function accountHeadKey(uid: string): string {
  return `${ACCOUNT_HEADS_PREFIX}/${uid}`;
}

/**
 * The prefix of an account's day-opening snapshots.
 *
 * @param uid - an account uid
 * @returns the prefix of the account's day-opening snapshots
 */
export function daySnapshotPrefix(uid: string): string {
  return `account_days/${uid}`;
}

/**
 * The key of an account's totals at the start of a day.
 *
 * @param uid - an account uid
 * @param day - a `yyyy-mm-dd` day
 * @returns the key of the totals at the start of that day
 */
export function daySnapshotKey(uid: string, day: string): string {
  return `${daySnapshotPrefix(uid)}/${day}`;
}

/**
 * The prefix of an account's line items.
 *
 * @param uid - an account uid
 * @returns the prefix of the account's line items
 */
export function lineItemPrefix(uid: string): string {
  return `accounts/${uid}`;
}

/**
 * The prefix of an account's expiring provisional debits.
 *
 * @param uid - the paying account's uid
 * @returns the prefix of its expiring provisional debits
 */
export function expiryPrefix(uid: string): string {
  return `account_expiries/${uid}`;
}

/**
 * The key that lists an expiring provisional debit under its payer.
 *
 * @param payerUid - the paying account's uid
 * @param expiresAtMs - when the provisional transaction expires
 * @param transactionUid - the transaction
 * @returns the key that lists the expiry under the payer
 */
export function expiryKey(payerUid: string, expiresAtMs: number, transactionUid: string): string {
  return `${expiryPrefix(payerUid)}/${keyTime(expiresAtMs)}~${transactionUid}`;
}

/**
 * Reads an expiry key.
 *
 * @param key - a key made by {@link expiryKey}
 * @returns when it expires and which transaction, or undefined for a key of another shape
 */
export function parseExpiryKey(
  key: string,
): { readonly expiresAtMs: number; readonly transactionUid: string } | undefined {
  const tail = key.slice(key.lastIndexOf('/') + 1);
  const [time, transactionUid] = tail.split('~');
  if (time === undefined || transactionUid === undefined || !/^\d{13}$/.test(time)) {
    return undefined;
  }
  return { expiresAtMs: Number(time), transactionUid };
}

/**
 * The key of a transaction's record.
 *
 * @param uid - a transaction uid
 * @returns the key of its record
 */
export function transactionKey(uid: string): string {
  return `transactions/${uid}`;
}

/**
 * The key of an idempotency key's claim.
 *
 * @param batchUid - the batch uid derived from the idempotency key
 * @returns the key of its claim
 */
export function idempotencyClaimKey(batchUid: string): string {
  return `idempotency_keys/${batchUid}`;
}

/**
 * Writes a time as a fixed-width key part.
 *
 * @param timeMs - milliseconds since the epoch, from 0 to {@link KEY_TIME_MS_MAX}
 * @returns 13 digits
 */
export function keyTime(timeMs: number): string {
  return String(timeMs).padStart(KEY_TIME_DIGITS, '0');
}

/** The last day {@link utcDay} formatted, and when it starts. */
let lastDay = { day: '', startMs: Number.NEGATIVE_INFINITY };

/**
 * The UTC day a time falls on.
 *
 * @param timeMs - milliseconds since the epoch
 * @returns `yyyy-mm-dd`
 */
export function utcDay(timeMs: number): string {
  // Formatting a date is slow next to a transfer, and nearly every call asks about the same day.
  if (timeMs >= lastDay.startMs && timeMs < lastDay.startMs + DAY_MS) {
    return lastDay.day;
  }
  const day = new Date(timeMs).toISOString().slice(0, 10);
  lastDay = { day, startMs: timeMs - (timeMs % DAY_MS) };
  return day;
}
