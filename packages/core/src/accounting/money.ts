/**
 * Exact money: whole numbers of micro-units (six decimal places) in a `bigint`, read from and
 * written as decimal strings. Floats never touch a value, and nothing is ever rounded: text with
 * more precision than a micro-unit, or outside the allowed range, is refused.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';

/** Values carry six decimal places: one micro-unit is the smallest amount. */
export const MONEY_DECIMALS = 6;

/** Micro-units in one whole unit (10^{@link MONEY_DECIMALS}). */
export const MICRO_UNITS_PER_UNIT = 1_000_000n;

/** Decimal text longer than this is refused before it is parsed, so no input costs much. */
export const MONEY_TEXT_LENGTH_MAX_CHARS = 40;

const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Where a parsed value may lie relative to zero. */
export type MoneySign = 'positive' | 'non-negative' | 'any';

/** Options for {@link Money.parse}. */
export interface MoneyParseOptions {
  /** Names the value in error messages. @default 'value' */
  readonly label?: string;
  /** Which values are allowed relative to zero. @default 'non-negative' */
  readonly sign?: MoneySign;
  /** The largest magnitude allowed. @default MONEY_VALUE_MAX */
  readonly max?: Money;
  /** Names the maximum in error messages. @default 'MONEY_VALUE_MAX' */
  readonly maxName?: string;
}

/** Text or a {@link Money}: what ledger functions accept wherever a value is asked for. */
export type MoneyInput = Money | string;

/**
 * An exact amount of money. Instances are immutable; arithmetic returns new values.
 *
 * @example
 * ```ts
 * import { Money } from '@acquire/core';
 *
 * const price = Money.parse('12.5');
 * const total = price.plus(Money.parse('0.000001'));
 * total.toString(); // '12.500001'
 * ```
 */
export class Money {
  /** Zero. */
  static readonly ZERO: Money = new Money(0n);

  /** The amount in micro-units (millionths of a unit). */
  readonly micro: bigint;

  private constructor(micro: bigint) {
    this.micro = micro;
  }

  /**
   * Makes a value from micro-units.
   *
   * @param micro - the amount in millionths of a unit
   * @returns the value
   */
  static fromMicro(micro: bigint): Money {
    return micro === 0n ? Money.ZERO : new Money(micro);
  }

  /**
   * Parses decimal text such as `12`, `0.5` or `-3.000001`.
   *
   * @param text - the text; anything that is not a string is refused
   * @param options - label, allowed sign and maximum
   * @returns the value
   * @throws AcquireError `INVALID_MONEY` for anything but plain decimal text with at most six
   *   decimals (no exponent, no `+`, no spaces, no NaN or infinity), a disallowed sign, or a
   *   magnitude past the maximum
   */
  static parse(text: unknown, options: MoneyParseOptions = {}): Money {
    const label = options.label ?? 'value';
    if (typeof text !== 'string' || text.length > MONEY_TEXT_LENGTH_MAX_CHARS) {
      throw invalidMoney(
        label,
        `must be decimal text of at most ${MONEY_TEXT_LENGTH_MAX_CHARS} characters`,
      );
    }
    const match = DECIMAL_PATTERN.exec(text);
    if (match === null) {
      throw invalidMoney(label, 'must be plain decimal text such as 12 or 0.5');
    }

    const [, minus, whole, fraction = ''] = match;
    if (fraction.length > MONEY_DECIMALS) {
      throw invalidMoney(label, `must have at most ${MONEY_DECIMALS} decimal places`);
    }
    const magnitude =
      BigInt(whole as string) * MICRO_UNITS_PER_UNIT + BigInt(fraction.padEnd(MONEY_DECIMALS, '0'));
    const value = Money.fromMicro(minus === '-' ? -magnitude : magnitude);

    return checkRange(value, minus === '-', label, options);
  }

  /**
   * Adds a value.
   *
   * @param other - the value to add
   * @returns the sum
   */
  plus(other: Money): Money {
    return Money.fromMicro(this.micro + other.micro);
  }

  /**
   * Subtracts a value.
   *
   * @param other - the value to subtract
   * @returns the difference
   */
  minus(other: Money): Money {
    return Money.fromMicro(this.micro - other.micro);
  }

  /**
   * Compares with another value.
   *
   * @param other - the other value
   * @returns negative, zero or positive as this is less than, equal to or more than `other`
   */
  compare(other: Money): number {
    return this.micro < other.micro ? -1 : this.micro > other.micro ? 1 : 0;
  }

