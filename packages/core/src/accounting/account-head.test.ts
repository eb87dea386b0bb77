import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../crypto/encoding.js';
import {
  type AccountHead,
  availableToSpend,
  decodeAccountHead,
  encodeAccountHead,
  limitBreach,
  type Marker,
  newAccountHead,
  withMarker,
  withoutMarker,
} from './account-head.js';
import { LINE_ITEM_KINDS } from './line-items.js';

const micro = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n });
const time = fc.integer({ min: 0, max: 9_999_999_999_999 });
const totals = fc.record({ balance: micro, liability: micro, receivable: micro });
const settlement = fc.record(
  {
    kind: fc.constantFrom('receipt' as const, 'release' as const, 'refund' as const),
    value: micro,
    receiptedValue: micro,
    timeMs: time,
    idempotencyKey: fc.string(),
  },
  { requiredKeys: ['kind', 'value', 'receiptedValue', 'timeMs'] },
);
const marker: fc.Arbitrary<Marker> = fc.record(
  {
    op: fc.string({ minLength: 1 }),
    kind: fc.constantFrom('perform' as const, 'settle' as const),
    placedMs: time,
    timeMs: time,
    delta: totals,
    spent: micro,
    items: fc.array(
      fc.record(
        {
          kind: fc.constantFrom(...LINE_ITEM_KINDS),
          transactionUid: fc.string(),
          value: micro,
          receiptedValue: micro,
        },
        { requiredKeys: ['kind', 'transactionUid', 'value'] },
      ),
      { maxLength: 3 },
    ),
    settlement,
    requestDigest: fc.string(),
  },
  { requiredKeys: ['op', 'kind', 'placedMs', 'timeMs', 'delta', 'spent', 'items'] },
);
const head: fc.Arbitrary<AccountHead> = fc.record(
  {
    uid: fc.string(),
    overdraftLimit: micro,
    dailyLimit: micro,
    totals,
    day: fc.string(),
    spentToday: micro,
    opening: totals,
    lastTimeMs: time,
    markers: fc.array(marker, { maxLength: 4 }),
  },
  {
    requiredKeys: [
      'uid',
      'overdraftLimit',
      'totals',
      'day',
      'spentToday',
      'opening',
      'lastTimeMs',
      'markers',
    ],
  },
);

describe('account heads', () => {
  it('read back exactly what was written, whatever text they hold', () => {
    fc.assert(
      fc.property(head, (value) => {
        expect(decodeAccountHead(encodeAccountHead(value), 'k')).toEqual(value);
      }),
    );
  });

  it('refuse stored bytes of any other shape as a corrupt record', () => {
    const valid = JSON.parse(
      new TextDecoder().decode(encodeAccountHead(newAccountHead('a', { overdraftLimit: 1n }, 0))),
    );
    const broken = [
      'not json',
      '[]',
      JSON.stringify({ ...valid, totals: { ...valid.totals, balance: 1.5 } }),
      JSON.stringify({ ...valid, overdraftLimit: '01' }),
      JSON.stringify({ ...valid, lastTimeMs: -1 }),
      JSON.stringify({ ...valid, markers: [{ op: 'x', kind: 'other' }] }),
    ];
    for (const text of broken) {
      expect(() => decodeAccountHead(utf8Encode(text), 'account_heads/a')).toThrow(
        expect.objectContaining({ code: 'CORRUPT_RECORD' }),
      );
    }
  });

  it('undo exactly what a marker applied, and check limits on the result', () => {
    const start = newAccountHead('a', { overdraftLimit: 10n, dailyLimit: 8n }, 0);
    const debit: Marker = {
      op: 'x',
      kind: 'perform',
      placedMs: 0,
      timeMs: 0,
      delta: { balance: -9n, liability: 0n, receivable: 0n },
      spent: 9n,
      items: [],
    };
    const after = withMarker(start, debit);
    expect(limitBreach(after, 'x')).toBe('DAILY_LIMIT_EXCEEDED');
    expect(availableToSpend(start, start.day)).toBe(8n);
    expect(availableToSpend(after, '2099-01-01')).toBe(1n);
    expect(
      limitBreach(
        withMarker(after, {
          ...debit,
          op: 'y',
          spent: 0n,
          delta: { ...debit.delta, balance: -2n },
        }),
        'y',
      ),
    ).toBe('INSUFFICIENT_FUNDS');
    expect(withoutMarker(after, after.markers[0]!, true)).toEqual(start);
  });

  it('count no credit of another uncommitted perform when checking limits', () => {
    const start = newAccountHead('a', { overdraftLimit: 0n }, 0);
    const credit: Marker = {
      op: 'incoming',
      kind: 'perform',
      placedMs: 0,
      timeMs: 0,
      delta: { balance: 5n, liability: 0n, receivable: 0n },
      spent: 0n,
      items: [],
    };
    const debit: Marker = {
      ...credit,
      op: 'outgoing',
      delta: { balance: -5n, liability: 0n, receivable: 0n },
      spent: 5n,
    };
    const spendingIt = withMarker(withMarker(start, credit), debit);
    expect(spendingIt.totals.balance).toBe(0n);
    expect(limitBreach(spendingIt, 'outgoing')).toBe('INSUFFICIENT_FUNDS');

    const settled = withoutMarker(spendingIt, credit, false);
    expect(limitBreach(settled, 'outgoing')).toBeUndefined();
  });
});
