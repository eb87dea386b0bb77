import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import { utf8Encode } from './encoding.js';
import { decodePublicKey, encodePublicKey, fingerprint } from './public-key.js';
import {
  assertValidSignature,
  generateSigningKeyPair,
  isValidSignature,
  sign,
  signingPublicKey,
} from './signing.js';

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

describe('Ed25519', () => {
  it('matches RFC 8032 §7.1 test 2', () => {
    const secretKey = hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
    const publicKey = hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
    const signature = hex(
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
        '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    );

    expect(signingPublicKey(secretKey)).toEqual(publicKey);
    expect(sign(Uint8Array.of(0x72), secretKey)).toEqual(signature);
    expect(isValidSignature(signature, Uint8Array.of(0x72), publicKey)).toBe(true);
  });

  it('verifies its own signatures and refuses any single-bit change', () => {
    const keys = generateSigningKeyPair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (message, bit) => {
        const signature = sign(message, keys.secretKey);
        expect(isValidSignature(signature, message, keys.publicKey)).toBe(true);

        const tampered = signature.slice();
        const index = (bit >> 3) % tampered.length;
        tampered[index] = (tampered[index] as number) ^ (1 << (bit & 7));
        expect(isValidSignature(tampered, message, keys.publicKey)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a signature under another key with INVALID_SIGNATURE', () => {
    const alice = generateSigningKeyPair();
    const mallory = generateSigningKeyPair();
    const message = utf8Encode('pay 10 to mallory');
    const signature = sign(message, mallory.secretKey);

    expect(() => assertValidSignature(signature, message, alice.publicKey)).toThrow(
      expect.objectContaining({ code: 'INVALID_SIGNATURE' }),
    );
  });

  it('treats malformed signatures and keys as invalid rather than crashing', () => {
    const keys = generateSigningKeyPair();
    const message = utf8Encode('m');

    expect(isValidSignature(new Uint8Array(63), message, keys.publicKey)).toBe(false);
    expect(isValidSignature(new Uint8Array(64), message, new Uint8Array(31))).toBe(false);
    expect(isValidSignature(new Uint8Array(64), message, new Uint8Array(32).fill(0xff))).toBe(
      false,
    );
    expect(() => sign(message, new Uint8Array(31))).toThrow(AcquireError);
  });
});

describe('public key text', () => {
  it('round-trips and fingerprints deterministically', () => {
    const { publicKey } = generateSigningKeyPair();
    const text = encodePublicKey('ed25519', publicKey);

    expect(text.startsWith('ed25519:')).toBe(true);
    expect(decodePublicKey('ed25519', text)).toEqual(publicKey);
    expect(fingerprint('ed25519', publicKey)).toBe(fingerprint('ed25519', publicKey));
    expect(fingerprint('ed25519', publicKey)).not.toBe(fingerprint('x25519', publicKey));
    expect(fingerprint('ed25519', publicKey)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses another algorithm, a wrong length and bad text', () => {
    const text = encodePublicKey('ed25519', generateSigningKeyPair().publicKey);
    for (const [algorithm, bad] of [
      ['x25519', text],
      ['ed25519', 'ed25519:AAAA'],
      ['ed25519', 'ed25519:!!'],
      ['ed25519', text.slice('ed25519:'.length)],
    ] as const) {
      expect(() => decodePublicKey(algorithm, bad)).toThrow(
        expect.objectContaining({ code: 'MALFORMED_DATA' }),
      );
    }
  });
});