  /**
   * Tells whether two values are equal.
   *
   * @param other - the other value
   * @returns true when both hold the same number of micro-units
   */
  equals(other: Money): boolean {
    return this.micro === other.micro;
  }

  /**
   * Prints the value as the shortest exact decimal text: `12.5`, `0`, `-0.000001`.
   *
   * @returns decimal text that {@link Money.parse} reads back to an equal value
   */
  toString(): string {
    const negative = this.micro < 0n;
    const magnitude = negative ? -this.micro : this.micro;
    const whole = (magnitude / MICRO_UNITS_PER_UNIT).toString();
    const fraction = (magnitude % MICRO_UNITS_PER_UNIT)
      .toString()
      .padStart(MONEY_DECIMALS, '0')
      .replace(/0+$/, '');
    return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
  }

  /**
   * JSON carries money as decimal text, never as a number.
   *
   * @returns the same text as {@link Money.toString}
   */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * The largest magnitude of any value Acquire accepts as input (limits, balances asked for):
 * just under a trillion units, far beyond any real account yet small enough to read at a glance.
 */
export const MONEY_VALUE_MAX: Money = Money.fromMicro(999_999_999_999_999_999n);

/**
 * One transaction carries a positive value up to this (just under a million units), as the
 * original service did; larger sums are split with {@link splitValue}.
 */
export const TRANSACTION_VALUE_MAX: Money = Money.fromMicro(999_999_999_999n);

/**
 * Turns text or a {@link Money} into a checked value.
 *
 * @param input - text or a value
 * @param options - label, allowed sign and maximum, as for {@link Money.parse}
 * @returns the value
 * @throws AcquireError `INVALID_MONEY` when the value breaks the options
 */
export function toMoney(input: MoneyInput, options: MoneyParseOptions = {}): Money {
  if (input instanceof Money) {
    return checkRange(input, input.micro < 0n, options.label ?? 'value', options);
  }
  return Money.parse(input, options);
}

/**
 * Checks a transaction value: positive and at most {@link TRANSACTION_VALUE_MAX}.
 *
 * @param input - text or a value
 * @param label - names the value in errors
 * @returns the value
 * @throws AcquireError `INVALID_MONEY` when it is not a valid transaction value
 */
export function toTransactionValue(input: MoneyInput, label = 'value'): Money {
  return toMoney(input, {
    label,
    sign: 'positive',
    max: TRANSACTION_VALUE_MAX,
    maxName: 'TRANSACTION_VALUE_MAX',
  });
}

/**
 * Splits a sum into the fewest values of at most `max` each, as equal as possible (they differ
 * by at most one micro-unit), that add up to the sum exactly.
 *
 * @param total - a positive sum
 * @param max - the largest part @default TRANSACTION_VALUE_MAX
 * @returns the parts, largest first
 * @throws AcquireError `INVALID_MONEY` when `total` or `max` is not positive
 * @example
 * ```ts
 * import { Money, splitValue } from '@acquire/core';
 *
 * splitValue(Money.parse('2500000')).map(String);
 * // ['833333.333334', '833333.333333', '833333.333333']
 * ```
 */
export function splitValue(total: Money, max: Money = TRANSACTION_VALUE_MAX): Money[] {
  if (total.micro <= 0n || max.micro <= 0n) {
    throw invalidMoney('total', 'and the largest part must both be positive');
  }
  const count = (total.micro + max.micro - 1n) / max.micro;
  const base = total.micro / count;
  const remainder = total.micro % count;
  const parts: Money[] = [];
  for (let index = 0n; index < count; index++) {
    parts.push(Money.fromMicro(index < remainder ? base + 1n : base));
  }
  return parts;
}

function checkRange(
  value: Money,
  signed: boolean,
  label: string,
  options: MoneyParseOptions,
): Money {
  const sign = options.sign ?? 'non-negative';
  if (sign !== 'any' && (signed || value.micro < 0n)) {
    throw invalidMoney(label, 'must not be negative');
  }
  if (sign === 'positive' && value.micro === 0n) {
    throw invalidMoney(label, 'must be more than zero');
  }
  const max = options.max ?? MONEY_VALUE_MAX;
  const magnitude = value.micro < 0n ? -value.micro : value.micro;
  if (magnitude > max.micro) {
    throw invalidMoney(label, `must be at most ${options.maxName ?? 'MONEY_VALUE_MAX'} (${max})`);
  }
  return value;
}

function invalidMoney(label: string, rule: string): AcquireError {
  return new AcquireError(ErrorCode.INVALID_MONEY, `${label} ${rule}`, { details: { label } });
}
