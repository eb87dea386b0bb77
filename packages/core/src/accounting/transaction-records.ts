/**
 * Transaction records as stored at `transactions/<uid>`: the two sides of a transfer, its state
 * and any settlement (receipt, release or refund). Values are micro-units in memory and decimal
 * integer text at rest.
 *
 * @module
 */

import * as v from 'valibot';
import { decodeJson, encodeJson } from '../store/json.js';
import type { ObjectStore } from '../store/object-store.js';
import { transactionKey } from './store-layout.js';

/**
 * The states of a transaction record. A perform commits by writing its batch's first record,
 * `direct` or `provisional`, once every account it changes carries its marker; a perform
 * interrupted before that point is rolled back by writing the record `aborted` instead.
 * Settlements move a record through `receipting`, `releasing` or `refunding` to `receipted`,
 * `released` or `refunded`.
 */
export const TRANSACTION_STATES = [
  'direct',
  'provisional',
  'receipting',
  'receipted',
  'releasing',
  'released',
  'refunding',
  'refunded',
  'aborted',
] as const;

/** One of {@link TRANSACTION_STATES}. */
export type TransactionState = (typeof TRANSACTION_STATES)[number];

/** What settles a transaction: a receipt or release if provisional, a refund if direct. */
export type SettlementKind = 'receipt' | 'release' | 'refund';

/** A settlement as recorded. */
export interface Settlement {
  /** What kind of settlement. */
  readonly kind: SettlementKind;
  /** The value settled, in micro-units: the provisional value, or the value refunded. */
  readonly value: bigint;
  /** The value paid, in micro-units: up to `value` for a receipt, 0 for a release. */
  readonly receiptedValue: bigint;
  /** When the settlement was made, in ms since the epoch. */
  readonly timeMs: number;
  /** The caller's idempotency key, when one was given. */
  readonly idempotencyKey?: string;
}

/** One transfer of a perform. */
export interface TransactionLeg {
  /** The account paying. */
  readonly debitAccountUid: string;
  /** The account paid. */
  readonly creditAccountUid: string;
  /** The value, in micro-units. */
  readonly value: bigint;
  /** What the transfer is for. */
  readonly description: string;
}

/** A transaction record that was performed (in any state but `aborted`). */
export interface PerformedRecord extends TransactionLeg {
  /** The transaction's uid. */
  readonly uid: string;
  /** The uid of the first transaction of its batch. */
  readonly batchUid: string;
  /** Its place in the batch, from 0. */
  readonly batchIndex: number;
  /** How many transactions the batch has. */
  readonly batchSize: number;
  /** The state. */
  readonly state: Exclude<TransactionState, 'aborted'>;
  /** Whether the value is held (provisional) rather than paid (direct). */
  readonly provisional: boolean;
  /** When it was performed, in ms since the epoch. */
  readonly timeMs: number;
  /** When an unreceipted provisional transaction is released. */
  readonly expiresAtMs?: number;
  /** The digest of an idempotent request, to refuse a repeat with other arguments. */
  readonly requestDigest?: string;
  /** On the first record of a batch of several: every transaction of the batch, in order. */
  readonly batch?: readonly TransactionLeg[];
  /**
   * On the first record of a batch: the accounts on which the change took effect later than
   * `timeMs` (their heads held a later change already), with the time it took effect there.
   */
  readonly effectiveTimesMs?: Readonly<Record<string, number>>;
  /** The settlement, once one has begun. */
  readonly settlement?: Settlement;
}

/** A perform that was interrupted before it took effect and was rolled back. */
export interface AbortedRecord {
  /** The batch's uid. */
  readonly uid: string;
  /** Always `aborted`. */
  readonly state: 'aborted';
  /** When it was rolled back, in ms since the epoch. */
  readonly timeMs: number;
  /** Why, for people. */
  readonly reason: string;
  /** The digest of an idempotent request, when known. */
  readonly requestDigest?: string;
  /** Set when an idempotent perform was refused by an account's limits: the refusal it keeps. */
  readonly refusal?: {
    /** `INSUFFICIENT_FUNDS` or `DAILY_LIMIT_EXCEEDED`. */
    readonly code: 'INSUFFICIENT_FUNDS' | 'DAILY_LIMIT_EXCEEDED';
    /** The paying account whose limit refused it. */
    readonly accountUid: string;
  };
}

/** Any transaction record. */
export type TransactionRecordData = PerformedRecord | AbortedRecord;

/** Time fields are whole non-negative milliseconds. */
const TIME_SCHEMA = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const MICRO_SCHEMA = v.pipe(v.string(), v.regex(/^(0|[1-9]\d{0,30})$/));

