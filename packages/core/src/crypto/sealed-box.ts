/**
 * Anonymous sealed boxes: anyone with a recipient's X25519 public key can seal a message that
 * only the matching secret key opens.
 *
 * Each box uses a fresh ephemeral X25519 key (RFC 7748). HKDF-SHA-256 (RFC 5869) turns the shared
 * secret, bound to both public keys, into an XChaCha20-Poly1305 key and nonce. Layout:
 * `version (1) ‖ ephemeral public key (32) ‖ ciphertext with 16-byte tag`.
 *
 * @module
 */

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { concatBytes, utf8Encode } from './encoding.js';
import { PUBLIC_KEY_BYTES } from './public-key.js';
import { randomBytes } from './random.js';

/** The first byte of every sealed box; a new layout gets a new number. */
const SEALED_BOX_VERSION = 1;

const KEY_BYTES = 32;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + PUBLIC_KEY_BYTES;

/** The smallest possible sealed box: a header and the tag of an empty message. */
export const SEALED_BOX_OVERHEAD_BYTES: number = HEADER_BYTES + TAG_BYTES;

const HKDF_INFO = utf8Encode('acquire/sealed-box/v1');

/** An X25519 key pair for receiving sealed boxes. */
export interface EncryptionKeyPair {
  /** The 32-byte public key; share it. */
  readonly publicKey: Uint8Array;
  /** The 32-byte secret key; keep it sealed at rest. */
  readonly secretKey: Uint8Array;
}

/**
 * Makes a new X25519 key pair from the randomness module.
 *
 * @returns a fresh key pair
 */
export function generateEncryptionKeyPair(): EncryptionKeyPair {
  const secretKey = randomBytes(KEY_BYTES);
  return { publicKey: x25519.getPublicKey(secretKey), secretKey };
}

/**
 * Recomputes the public key of an X25519 secret key.
 *
 * @param secretKey - the 32-byte secret key
 * @returns the 32-byte public key
 */
export function encryptionPublicKey(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

/**
 * Seals a message to a recipient.
 *
 * @param message - the plaintext
 * @param recipientPublicKey - the recipient's 32-byte X25519 public key
 * @returns the sealed box
 * @throws AcquireError `MALFORMED_DATA` when the public key is unusable
 */
export function sealToPublicKey(message: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  const ephemeral = generateEncryptionKeyPair();
  const shared = agreeKey(ephemeral.secretKey, recipientPublicKey, ErrorCode.MALFORMED_DATA);
  const { key, nonce } = deriveBoxKey(shared, ephemeral.publicKey, recipientPublicKey);
  const header = concatBytes(Uint8Array.of(SEALED_BOX_VERSION), ephemeral.publicKey);
  const ciphertext = xchacha20poly1305(key, nonce, header).encrypt(message);

  return concatBytes(header, ciphertext);
}

/**
 * Opens a sealed box.
 *
 * @param box - the sealed box
 * @param recipient - the recipient's key pair
 * @returns the plaintext
 * @throws AcquireError `MALFORMED_DATA` when the box is too short or of an unknown version
 * @throws AcquireError `DECRYPTION_FAILED` when the box was altered or sealed to another key
 */
export function openSealedBox(box: Uint8Array, recipient: EncryptionKeyPair): Uint8Array {
  if (box.length < SEALED_BOX_OVERHEAD_BYTES || box[0] !== SEALED_BOX_VERSION) {
    throw new AcquireError(ErrorCode.MALFORMED_DATA, 'sealed box is malformed');
  }

  const header = box.subarray(0, HEADER_BYTES);
  const ephemeralPublicKey = box.subarray(1, HEADER_BYTES);
  const shared = agreeKey(recipient.secretKey, ephemeralPublicKey, ErrorCode.DECRYPTION_FAILED);
  const { key, nonce } = deriveBoxKey(shared, ephemeralPublicKey, recipient.publicKey);

  try {
    return xchacha20poly1305(key, nonce, header).decrypt(box.subarray(HEADER_BYTES));
  } catch (cause) {
    throw new AcquireError(ErrorCode.DECRYPTION_FAILED, 'sealed box does not open', { cause });
  }
}

/** X25519 refuses low-order public keys, whose shared secret would be all zeroes. */
function agreeKey(
  secretKey: Uint8Array,
  peerPublicKey: Uint8Array,
  failureCode: string,
): Uint8Array {
  try {
    return x25519.getSharedSecret(secretKey, peerPublicKey);
  } catch (cause) {
    throw new AcquireError(failureCode, 'public key cannot be used for key agreement', { cause });
  }
}

function deriveBoxKey(
  shared: Uint8Array,
  ephemeralPublicKey: Uint8Array,
  recipientPublicKey: Uint8Array,
): { key: Uint8Array; nonce: Uint8Array } {
  const salt = concatBytes(ephemeralPublicKey, recipientPublicKey);
  const okm = hkdf(sha256, shared, salt, HKDF_INFO, KEY_BYTES + NONCE_BYTES);

  return { key: okm.subarray(0, KEY_BYTES), nonce: okm.subarray(KEY_BYTES) };
}
