/**
 * Public keys as text: `<algorithm>:<base64url>`, and their short fingerprints.
 *
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { base64UrlDecode, base64UrlEncode, concatBytes, utf8Encode } from './encoding.js';

/** The key algorithms Acquire uses: Ed25519 to sign (RFC 8032), X25519 to agree keys (RFC 7748). */
export type KeyAlgorithm = 'ed25519' | 'x25519';

/** Both algorithms use 32-byte public keys. */
export const PUBLIC_KEY_BYTES = 32;

/** A fingerprint keeps 16 bytes (128 bits) of SHA-256: enough to pin a key, short to read. */
const FINGERPRINT_BYTES = 16;

/**
 * Writes a public key as `<algorithm>:<base64url>`.
 *
 * @param algorithm - the key's algorithm
 * @param publicKey - the 32 raw key bytes
 * @returns the text form, for example `ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo`
 */
export function encodePublicKey(algorithm: KeyAlgorithm, publicKey: Uint8Array): string {
  return `${algorithm}:${base64UrlEncode(publicKey)}`;
}

/**
 * Reads a public key written by {@link encodePublicKey}.
 *
 * @param algorithm - the algorithm the key must have
 * @param text - the text form
 * @returns the 32 raw key bytes
 * @throws AcquireError `MALFORMED_DATA` when the text is not a key of that algorithm
 */
export function decodePublicKey(algorithm: KeyAlgorithm, text: string): Uint8Array {
  const prefix = `${algorithm}:`;
  if (typeof text !== 'string' || !text.startsWith(prefix)) {
    throw new AcquireError(ErrorCode.MALFORMED_DATA, `public key is not an ${algorithm} key`);
  }

  const bytes = base64UrlDecode(text.slice(prefix.length), `${algorithm} public key`);
  if (bytes.length !== PUBLIC_KEY_BYTES) {
    throw new AcquireError(
      ErrorCode.MALFORMED_DATA,
      `${algorithm} public key must be ${PUBLIC_KEY_BYTES} bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}

/**
 * A short, stable name for a public key: base64url of the first 16 bytes of
 * SHA-256 over the algorithm name and key bytes.
 *
 * @param algorithm - the key's algorithm
 * @param publicKey - the 32 raw key bytes
 * @returns 22 characters of base64url
 */
export function fingerprint(algorithm: KeyAlgorithm, publicKey: Uint8Array): string {
  const digest = sha256(concatBytes(utf8Encode(`${algorithm}:`), publicKey));
  return base64UrlEncode(digest.subarray(0, FINGERPRINT_BYTES));
}
