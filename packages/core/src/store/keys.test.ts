import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../crypto/encoding.js';
import { AcquireError } from '../errors.js';
import {
  assertValidKey,
  compareKeys,
  isKeyUnderPrefix,
  isValidKey,
  KEY_LENGTH_MAX_BYTES,
  KEY_SEGMENT_LENGTH_MAX_BYTES,
} from './keys.js';

function compareUtf8(left: string, right: string): number {
  const a = utf8Encode(left);
  const b = utf8Encode(right);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return (a[i] as number) - (b[i] as number);
    }
  }
  return a.length - b.length;
}

describe('compareKeys', () => {
  it('orders any two well-formed strings as their UTF-8 bytes do', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'grapheme' }),
        (left, right) => {
          expect(Math.sign(compareKeys(left, right))).toBe(Math.sign(compareUtf8(left, right)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('assertValidKey', () => {
  it('throws INVALID_KEY naming the rule', () => {
    const error = (() => {
      try {
        assertValidKey('a//b');
      } catch (caught) {
        return caught;
      }
    })();

    expect(AcquireError.is(error, 'INVALID_KEY')).toBe(true);
    expect((error as Error).message).toContain('empty segments');
  });

  it('accepts keys built from arbitrary non-empty, control-free segments', () => {
    const segment = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .filter(
        (text) => !text.includes('/') && text !== '.' && text !== '..' && !/[\p{Cc}]/u.test(text),
      );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        expect(isValidKey(segments.join('/'))).toBe(true);
      }),
    );
  });

  it('measures keys and segments in UTF-8 bytes exactly, at and past each limit', () => {
    const character = fc.constantFrom('a', 'é', '€', '😀', '/');
    const lengths = (text: string) => ({
      key: utf8Encode(text).length,
      segments: text.split('/').map((segment) => utf8Encode(segment).length),
    });
    fc.assert(
      fc.property(fc.array(character, { minLength: 1, maxLength: 320 }), (characters) => {
        const key = characters.join('').replace(/\/{2,}/g, '/');
        const measured = lengths(key);
        const expected =
          measured.key <= KEY_LENGTH_MAX_BYTES &&
          measured.segments.every((bytes) => bytes > 0 && bytes <= KEY_SEGMENT_LENGTH_MAX_BYTES);
        expect(isValidKey(key)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(isValidKey('😀'.repeat(50))).toBe(true);
    expect(isValidKey(`${'😀'.repeat(50)}a`)).toBe(false);
    expect(isValidKey(`${'€'.repeat(66)}ab`)).toBe(true);
    expect(isValidKey(`${'€'.repeat(66)}abc`)).toBe(false);
  });

  it('refuses non-strings', () => {
    for (const value of [undefined, null, 1, {}, ['a']]) {
      expect(isValidKey(value)).toBe(false);
    }
  });
});

describe('isKeyUnderPrefix', () => {
  it('matches whole segments only', () => {
    expect(isKeyUnderPrefix('a/b/c', 'a/b')).toBe(true);
    expect(isKeyUnderPrefix('a/bc', 'a/b')).toBe(false);
    expect(isKeyUnderPrefix('a/b', 'a/b')).toBe(false);
    expect(isKeyUnderPrefix('anything', '')).toBe(true);
  });
});
