/**
 * Crypto figures: Ed25519 sign and verify, sealed boxes of 1 KiB, and the password seal at the
 * default scrypt cost.
 *
 * @module
 */

import {
  generateEncryptionKeyPair,
  generateSigningKeyPair,
  isValidSignature,
  openSealedBox,
  openWithPassword,
  randomBytes,
  SCRYPT_LOG_N_DEFAULT,
  sealToPublicKey,
  sealWithPassword,
  sign,
} from '@acquire/core';
import { measure, section } from './measure.js';

const MESSAGE_BYTES = 1024;

/** Runs the crypto benchmarks. */
export async function benchCrypto(): Promise<void> {
  section('crypto (1 KiB messages)');
  const message = randomBytes(MESSAGE_BYTES);
  const signer = generateSigningKeyPair();
  const signature = sign(message, signer.secretKey);
  const recipient = generateEncryptionKeyPair();

  await measure('Ed25519 sign', () => sign(message, signer.secretKey));
  await measure('Ed25519 verify', () => isValidSignature(signature, message, signer.publicKey));
  await measure('sealed box seal + open', () =>
    openSealedBox(sealToPublicKey(message, recipient.publicKey), recipient),
  );

  section(`password seal (scrypt logN=${SCRYPT_LOG_N_DEFAULT}, r=8, p=1)`);
  const secret = randomBytes(32);
  const sealed = await sealWithPassword(secret, 'a password');
  await measure('seal under password', () => sealWithPassword(secret, 'a password'), 3000);
  await measure('unseal with password', () => openWithPassword(sealed, 'a password'), 3000);
}
