import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import {
  base64UrlDecode,
  base64UrlEncode,
  bytesEqual,
  concatBytes,
  utf8Decode,
  utf8Encode,
} from './encoding.js';

describe('base64url', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(base64UrlDecode(base64UrlEncode(bytes))).toEqual(bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips large inputs', () => {
    const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => i & 0xff);

    expect(bytesEqual(base64UrlDecode(base64UrlEncode(bytes)), bytes)).toBe(true);
  });

  it('matches RFC 4648 test vectors without padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, encoded] of vectors) {
      expect(base64UrlEncode(utf8Encode(text))).toBe(encoded);
    }
    expect(base64UrlEncode(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
  });

  it('refuses padding, standard alphabet, impossible lengths and non-canonical tails', () => {
    for (const text of ['Zg==', 'a+b/', 'Z', 'Zh', 'Zm9=', ' Zg', 'Zg\n', '-_9']) {
      expect(() => base64UrlDecode(text)).toThrow(AcquireError);
    }
  });

  it('refuses any string outside the alphabet', () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => /[^A-Za-z0-9_-]/.test(text)),
        (text) => {
          expect(() => base64UrlDecode(text)).toThrow(AcquireError);
        },
      ),
    );
  });
});

describe('utf8', () => {
  it('round-trips any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(utf8Decode(utf8Encode(text))).toBe(text);
      }),
    );
  });

  it('refuses invalid UTF-8 with MALFORMED_DATA', () => {
    expect(() => utf8Decode(Uint8Array.of(0xc3))).toThrow(
      expect.objectContaining({ code: 'MALFORMED_DATA' }),
    );
  });
});

describe('bytes', () => {
  it('compares and joins', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(
      Uint8Array.of(1, 2, 3),
    );
  });
});
