import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from './encoding.js';
import {
  encryptionPublicKey,
  generateEncryptionKeyPair,
  openSealedBox,
  SEALED_BOX_OVERHEAD_BYTES,
  sealToPublicKey,
} from './sealed-box.js';

describe('sealed boxes', () => {
  const recipient = generateEncryptionKeyPair();

  it('round-trip any message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (message) => {
        const box = sealToPublicKey(message, recipient.publicKey);
        expect(box.length).toBe(message.length + SEALED_BOX_OVERHEAD_BYTES);
        expect(openSealedBox(box, recipient)).toEqual(message);
      }),
      { numRuns: 200 },
    );
  });

  it('seal the same message differently each time', () => {
    const message = utf8Encode('same');

    expect(sealToPublicKey(message, recipient.publicKey)).not.toEqual(
      sealToPublicKey(message, recipient.publicKey),
    );
  });

  it('refuse any altered byte with DECRYPTION_FAILED or MALFORMED_DATA', () => {
    const box = sealToPublicKey(utf8Encode('attack at dawn'), recipient.publicKey);
    for (let index = 0; index < box.length; index++) {
      const tampered = box.slice();
      tampered[index] = (tampered[index] as number) ^ 0x01;
      expect(() => openSealedBox(tampered, recipient)).toThrow(
        expect.objectContaining({ code: index === 0 ? 'MALFORMED_DATA' : 'DECRYPTION_FAILED' }),
      );
    }
  });

  it('refuse a box sealed to another key with DECRYPTION_FAILED', () => {
    const other = generateEncryptionKeyPair();
    const box = sealToPublicKey(utf8Encode('not for you'), other.publicKey);

    expect(() => openSealedBox(box, recipient)).toThrow(
      expect.objectContaining({ code: 'DECRYPTION_FAILED' }),
    );
  });

  it('refuse truncated boxes with MALFORMED_DATA', () => {
    const box = sealToPublicKey(utf8Encode('x'), recipient.publicKey);

    expect(() => openSealedBox(box.subarray(0, SEALED_BOX_OVERHEAD_BYTES - 1), recipient)).toThrow(
      expect.objectContaining({ code: 'MALFORMED_DATA' }),
    );
  });

  it('refuse to seal to a low-order public key', () => {
    expect(() => sealToPublicKey(utf8Encode('x'), new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: 'MALFORMED_DATA' }),
    );
  });

  it('derive the public key from the secret key', () => {
    expect(encryptionPublicKey(recipient.secretKey)).toEqual(recipient.publicKey);
  });
});
