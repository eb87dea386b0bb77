/**
 * Ed25519 signatures (RFC 8032) through @noble/ed25519.
 *
 * @module
 */

import * as ed25519 from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { randomBytes } from './random.js';

// The synchronous API needs a SHA-512 implementation; @noble/hashes provides one that works
// in every runtime without Web Crypto's async digest.
ed25519.hashes.sha512 = sha512;

/** An Ed25519 private seed is 32 bytes (RFC 8032 §5.1.5). */
export const SIGNING_SECRET_BYTES = 32;

/** An Ed25519 signature is 64 bytes (RFC 8032 §5.1.6). */
export const SIGNATURE_BYTES = 64;

/** An Ed25519 key pair. The secret key is the 32-byte seed. */
export interface SigningKeyPair {
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
  /** The 32-byte secret seed; keep it sealed at rest. */
  readonly secretKey: Uint8Array;
}

/**
 * Makes a new Ed25519 key pair from the randomness module.
 *
 * @returns a fresh key pair
 */
export function generateSigningKeyPair(): SigningKeyPair {
  const secretKey = randomBytes(SIGNING_SECRET_BYTES);
  return { publicKey: ed25519.getPublicKey(secretKey), secretKey };
}

/**
 * Recomputes the public key of an Ed25519 secret seed.
 *
 * @param secretKey - the 32-byte seed
 * @returns the 32-byte public key
 * @throws AcquireError `MALFORMED_DATA` when the seed is not 32 bytes
 */
export function signingPublicKey(secretKey: Uint8Array): Uint8Array {
  assertLength(secretKey, SIGNING_SECRET_BYTES, 'signing secret key');
  return ed25519.getPublicKey(secretKey);
}

/**
 * Signs a message.
 *
 * @param message - the bytes to sign
 * @param secretKey - the 32-byte seed
 * @returns the 64-byte signature
 */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertLength(secretKey, SIGNING_SECRET_BYTES, 'signing secret key');
  return ed25519.sign(message, secretKey);
}

/**
 * Tells whether a signature is valid. Malformed keys or signatures are simply invalid.
 *
 * @param signature - the 64-byte signature
 * @param message - the signed bytes
 * @param publicKey - the signer's 32-byte public key
 * @returns true only for a valid signature
 */
export function isValidSignature(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== 32) {
    return false;
  }
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/**
 * Checks a signature and throws when it is not valid.
 *
 * @param signature - the 64-byte signature
 * @param message - the signed bytes
 * @param publicKey - the signer's 32-byte public key
 * @throws AcquireError `INVALID_SIGNATURE` when the signature does not verify
 */
export function assertValidSignature(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): void {
  if (!isValidSignature(signature, message, publicKey)) {
    throw new AcquireError(ErrorCode.INVALID_SIGNATURE, 'signature does not verify');
  }
}

function assertLength(bytes: Uint8Array, length: number, label: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new AcquireError(ErrorCode.MALFORMED_DATA, `${label} must be ${length} bytes`);
  }
}
