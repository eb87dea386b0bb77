import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../crypto/encoding.js';
import { AcquireError } from '../errors.js';
import { isValidKey, KEY_SEGMENT_LENGTH_MAX_BYTES } from '../store/keys.js';
import { parseUsername, USERNAME_LENGTH_MAX_CHARS } from './usernames.js';

/** The normalisation the module promises, written independently of it. */
function folded(name: string): string {
  const once = (text: string) => text.toUpperCase().toLowerCase().normalize('NFKC');
  return once(once(name.normalize('NFKC').trim().replace(/\s+/gu, ' ')));
}

function tryParse(name: string) {
  try {
    return parseUsername(name);
  } catch (error) {
    expect(AcquireError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    return undefined;
  }
}

const names = fc.oneof(
  fc.string({ minLength: 0, maxLength: 60 }),
  fc.string({ unit: 'grapheme', minLength: 0, maxLength: 60 }),
  fc.string({ unit: 'binary', minLength: 0, maxLength: 60 }),
  fc.constantFrom(
    'Alice',
    'alice',
    'ALICE',
    'a b',
    'a_b',
    'a%20b',
    'x@y.z',
    'x_AT_y_DOT_z',
    'Straße',
    'STRASSE',
    'STRAẞE',
    '..',
    '../x',
  ),
);

describe('usernames', () => {
  it('gives one key to names differing only in case or width, and keeps punctuation apart', () => {
    expect(parseUsername('Alice').key).toBe(parseUsername('alice').key);
    expect(parseUsername('Ａｌｉｃｅ').key).toBe(parseUsername('alice').key);
    expect(parseUsername('  Alice   Smith ').name).toBe('Alice Smith');
    expect(parseUsername('Straße').key).toBe(parseUsername('STRASSE').key);
    expect(parseUsername('STRAẞE').key).toBe(parseUsername('straße').key);
    expect(parseUsername('a b').key).not.toBe(parseUsername('a_b').key);
    expect(parseUsername('x@y.z').key).not.toBe(parseUsername('x_AT_y_DOT_z').key);
    expect(parseUsername('a%20b').key).not.toBe(parseUsername('a b').key);
    expect(parseUsername('../..').key).toBe('%2e%2e%2f%2e%2e');
  });

  it('refuses control characters, blank names and names of the wrong length', () => {
    for (const name of [
      'ab',
      '   ',
      ' a ',
      'a\nbc',
      'ab\u0000c',
      'abc\u200b',
      'a\ud800bc',
      'x'.repeat(USERNAME_LENGTH_MAX_CHARS + 1),
    ]) {
      expect(() => parseUsername(name)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
    expect(parseUsername('x'.repeat(USERNAME_LENGTH_MAX_CHARS)).key).toHaveLength(
      USERNAME_LENGTH_MAX_CHARS,
    );
  });

  it('always yields one valid key segment that cannot leave its prefix', () => {
    fc.assert(
      fc.property(names, (name) => {
        const parsed = tryParse(name);
        if (parsed === undefined) {
          return;
        }
        expect(isValidKey(`accounts/${parsed.key}`)).toBe(true);
        expect(parsed.key).not.toMatch(/[/.A-Z_ ]/);
        expect(utf8Encode(parsed.key).length).toBeLessThanOrEqual(KEY_SEGMENT_LENGTH_MAX_BYTES);
      }),
      { numRuns: 2000 },
    );
  });

  it('merges two names exactly when their folded forms are equal', () => {
    const pairs = fc.oneof(
      fc.tuple(names, names),
      names.map((name) => [name, name.toUpperCase()] as const),
      names.map((name) => [name.toLowerCase(), name.toUpperCase()] as const),
      names.map((name) => [name, ` ${name.replace(/ /g, '_')} `] as const),
    );
    fc.assert(
      fc.property(pairs, ([first, second]) => {
        const one = tryParse(first);
        const two = tryParse(second);
        if (one === undefined || two === undefined) {
          return;
        }
        expect(one.key === two.key).toBe(folded(first) === folded(second));
      }),
      { numRuns: 2000 },
    );
  });
});
