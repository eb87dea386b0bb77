/**
 * Uids of accounts and transactions. A fresh uid is 16 random bytes as base64url; an operation
 * repeated under an idempotency key gets a uid derived from the key, so every repeat names the
 * same transaction record. The transactions of one multi-transaction perform share the first
 * one's uid as their batch uid: `<batch>`, `<batch>.1`, `<batch>.2`…
 *
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/random.js';

/** 128 bits: random uids never collide by chance, and derived ones resist chosen collisions. */
const UID_BYTES = 16;

/** Keeps derived uids of this protocol apart from any other use of the same hash. */
const IDEMPOTENT_UID_CONTEXT = 'acquire/ledger/idempotency/v1\n';

/** A batch or account uid: 22 base64url characters. */
export const LEDGER_UID_PATTERN: RegExp = /^[A-Za-z0-9_-]{22}$/;

/** A transaction uid: a batch uid, then `.<index>` for all but a batch's first transaction. */
export const TRANSACTION_UID_PATTERN: RegExp = /^[A-Za-z0-9_-]{22}(?:\.[1-9][0-9]{0,3})?$/;

/**
 * Makes a new random uid.
 *
 * @returns 22 base64url characters
 */
export function createLedgerUid(): string {
  return base64UrlEncode(randomBytes(UID_BYTES));
}

/**
 * The uid of an operation repeated under an idempotency key: the same key always gives the same
 * uid, and different keys give different uids.
 *
 * @param key - the caller's idempotency key, already scoped to the caller
 * @returns 22 base64url characters
 */
export function idempotentUid(key: string): string {
  return base64UrlEncode(sha256(utf8Encode(IDEMPOTENT_UID_CONTEXT + key)).subarray(0, UID_BYTES));
}

/**
 * The uid of the transaction at `index` in a batch.
 *
 * @param batchUid - the batch's uid (that of its first transaction)
 * @param index - the position in the batch, from 0
 * @returns the transaction uid
 */
export function transactionUidInBatch(batchUid: string, index: number): string {
  return index === 0 ? batchUid : `${batchUid}.${index}`;
}

/**
 * The batch a transaction belongs to.
 *
 * @param transactionUid - a transaction uid
 * @returns the uid of the batch's first transaction
 */
export function batchUidOf(transactionUid: string): string {
  const dot = transactionUid.indexOf('.');
  return dot === -1 ? transactionUid : transactionUid.slice(0, dot);
}
