import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidKey } from '../store/keys.js';
import { ACCOUNT_NAME_LENGTH_MAX_BYTES } from './accounts.js';
import { LINE_ITEM_KINDS, lineItemKey, parseLineItemKey } from './line-items.js';
import {
  accountNameKey,
  decodeSegment,
  encodeSegment,
  expiryKey,
  parseExpiryKey,
  utcDay,
} from './store-layout.js';

/** Names as accounts allow them: up to 64 bytes of UTF-8. */
const name = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 16 })
  .filter((text) => new TextEncoder().encode(text).length <= ACCOUNT_NAME_LENGTH_MAX_BYTES);

describe('store layout', () => {
  it('encodes each name as one safe segment that decodes back, never two as one', () => {
    fc.assert(
      fc.property(name, name, (left, right) => {
        const key = accountNameKey(left, right);
        expect(isValidKey(key)).toBe(true);
        expect(key.split('/')).toHaveLength(3);
        expect(decodeSegment(encodeSegment(left))).toBe(left);
        if (left !== right) {
          expect(encodeSegment(left)).not.toBe(encodeSegment(right));
        }
      }),
    );
    expect(encodeSegment('..')).toBe('%2E%2E');
    expect(encodeSegment('a/b')).toBe('a%2Fb');
  });

  it('writes line items as keys that read back to the same item, sorted by time', () => {
    const item = fc.record(
      {
        accountUid: fc.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        timeMs: fc.integer({ min: 0, max: 9_999_999_999_999 }),
        transactionUid: fc.stringMatching(/^[A-Za-z0-9_-]{22}(\.[1-9]\d{0,2})?$/),
        kind: fc.constantFrom(...LINE_ITEM_KINDS),
        value: fc.bigInt({ min: 0n, max: 10n ** 18n }),
        receiptedValue: fc.bigInt({ min: 0n, max: 10n ** 18n }),
      },
      { requiredKeys: ['accountUid', 'timeMs', 'transactionUid', 'kind', 'value'] },
    );
    fc.assert(
      fc.property(item, (value) => {
        const { receiptedValue, ...rest } = value;
        const entry = rest.kind.endsWith('_receipt')
          ? { ...rest, receiptedValue: receiptedValue ?? 0n }
          : rest;
        const key = lineItemKey(entry);
        expect(isValidKey(key)).toBe(true);
        expect(parseLineItemKey(key)).toEqual(entry);
      }),
    );
    const early = lineItemKey({
      accountUid: 'a',
      timeMs: 999,
      transactionUid: 'z',
      kind: 'debit',
      value: 1n,
    });
    const late = lineItemKey({
      accountUid: 'a',
      timeMs: 1000,
      transactionUid: 'a',
      kind: 'debit',
      value: 1n,
    });
    expect(early < late).toBe(true);
    expect(parseLineItemKey('accounts/a/1970-01-01/0000000000999~z~gift~1')).toBeUndefined();
    expect(parseLineItemKey('accounts/a/1970-01-02/0000000000999~z~debit~1')).toBeUndefined();
  });

  it('knows UTC days and expiry keys', () => {
    expect(utcDay(Date.UTC(2026, 0, 1, 23, 59, 59, 999))).toBe('2026-01-01');
    expect(utcDay(Date.UTC(2026, 0, 2))).toBe('2026-01-02');
    expect(utcDay(Date.UTC(2026, 0, 1, 12))).toBe('2026-01-01');
    expect(parseExpiryKey(expiryKey('p', 1234, 't.1'))).toEqual({
      expiresAtMs: 1234,
      transactionUid: 't.1',
    });
  });
});
