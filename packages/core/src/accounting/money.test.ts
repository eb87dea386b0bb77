import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import {
  MONEY_VALUE_MAX,
  Money,
  splitValue,
  TRANSACTION_VALUE_MAX,
  toTransactionValue,
} from './money.js';

const microValues = fc.bigInt({ min: -MONEY_VALUE_MAX.micro, max: MONEY_VALUE_MAX.micro });

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : 'untyped';
  }
}

describe('Money', () => {
  it('prints the shortest exact decimal text and parses it back', () => {
    fc.assert(
      fc.property(microValues, (micro) => {
        const value = Money.fromMicro(micro);
        expect(Money.parse(value.toString(), { sign: 'any' }).micro).toBe(micro);
        expect(value.toString()).not.toMatch(/\.\d*0$/);
      }),
    );
    expect(Money.parse('12.5').toString()).toBe('12.5');
    expect(Money.parse('0.000001').micro).toBe(1n);
    expect(Money.parse('007.10').toString()).toBe('7.1');
    expect(JSON.stringify({ value: Money.parse('3') })).toBe('{"value":"3"}');
  });

  it('adds and subtracts exactly where floats would not', () => {
    const sum = Money.parse('0.1').plus(Money.parse('0.2'));
    expect(sum.toString()).toBe('0.3');
    expect(sum.minus(Money.parse('0.3')).equals(Money.ZERO)).toBe(true);
    expect(Money.parse('1').compare(Money.parse('0.999999'))).toBe(1);
  });

  it('refuses text it would have to round, and anything that is not plain decimal text', () => {
    const bad = [
      '1.0000001',
      '1e3',
      '1E-2',
      'NaN',
      'Infinity',
      '-Infinity',
      ' 1',
      '1 ',
      '+1',
      '.5',
      '5.',
      '',
      '0x10',
      '1,5',
      '١',
    ];
    for (const text of bad) {
      expect(
        codeOf(() => Money.parse(text, { sign: 'any' })),
        text,
      ).toBe('INVALID_MONEY');
    }
    for (const value of [1.5, 1n, null, undefined, {}]) {
      expect(codeOf(() => Money.parse(value))).toBe('INVALID_MONEY');
    }
  });

  it('refuses disallowed negatives and zero, and values past the maximum', () => {
    expect(codeOf(() => Money.parse('-1'))).toBe('INVALID_MONEY');
    expect(codeOf(() => Money.parse('-0'))).toBe('INVALID_MONEY');
    expect(codeOf(() => toTransactionValue('0'))).toBe('INVALID_MONEY');
    expect(codeOf(() => toTransactionValue(TRANSACTION_VALUE_MAX.toString()))).toBeUndefined();
    expect(codeOf(() => toTransactionValue(TRANSACTION_VALUE_MAX.plus(Money.fromMicro(1n))))).toBe(
      'INVALID_MONEY',
    );
    expect(codeOf(() => Money.parse('1000000000000'))).toBe('INVALID_MONEY');
  });

  it('names the argument and the maximum without echoing the value', () => {
    try {
      toTransactionValue('2000000.5', 'transactions[0].value');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('transactions[0].value');
      expect((error as Error).message).toContain('TRANSACTION_VALUE_MAX');
      expect((error as Error).message).not.toContain('2000000.5');
    }
  });
});

describe('splitValue', () => {
  it('splits any sum into the fewest parts within the maximum that add up exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.bigInt({ min: 1n, max: 200n }),
        (total, count) => {
          const max = total / count + 1n;
          const split = splitValue(Money.fromMicro(total), Money.fromMicro(max));
          const micros = split.map((part) => part.micro);
          expect(micros.reduce((left, right) => left + right, 0n)).toBe(total);
          expect(BigInt(split.length)).toBe((total + max - 1n) / max);
          expect(micros.every((micro) => micro > 0n && micro <= max)).toBe(true);
          expect(micros[0]! - micros[micros.length - 1]!).toBeLessThanOrEqual(1n);
        },
      ),
    );
  });

  it('splits into transaction values by default', () => {
    const parts = splitValue(Money.parse('2500000'));
    expect(parts.map(String)).toEqual(['833333.333334', '833333.333333', '833333.333333']);
    expect(codeOf(() => splitValue(Money.ZERO))).toBe('INVALID_MONEY');
  });
});
