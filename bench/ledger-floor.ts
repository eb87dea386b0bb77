/**
 * The floor under any ledger transfer on a store: the five writes one transfer makes, done
 * directly with no ledger logic but overlapping as the ledger's do, so a figure shows how much
 * of a transfer's time is the store's.
 *
 * @module
 */

import { encodeJson, type ObjectStore } from '@acquire/core';
import { type Measurement, rateOf } from './measure.js';

const EMPTY = new Uint8Array(0);

/** Account-head keys are padded to this length, the length of a real head key. */
const HEAD_KEY_CHARS = 36;

/** Uids are 22 characters of base64url. */
const UID_CHARS = 22;

/** A head and a record of the sizes a transfer writes. */
const FLOOR_TOTALS = { balance: '-1250000', liability: '0', receivable: '0' };
const FLOOR_HEAD = {
  uid: 'u'.repeat(UID_CHARS),
  overdraftLimit: '1000000000000000',
  dailyLimit: null,
  totals: FLOOR_TOTALS,
  day: '2026-01-01',
  spentToday: '1250000',
  opening: FLOOR_TOTALS,
  lastTimeMs: 1_767_225_600_000,
  markers: [
    {
      op: 'o'.repeat(UID_CHARS),
      kind: 'perform',
      placedMs: 1_767_225_600_000,
      timeMs: 1_767_225_600_000,
      delta: FLOOR_TOTALS,
      spent: '1250000',
      items: [{ kind: 'debit', transactionUid: 'o'.repeat(UID_CHARS), value: '1250000' }],
    },
  ],
};
const FLOOR_RECORD = {
  uid: 'o'.repeat(UID_CHARS),
  batchUid: 'o'.repeat(UID_CHARS),
  batchIndex: 0,
  batchSize: 1,
  state: 'direct',
  debitAccountUid: 'p'.repeat(UID_CHARS),
  creditAccountUid: 'q'.repeat(UID_CHARS),
  value: '1250000',
  description: '',
  provisional: false,
  timeMs: 1_767_225_600_000,
};

/**
 * Does the writes of `transfers` transfers directly: the two account heads by compare-and-swap
 * at once, then the record, then the two line items at once, with keys and JSON of the same
 * sizes.
 *
 * @param store - a store not yet used for the floor
 * @param transfers - how many transfers' worth of writes to time
 * @returns the figure, one operation per transfer
 */
export async function measureStoreFloor(
  store: ObjectStore,
  transfers: number,
): Promise<Measurement> {
  const payerKey = 'account_heads/payer'.padEnd(HEAD_KEY_CHARS, '_');
  const payeeKey = 'account_heads/payee'.padEnd(HEAD_KEY_CHARS, '_');
  let payer = await store.write(payerKey, encodeJson(FLOOR_HEAD));
  let payee = await store.write(payeeKey, encodeJson(FLOOR_HEAD));

  const started = performance.now();
  for (let index = 0; index < transfers; index++) {
    const uid = `transfer-${index}`.padEnd(UID_CHARS, '_');
    const record = `transactions/${uid}`;
    [payer, payee] = await Promise.all([
      store.writeIfVersion(payerKey, encodeJson(FLOOR_HEAD), payer),
      store.writeIfVersion(payeeKey, encodeJson(FLOOR_HEAD), payee),
    ]);
    await store.writeIfAbsent(record, encodeJson(FLOOR_RECORD));
    await Promise.all([
      store.writeIfAbsent(lineItemKey('p', uid, 'debit'), EMPTY),
      store.writeIfAbsent(lineItemKey('q', uid, 'credit'), EMPTY),
    ]);
  }
  return rateOf(
    'store floor: the 5 writes of a transfer, done directly',
    transfers,
    performance.now() - started,
  );
}

function lineItemKey(account: string, uid: string, kind: string): string {
  const accountUid = account.repeat(UID_CHARS);
  return `accounts/${accountUid}/2026-01-01/1767225600000~${uid}~${kind}~1250000`;
}
