/**
 * The user account record: who the user is, the user's X25519 key pair with the secret half
 * sealed under the password, and the TOTP secret sealed to the public half. Opening the TOTP
 * secret therefore needs the password, so a copy of the store alone yields neither.
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import {
  openWithPassword,
  type PasswordSealed,
  sealWithPassword,
} from '../crypto/password-seal.js';
import { decodePublicKey, encodePublicKey } from '../crypto/public-key.js';
import {
  type EncryptionKeyPair,
  generateEncryptionKeyPair,
  openSealedBox,
  sealToPublicKey,
} from '../crypto/sealed-box.js';
import { UID_PATTERN } from './uids.js';

/** The current layout of a stored {@link UserAccount}; a new layout gets a new number. */
export const USER_ACCOUNT_VERSION = 1;

/** `active` accounts log in; `disabled` ones are kept but refused. */
export type UserAccountStatus = 'active' | 'disabled';

/** A user account as stored at `accounts/<name>`. */
export interface UserAccount {
  /** Layout version, {@link USER_ACCOUNT_VERSION}. */
  readonly v: 1;
  /** The normalised username as first registered, case kept. */
  readonly username: string;
  /** The user's uid, assigned when the account is created and never changed. */
  readonly userUid: string;
  /** Whether the account may log in. */
  readonly status: UserAccountStatus;
  /** The user's X25519 public key as `x25519:<base64url>`. */
  readonly publicKey: string;
  /** The user's X25519 secret key, sealed under the password. */
  readonly sealedSecretKey: PasswordSealed;
  /** The account's TOTP secret, sealed to {@link UserAccount.publicKey}, as base64url. */
  readonly sealedTotpSecret: string;
  /** When the account was created, in ms since the epoch. */
  readonly createdMs: number;
  /** When the password last changed (or the account was created), in ms since the epoch. */
  readonly passwordChangedMs: number;
}

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** The stored form of {@link PasswordSealed}; `openWithPassword` checks the details again. */
const PASSWORD_SEALED_SCHEMA = v.object({
  v: v.literal(1),
  kdf: v.literal('scrypt'),
  logN: v.pipe(v.number(), v.integer()),
  r: v.pipe(v.number(), v.integer()),
  p: v.pipe(v.number(), v.integer()),
  salt: v.pipe(v.string(), v.regex(BASE64URL_PATTERN)),
  check: v.pipe(v.string(), v.regex(BASE64URL_PATTERN)),
  nonce: v.pipe(v.string(), v.regex(BASE64URL_PATTERN)),
  data: v.pipe(v.string(), v.regex(BASE64URL_PATTERN)),
});

const TIME_MS_SCHEMA = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const USER_ACCOUNT_SCHEMA = v.object({
  v: v.literal(USER_ACCOUNT_VERSION),
  username: v.string(),
  userUid: v.pipe(v.string(), v.regex(UID_PATTERN)),
  status: v.picklist(['active', 'disabled']),
  publicKey: v.pipe(v.string(), v.startsWith('x25519:')),
  sealedSecretKey: PASSWORD_SEALED_SCHEMA,
  sealedTotpSecret: v.pipe(v.string(), v.regex(BASE64URL_PATTERN)),
  createdMs: TIME_MS_SCHEMA,
  passwordChangedMs: TIME_MS_SCHEMA,
});

/**
 * Checks the shape of a stored account; pass it to `readJson` so a bad record becomes
 * `CORRUPT_RECORD`.
 *
 * @param value - parsed JSON
 * @returns the account
 * @throws ValiError when the record does not have the {@link UserAccount} shape
 */
export function parseUserAccount(value: unknown): UserAccount {
  return v.parse(USER_ACCOUNT_SCHEMA, value);
}

/** What {@link sealAccountSecrets} makes: the fields of an account that depend on the password. */
export interface AccountSecrets {
  /** The new public key. */
  readonly publicKey: string;
  /** The new secret key sealed under the password. */
  readonly sealedSecretKey: PasswordSealed;
  /** The TOTP secret sealed to the new public key. */
  readonly sealedTotpSecret: string;
}

/**
 * Makes a fresh key pair, seals its secret half under the password and the TOTP secret to its
 * public half.
 *
 * @param password - the password; never stored
 * @param totpSecret - the base32 TOTP secret
 * @param logN - the scrypt cost
 * @returns the password-dependent fields of an account
 */
export async function sealAccountSecrets(
  password: string,
  totpSecret: string,
  logN: number,
): Promise<AccountSecrets> {
  const keyPair = generateEncryptionKeyPair();
  return {
    publicKey: encodePublicKey('x25519', keyPair.publicKey),
    sealedSecretKey: await sealWithPassword(keyPair.secretKey, password, { logN }),
    sealedTotpSecret: sealSecretTo(totpSecret, keyPair.publicKey),
  };
}

/**
 * Opens the user's key pair with the password.
 *
 * @param account - the stored account
 * @param password - the password to try
 * @returns the key pair
 * @throws AcquireError `WRONG_PASSWORD` when the password does not match; `MALFORMED_DATA` or
 *   `DECRYPTION_FAILED` when the record was damaged
 */
export async function openAccountKeyPair(
  account: UserAccount,
  password: string,
): Promise<EncryptionKeyPair> {
  const secretKey = await openWithPassword(account.sealedSecretKey, password);
  return { publicKey: decodePublicKey('x25519', account.publicKey), secretKey };
}

/**
 * Seals a text secret (a TOTP secret) to a public key.
 *
 * @param secret - the secret text
 * @param publicKey - the recipient's raw X25519 public key
 * @returns the sealed box as base64url
 */
export function sealSecretTo(secret: string, publicKey: Uint8Array): string {
  return base64UrlEncode(sealToPublicKey(utf8Encode(secret), publicKey));
}

/**
 * Opens a text secret sealed by {@link sealSecretTo}.
 *
 * @param sealed - the sealed box as base64url
 * @param keyPair - the recipient's key pair
 * @returns the secret text
 * @throws AcquireError `MALFORMED_DATA` or `DECRYPTION_FAILED` when it does not open
 */
export function openSecret(sealed: string, keyPair: EncryptionKeyPair): string {
  return utf8Decode(openSealedBox(base64UrlDecode(sealed, 'sealed secret'), keyPair));
}
