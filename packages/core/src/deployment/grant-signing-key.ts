/**
 * The access service's grant-signing key: an Ed25519 key of its own, made on first start and
 * kept sealed under the service password, so grants stay valid across restarts and instances.
 *
 * @module
 */

import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import {
  openWithPassword,
  type PasswordSealed,
  sealWithPassword,
} from '../crypto/password-seal.js';
import {
  generateSigningKeyPair,
  type SigningKeyPair,
  signingPublicKey,
} from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { readJson, writeJsonIfAbsent } from '../store/json.js';
import type { ReadyServiceOptions } from './service-options.js';

/** Where the sealed grant-signing key lives in the access service's store. */
export const GRANT_SIGNING_KEY_KEY = 'service/grant-signing-key.json';

interface StoredGrantKey {
  readonly sealed: PasswordSealed;
}

function parseStoredGrantKey(value: unknown): StoredGrantKey {
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as StoredGrantKey).sealed !== 'object'
  ) {
    throw new TypeError('grant signing key record must hold a sealed key');
  }
  return value as StoredGrantKey;
}

/**
 * Opens the grant-signing key, making and storing it first when there is none. Two instances
 * starting at once agree on one key: the write is a write-if-absent, and the loser reads the
 * winner's key.
 *
 * @param options - the service's store, password and scrypt cost
 * @returns the key pair
 * @throws AcquireError `WRONG_PASSWORD` when the service password does not open the stored key,
 *   `CORRUPT_RECORD` when the stored record is malformed, `STORE_UNAVAILABLE` when the winner's
 *   key vanished before it could be read
 */
export async function openGrantSigningKey(options: ReadyServiceOptions): Promise<SigningKeyPair> {
  const stored = await readStoredGrantKey(options);
  if (stored !== undefined) {
    return openStored(stored, options.servicePassword);
  }

  const fresh = generateSigningKeyPair();
  const sealOptions = options.scryptLogN === undefined ? {} : { logN: options.scryptLogN };
  const sealed = await sealWithPassword(
    utf8Encode(base64UrlEncode(fresh.secretKey)),
    options.servicePassword,
    sealOptions,
  );
  try {
    await writeJsonIfAbsent(options.store, GRANT_SIGNING_KEY_KEY, { sealed });
    return fresh;
  } catch (error) {
    if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw error;
    }
  }

  // Another instance stored its key first: use that one, read once, never loop.
  const winner = await readStoredGrantKey(options);
  if (winner === undefined) {
    throw new AcquireError(
      ErrorCode.STORE_UNAVAILABLE,
      'the grant signing key was deleted while it was being made; start the service again',
    );
  }
  return openStored(winner, options.servicePassword);
}

async function readStoredGrantKey(
  options: ReadyServiceOptions,
): Promise<StoredGrantKey | undefined> {
  return (await readJson(options.store, GRANT_SIGNING_KEY_KEY, parseStoredGrantKey))?.value;
}

async function openStored(stored: StoredGrantKey, password: string): Promise<SigningKeyPair> {
  const text = utf8Decode(await openWithPassword(stored.sealed, password));
  const secretKey = base64UrlDecode(text, 'grant signing key');
  return { secretKey, publicKey: signingPublicKey(secretKey) };
}
