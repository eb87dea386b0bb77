import { isValidKey, KEY_SEGMENT_LENGTH_MAX_BYTES } from '@acquire/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSegment,
  ENCODED_NAME_LENGTH_MAX_BYTES,
  encodeKey,
  encodeSegment,
  isHashedName,
  OBJECT_FILE_SUFFIX,
} from './key-names.js';

/** File systems in use limit a name to 255 bytes (ext4, APFS) or UTF-16 units (NTFS). */
const FILE_NAME_BYTES_MAX = 255;

const PORTABLE_NAME = /^[a-z0-9_%+-]+$/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

const segmentArbitrary = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 80 })
  .filter((segment) => !segment.includes('/') && isValidKey(segment));

/** Segments long enough to be hashed: mostly ASCII capitals and two- and three-byte letters. */
const longSegmentArbitrary = fc
  .array(fc.constantFrom('A', 'z', '.', ' ', 'É', '€', '😀'), {
    minLength: 40,
    maxLength: KEY_SEGMENT_LENGTH_MAX_BYTES,
  })
  .map((characters) => truncateToBytes(characters.join(''), KEY_SEGMENT_LENGTH_MAX_BYTES));

function truncateToBytes(text: string, bytesMax: number): string {
  let truncated = '';
  for (const character of text) {
    if (Buffer.byteLength(truncated + character) > bytesMax) {
      break;
    }
    truncated += character;
  }
  return truncated;
}

function assertPortable(name: string): void {
  expect(name).toMatch(PORTABLE_NAME);
  expect(name).not.toMatch(WINDOWS_DEVICE);
  expect(Buffer.byteLength(name) + OBJECT_FILE_SUFFIX.length).toBeLessThanOrEqual(
    FILE_NAME_BYTES_MAX,
  );
  expect(name.length).toBeLessThanOrEqual(ENCODED_NAME_LENGTH_MAX_BYTES);
}

describe('key segment names', () => {
  it('round-trips every valid segment that is not hashed, and hashes the rest', () => {
    fc.assert(
      fc.property(fc.oneof(segmentArbitrary, longSegmentArbitrary), (segment) => {
        const name = encodeSegment(segment);
        assertPortable(name);
        if (isHashedName(name)) {
          expect(decodeSegment(name)).toBeUndefined();
        } else {
          expect(decodeSegment(name)).toBe(segment);
        }
      }),
    );
  });

  it('gives different segments different names, even ignoring case', () => {
    fc.assert(
      fc.property(
        fc.oneof(segmentArbitrary, longSegmentArbitrary),
        fc.oneof(segmentArbitrary, longSegmentArbitrary),
        (left, right) => {
          fc.pre(left !== right);
          expect(encodeSegment(left).toLowerCase()).not.toBe(encodeSegment(right).toLowerCase());
        },
      ),
    );
  });

  it('keeps letters that differ only in case, or in Unicode normalisation, apart', () => {
    const segments = ['A', 'a', 'É', 'é', 'e\u0301', 'ß', 'SS', 'ss', 'ǅ', 'ǆ', 'K', '\u212a'];
    const names = segments.map(encodeSegment);

    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(segments.length);
    expect(encodeSegment('A')).toBe('%41');
    expect(encodeSegment('a')).toBe('a');
  });

  it('escapes dots, slashes of other systems, drive letters and device names', () => {
    const cases: Record<string, string> = {
      '..\\..\\etc': '%2e%2e%5c%2e%2e%5cetc',
      'C:': '%43%3a',
      'trailing.': 'trailing%2e',
      'trailing ': 'trailing%20',
      con: '%63on',
      NUL: '%4e%55%4c',
      lpt1: '%6cpt1',
      'con.txt': 'con%2etxt',
      '~user': '%7euser',
    };
    for (const [segment, name] of Object.entries(cases)) {
      expect(encodeSegment(segment)).toBe(name);
      expect(decodeSegment(name)).toBe(segment);
      assertPortable(name);
    }
  });

  it('refuses names it would not have made', () => {
    for (const name of ['con', 'A', '%4', '%41%', '%2E', '.', '..', 'a.b', 'x+y', '%ff', '%c3']) {
      expect(decodeSegment(name), name).toBeUndefined();
    }
  });

  it('maps a key to directories and an object file', () => {
    expect(encodeKey('users/Zoë/profile')).toEqual({
      directories: ['users', '%5ao%c3%ab'],
      fileName: `profile${OBJECT_FILE_SUFFIX}`,
    });
  });

  it('hashes a long segment into a name that keeps a readable head', () => {
    const segment = 'É'.repeat(KEY_SEGMENT_LENGTH_MAX_BYTES / 2);
    const name = encodeSegment(segment);

    expect(isHashedName(name)).toBe(true);
    expect(name.startsWith('%c3%89%c3%89')).toBe(true);
    expect(name).toMatch(/^(%c3%89)+\+[0-9a-f]{64}$/);
    assertPortable(name);
  });
});
