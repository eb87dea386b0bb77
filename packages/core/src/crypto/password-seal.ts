/**
 * Secrets sealed under a password, for private keys at rest.
 *
 * The password is stretched with scrypt (RFC 7914), a memory-hard function, into 64 bytes: the
 * first half keys XChaCha20-Poly1305, the second half yields a short check value. The check tells
 * a wrong password apart from altered data without decrypting. The scrypt parameters are stored
 * beside the ciphertext, so they can be raised later while old records still open.
 *
 * @module
 */

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AcquireError, ErrorCode } from '../errors.js';
import {
  base64UrlDecode,
  base64UrlEncode,
  bytesEqual,
  concatBytes,
  utf8Encode,
} from './encoding.js';
import { randomBytes } from './random.js';

/** The current layout of a {@link PasswordSealed} record. */
export const PASSWORD_SEAL_VERSION = 1;

/**
 * scrypt cost as log2(N) with r = 8, p = 1. 2^15 costs 32 MiB and about 100–200 ms here: strong
 * against guessing, still quick enough for a login. See `pnpm bench` for this machine's figure.
 */
export const SCRYPT_LOG_N_DEFAULT = 15;

/** The weakest cost accepted when opening: low values exist only to keep tests fast. */
export const SCRYPT_LOG_N_MIN = 10;

/** The strongest cost accepted when opening: 2^20 needs 1 GiB, so a record cannot ask for more. */
export const SCRYPT_LOG_N_MAX = 20;

const SCRYPT_BLOCK_SIZE = 8;
const SCRYPT_PARALLELISM = 1;
const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const KEY_BYTES = 32;
const CHECK_BYTES = 16;
const CHECK_LABEL = utf8Encode('acquire/password-check/v1');
const SEAL_ASSOCIATED_DATA = utf8Encode('acquire/password-seal/v1');

/** Passwords are capped so a caller cannot make the KDF hash megabytes. */
export const PASSWORD_LENGTH_MAX_CHARS = 1024;

/** A secret sealed under a password; plain JSON, safe to store. */
export interface PasswordSealed {
  /** Layout version, {@link PASSWORD_SEAL_VERSION}. */
  readonly v: 1;
  /** The key-derivation function. */
  readonly kdf: 'scrypt';
  /** scrypt cost as log2(N). */
  readonly logN: number;
  /** scrypt block size r. */
  readonly r: number;
  /** scrypt parallelism p. */
  readonly p: number;
  /** base64url salt. */
  readonly salt: string;
  /** base64url check value that tells a wrong password from tampering. */
  readonly check: string;
  /** base64url nonce. */
  readonly nonce: string;
  /** base64url ciphertext with its authentication tag. */
  readonly data: string;
}

/** Options for {@link sealWithPassword}. */
export interface PasswordSealOptions {
  /**
   * scrypt cost as log2(N), between {@link SCRYPT_LOG_N_MIN} and {@link SCRYPT_LOG_N_MAX}.
   * @default SCRYPT_LOG_N_DEFAULT
   */
  logN?: number;
}

/**
 * Seals a secret under a password.
 *
 * @param secret - the bytes to protect
 * @param password - the password; never stored
 * @param options - the scrypt cost
 * @returns a JSON-safe sealed record
 * @throws AcquireError `INVALID_ARGUMENT` for an empty or over-long password or a bad cost
 * @example
 * ```ts
 * import { openWithPassword, sealWithPassword } from '@acquire/core';
 *
 * const sealed = await sealWithPassword(secretKey, 'correct horse battery staple');
 * const again = await openWithPassword(sealed, 'correct horse battery staple');
 * ```
 */
export async function sealWithPassword(
  secret: Uint8Array,
  password: string,
  options: PasswordSealOptions = {},
): Promise<PasswordSealed> {
  const logN = options.logN ?? SCRYPT_LOG_N_DEFAULT;
  assertLogN(logN, ErrorCode.INVALID_ARGUMENT);
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const { key, check } = await stretch(password, salt, logN, SCRYPT_BLOCK_SIZE, SCRYPT_PARALLELISM);

  const data = xchacha20poly1305(key, nonce, SEAL_ASSOCIATED_DATA).encrypt(secret);

  return {
    v: PASSWORD_SEAL_VERSION,
    kdf: 'scrypt',
    logN,
    r: SCRYPT_BLOCK_SIZE,
    p: SCRYPT_PARALLELISM,
    salt: base64UrlEncode(salt),
    check: base64UrlEncode(check),
    nonce: base64UrlEncode(nonce),
    data: base64UrlEncode(data),
  };
}

