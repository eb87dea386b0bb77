/**
 * What a perform does to each account and which records it writes, worked out without touching
 * the store. The driver and anyone rolling an interrupted perform forward derive the same plan
 * from the same transactions, so they agree on every change and line item.
 *
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { canonicalJson } from '../service/request-resource.js';
import type { Marker } from './account-head.js';
import { transactionUidInBatch } from './ledger-uids.js';
import {
  addTotals,
  type LineItemEntry,
  lineItemEffect,
  type Totals,
  ZERO_TOTALS,
} from './line-items.js';
import type { PerformedRecord, TransactionLeg } from './transaction-records.js';

/** What a perform asks for, already checked. */
export interface PerformRequest {
  /** The transfers, all applied or none. */
  readonly legs: readonly TransactionLeg[];
  /** Hold the values as provisional rather than paying them. */
  readonly provisional: boolean;
  /** When unreceipted provisional values are released. */
  readonly expiresAtMs?: number;
  /** The caller's idempotency key, already scoped to the caller. */
  readonly idempotencyKey?: string;
}

/** The change a perform makes to one account. */
export interface AccountPlan {
  /** The account. */
  readonly uid: string;
  /** The change to its totals. */
  readonly delta: Totals;
  /** What it adds to the day's spending. */
  readonly spent: bigint;
  /** Its line items. */
  readonly items: readonly LineItemEntry[];
  /** Whether the account pays in this perform, so that its limits are checked. */
  readonly pays: boolean;
}

/**
 * Works out each account's change, sorted by account uid.
 *
 * @param batchUid - the batch uid
 * @param legs - the transfers
 * @param provisional - whether the values are held rather than paid
 * @returns one plan per account
 */
export function planAccounts(
  batchUid: string,
  legs: readonly TransactionLeg[],
  provisional: boolean,
): AccountPlan[] {
  const plans = new Map<
    string,
    { delta: Totals; spent: bigint; items: LineItemEntry[]; pays: boolean }
  >();
  const planOf = (uid: string) => {
    let plan = plans.get(uid);
    if (plan === undefined) {
      plan = { delta: ZERO_TOTALS, spent: 0n, items: [], pays: false };
      plans.set(uid, plan);
    }
    return plan;
  };

  legs.forEach((leg, index) => {
    const transactionUid = transactionUidInBatch(batchUid, index);
    const debit: LineItemEntry = {
      kind: provisional ? 'liability' : 'debit',
      transactionUid,
      value: leg.value,
    };
    const credit: LineItemEntry = {
      kind: provisional ? 'receivable' : 'credit',
      transactionUid,
      value: leg.value,
    };
    const payer = planOf(leg.debitAccountUid);
    payer.delta = addTotals(payer.delta, lineItemEffect(debit));
    payer.spent += leg.value;
    payer.items.push(debit);
    payer.pays = true;
    const payee = planOf(leg.creditAccountUid);
    payee.delta = addTotals(payee.delta, lineItemEffect(credit));
    payee.items.push(credit);
  });

  return [...plans.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([uid, plan]) => ({ uid, ...plan }));
}

/**
 * The marker a perform leaves on one account.
 *
 * @param plan - the account's plan
 * @param batchUid - the batch uid
 * @param placedMs - when the marker is placed
 * @param timeMs - when the change takes effect on the account
 * @param requestDigest - the digest of an idempotent request
 * @returns the marker
 */
export function performMarker(
  plan: AccountPlan,
  batchUid: string,
  placedMs: number,
  timeMs: number,
  requestDigest: string | undefined,
): Marker {
  return {
    op: batchUid,
    kind: 'perform',
    placedMs,
    timeMs,
    delta: plan.delta,
    spent: plan.spent,
    items: plan.items,
    ...(requestDigest === undefined ? {} : { requestDigest }),
  };
}

/**
 * The record that commits a perform: the batch's first transaction, `direct` or `provisional`,
 * holding every transfer of the batch and the time each account's change took effect, so that
 * anyone can write what the perform leaves to write.
 *
 * @param batchUid - the batch uid
 * @param request - the request
 * @param timeMs - when it was performed
 * @param requestDigest - the digest of an idempotent request
 * @param markers - every account's marker, by account uid
 * @returns the record
 */
export function commitRecord(
  batchUid: string,
  request: PerformRequest,
  timeMs: number,
  requestDigest: string | undefined,
  markers: ReadonlyMap<string, Marker>,
): PerformedRecord {
  const first = request.legs[0] as TransactionLeg;
  const shifted = [...markers].filter(([, marker]) => marker.timeMs !== timeMs);
  return {
    uid: batchUid,
    batchUid,
    batchIndex: 0,
    batchSize: request.legs.length,
    state: request.provisional ? 'provisional' : 'direct',
    ...first,
    provisional: request.provisional,
    timeMs,
    ...(request.expiresAtMs === undefined ? {} : { expiresAtMs: request.expiresAtMs }),
    ...(requestDigest === undefined ? {} : { requestDigest }),
    ...(request.legs.length > 1 ? { batch: request.legs } : {}),
    ...(shifted.length === 0
      ? {}
      : { effectiveTimesMs: Object.fromEntries(shifted.map(([uid, m]) => [uid, m.timeMs])) }),
  };
}

/**
 * When a committed perform's change took effect on one of its accounts.
 *
 * @param first - the batch's first record
 * @param accountUid - one of its accounts
 * @returns the time of that account's line items
 */
export function effectiveTimeOn(first: PerformedRecord, accountUid: string): number {
  return first.effectiveTimesMs?.[accountUid] ?? first.timeMs;
}

/**
 * Every transfer of a batch, from its first record.
 *
 * @param first - the batch's first record
 * @returns the transfers in order
 */
export function legsOf(first: PerformedRecord): readonly TransactionLeg[] {
  return first.batch ?? [first];
}

/**
 * The final records of a batch, derived from its first record.
 *
 * @param first - the batch's first record
 * @returns one record per transfer, in order, each `direct` or `provisional`
 */
export function finalRecords(first: PerformedRecord): PerformedRecord[] {
  const state = first.provisional ? 'provisional' : 'direct';
  return legsOf(first).map((leg, index) =>
    index === 0
      ? { ...first, state }
      : {
          uid: transactionUidInBatch(first.batchUid, index),
          batchUid: first.batchUid,
          batchIndex: index,
          batchSize: first.batchSize,
          state,
          debitAccountUid: leg.debitAccountUid,
          creditAccountUid: leg.creditAccountUid,
          value: leg.value,
          description: leg.description,
          provisional: first.provisional,
          timeMs: first.timeMs,
          ...(first.expiresAtMs === undefined ? {} : { expiresAtMs: first.expiresAtMs }),
        },
  );
}

/**
 * A digest of everything a perform asks for, so that a repeat under the same idempotency key
 * with other arguments is refused.
 *
 * @param request - the request
 * @returns base64url SHA-256 of its canonical JSON
 */
export function requestDigest(request: PerformRequest): string {
  const canonical = canonicalJson({
    legs: request.legs.map((leg) => ({ ...leg, value: leg.value.toString() })),
    provisional: request.provisional,
    expiresAtMs: request.expiresAtMs ?? null,
  });
  return base64UrlEncode(sha256(utf8Encode(canonical)));
}