const LEG_SCHEMA = v.object({
  debitAccountUid: v.string(),
  creditAccountUid: v.string(),
  value: MICRO_SCHEMA,
  description: v.string(),
});

const SETTLEMENT_SCHEMA = v.object({
  kind: v.picklist(['receipt', 'release', 'refund']),
  value: MICRO_SCHEMA,
  receiptedValue: MICRO_SCHEMA,
  timeMs: TIME_SCHEMA,
  idempotencyKey: v.optional(v.string()),
});

const RECORD_SCHEMA = v.variant('state', [
  v.object({
    uid: v.string(),
    state: v.literal('aborted'),
    timeMs: TIME_SCHEMA,
    reason: v.string(),
    requestDigest: v.optional(v.string()),
    refusal: v.optional(
      v.object({
        code: v.picklist(['INSUFFICIENT_FUNDS', 'DAILY_LIMIT_EXCEEDED']),
        accountUid: v.string(),
      }),
    ),
  }),
  v.object({
    ...LEG_SCHEMA.entries,
    uid: v.string(),
    batchUid: v.string(),
    batchIndex: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
    batchSize: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
    state: v.picklist(TRANSACTION_STATES.filter((state) => state !== 'aborted')),
    provisional: v.boolean(),
    timeMs: TIME_SCHEMA,
    expiresAtMs: v.optional(TIME_SCHEMA),
    requestDigest: v.optional(v.string()),
    batch: v.optional(v.array(LEG_SCHEMA)),
    effectiveTimesMs: v.optional(v.record(v.string(), TIME_SCHEMA)),
    settlement: v.optional(SETTLEMENT_SCHEMA),
  }),
]);

/**
 * Reads a transaction record.
 *
 * @param store - the store
 * @param uid - the transaction uid
 * @returns the record and its version, or undefined when there is none
 * @throws AcquireError `CORRUPT_RECORD` when the stored record is malformed
 */
export async function readTransactionRecord(
  store: ObjectStore,
  uid: string,
): Promise<{ readonly record: TransactionRecordData; readonly version: string } | undefined> {
  const key = transactionKey(uid);
  const stored = await store.read(key);
  if (stored === undefined) {
    return undefined;
  }
  const json = decodeJson(stored.value, key, (value) => v.parse(RECORD_SCHEMA, value));
  return { record: fromJson(json), version: stored.version };
}

/**
 * Serialises a transaction record.
 *
 * @param record - the record
 * @returns its JSON bytes
 */
export function encodeTransactionRecord(record: TransactionRecordData): Uint8Array {
  if (record.state === 'aborted') {
    return encodeJson(record);
  }
  return encodeJson({
    ...record,
    value: record.value.toString(),
    ...(record.batch === undefined ? {} : { batch: record.batch.map(legToJson) }),
    ...(record.settlement === undefined
      ? {}
      : {
          settlement: {
            ...record.settlement,
            value: record.settlement.value.toString(),
            receiptedValue: record.settlement.receiptedValue.toString(),
          },
        }),
  });
}

function legToJson(leg: TransactionLeg): v.InferOutput<typeof LEG_SCHEMA> {
  return { ...leg, value: leg.value.toString() };
}

type RecordJson = v.InferOutput<typeof RECORD_SCHEMA>;

function fromJson(json: RecordJson): TransactionRecordData {
  if (json.state === 'aborted') {
    return json;
  }
  const { batch, settlement, value, state, ...rest } = json;
  return {
    ...rest,
    state,
    value: BigInt(value),
    ...(batch === undefined ? {} : { batch: batch.map(legFromJson) }),
    ...(settlement === undefined
      ? {}
      : {
          settlement: {
            ...settlement,
            value: BigInt(settlement.value),
            receiptedValue: BigInt(settlement.receiptedValue),
          },
        }),
  };
}

function legFromJson(json: v.InferOutput<typeof LEG_SCHEMA>): TransactionLeg {
  return { ...json, value: BigInt(json.value) };
}

/**
 * The state a settlement of this kind moves a record to while it is under way, and when done.
 *
 * @param kind - the settlement kind
 * @returns the in-flight and final states
 */
export function settlementStates(kind: SettlementKind): {
  readonly during: TransactionState;
  readonly done: TransactionState;
} {
  switch (kind) {
    case 'receipt':
      return { during: 'receipting', done: 'receipted' };
    case 'release':
      return { during: 'releasing', done: 'released' };
    case 'refund':
      return { during: 'refunding', done: 'refunded' };
  }
}

/**
 * Tells whether a record's settlement has finished.
 *
 * @param state - a record state
 * @returns true for `receipted`, `released` and `refunded`
 */
export function isSettled(state: TransactionState): boolean {
  return state === 'receipted' || state === 'released' || state === 'refunded';
}