/**
 * Opens a secret sealed by {@link sealWithPassword}.
 *
 * @param sealed - the sealed record, as read from storage
 * @param password - the password
 * @returns the secret bytes
 * @throws AcquireError `MALFORMED_DATA` when the record is not a sealed record
 * @throws AcquireError `WRONG_PASSWORD` when the password does not match
 * @throws AcquireError `DECRYPTION_FAILED` when the password matches but the data was altered
 */
export async function openWithPassword(
  sealed: PasswordSealed,
  password: string,
): Promise<Uint8Array> {
  const parsed = parseSealed(sealed);
  const { key, check } = await stretch(password, parsed.salt, parsed.logN, parsed.r, parsed.p);

  if (!bytesEqual(check, parsed.check)) {
    throw new AcquireError(ErrorCode.WRONG_PASSWORD, 'password does not match');
  }
  try {
    return xchacha20poly1305(key, parsed.nonce, SEAL_ASSOCIATED_DATA).decrypt(parsed.data);
  } catch (cause) {
    throw new AcquireError(ErrorCode.DECRYPTION_FAILED, 'sealed secret was altered', { cause });
  }
}

/**
 * Tells whether a sealed record uses a weaker cost than the one given, so it should be re-sealed.
 *
 * @param sealed - a sealed record
 * @param logN - the wanted cost
 * @returns true when the record's cost is below `logN`
 */
export function needsReseal(sealed: PasswordSealed, logN: number = SCRYPT_LOG_N_DEFAULT): boolean {
  return sealed.logN < logN;
}

async function stretch(
  password: string,
  salt: Uint8Array,
  logN: number,
  r: number,
  p: number,
): Promise<{ key: Uint8Array; check: Uint8Array }> {
  if (typeof password !== 'string' || password.length === 0) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'password must be a non-empty string');
  }
  if (password.length > PASSWORD_LENGTH_MAX_CHARS) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `password must be at most ${PASSWORD_LENGTH_MAX_CHARS} characters`,
    );
  }

  const derived = await scryptAsync(utf8Encode(password.normalize('NFKC')), salt, {
    N: 2 ** logN,
    r,
    p,
    dkLen: KEY_BYTES * 2,
  });
  const check = sha256(concatBytes(CHECK_LABEL, derived.subarray(KEY_BYTES))).subarray(
    0,
    CHECK_BYTES,
  );

  return { key: derived.subarray(0, KEY_BYTES), check };
}

interface ParsedSealed {
  logN: number;
  r: number;
  p: number;
  salt: Uint8Array;
  check: Uint8Array;
  nonce: Uint8Array;
  data: Uint8Array;
}

function parseSealed(sealed: PasswordSealed): ParsedSealed {
  if (
    typeof sealed !== 'object' ||
    sealed === null ||
    sealed.v !== PASSWORD_SEAL_VERSION ||
    sealed.kdf !== 'scrypt' ||
    sealed.r !== SCRYPT_BLOCK_SIZE ||
    sealed.p !== SCRYPT_PARALLELISM
  ) {
    throw new AcquireError(ErrorCode.MALFORMED_DATA, 'sealed secret has an unknown layout');
  }
  assertLogN(sealed.logN, ErrorCode.MALFORMED_DATA);

  const nonce = base64UrlDecode(sealed.nonce, 'sealed nonce');
  if (nonce.length !== NONCE_BYTES) {
    throw new AcquireError(ErrorCode.MALFORMED_DATA, 'sealed nonce has the wrong length');
  }

  return {
    logN: sealed.logN,
    r: sealed.r,
    p: sealed.p,
    salt: base64UrlDecode(sealed.salt, 'sealed salt'),
    check: base64UrlDecode(sealed.check, 'sealed check'),
    nonce,
    data: base64UrlDecode(sealed.data, 'sealed data'),
  };
}

function assertLogN(logN: number, code: string): void {
  if (!Number.isInteger(logN) || logN < SCRYPT_LOG_N_MIN || logN > SCRYPT_LOG_N_MAX) {
    throw new AcquireError(
      code,
      `scrypt cost logN must be an integer from ${SCRYPT_LOG_N_MIN} to ${SCRYPT_LOG_N_MAX}`,
    );
  }
}
