/**
 * The stored identity of a service: type, URL, uid, its current X25519 and Ed25519 key pairs
 * (secret halves sealed under the service password), the keys retired by rotations, and the
 * admin's TOTP secret sealed under the admin password.
 *
 * Object-store layout: `service/identity.json` holds the {@link ServiceIdentityRecord}. It is
 * created once with a write-if-absent, and every later change (a rotation, an admin code
 * spent) is a write-if-version-matches.
 *
 * @module
 */

import * as v from 'valibot';
import { concatBytes } from '../crypto/encoding.js';
import {
  openWithPassword,
  type PasswordSealed,
  sealWithPassword,
} from '../crypto/password-seal.js';
import { decodePublicKey, encodePublicKey, fingerprint } from '../crypto/public-key.js';
import {
  type EncryptionKeyPair,
  encryptionPublicKey,
  generateEncryptionKeyPair,
} from '../crypto/sealed-box.js';
import {
  generateSigningKeyPair,
  type SigningKeyPair,
  signingPublicKey,
} from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import {
  PROTOCOL_VERSION,
  type RetiredServiceKeys,
  type ServicePublicInfo,
} from './service-info.js';
import { SERVICE_TYPES, type ServiceType } from './service-url.js';

/** The object-store key of the service identity record. */
export const SERVICE_IDENTITY_KEY = 'service/identity.json';

/** Layout version of {@link ServiceIdentityRecord}. */
export const SERVICE_IDENTITY_VERSION = 1;

/** One X25519 and one Ed25519 key pair, as a service holds them in memory. */
export interface ServiceKeyPairs {
  /** Arguments are sealed to this pair's public key. */
  readonly encryption: EncryptionKeyPair;
  /** Replies are signed with this pair's secret key. */
  readonly signing: SigningKeyPair;
}

/** A key set as stored: public keys in the clear, both secret keys sealed together. */
export interface StoredServiceKeys {
  /** `x25519:<base64url>`. */
  readonly encryptionKey: string;
  /** `ed25519:<base64url>`. */
  readonly signingKey: string;
  /** The X25519 secret key, then the Ed25519 secret seed, sealed under the service password. */
  readonly sealedSecrets: PasswordSealed;
}

/** A stored key set retired by a rotation. */
export interface StoredRetiredKeys extends StoredServiceKeys {
  /** When it was replaced, in ms since the epoch. */
  readonly retiredMs: number;
  /** Until when it is still honoured, in ms since the epoch. */
  readonly graceEndsMs: number;
  /** base64url signature by this set's signing key over the keys that replaced it. */
  readonly endorsement: string;
}

/** The admin's credentials: the TOTP secret, sealed under the admin password. */
export interface StoredAdmin {
  /** The base32 TOTP secret as UTF-8, sealed under the admin password. */
  readonly sealedTotpSecret: PasswordSealed;
  /** The TOTP time step of the last code spent, so no code is accepted twice; -1 before any. */
  readonly lastCodeStep: number;
}

/** The record at {@link SERVICE_IDENTITY_KEY}. */
export interface ServiceIdentityRecord {
  /** Layout version, {@link SERVICE_IDENTITY_VERSION}. */
  readonly v: 1;
  /** The kind of service. */
  readonly type: ServiceType;
  /** The canonical URL. */
  readonly url: string;
  /** The service uid. */
  readonly uid: string;
  /** When the service was set up, in ms since the epoch. */
  readonly createdMs: number;
  /** The current keys. */
  readonly keys: StoredServiceKeys;
  /** Keys retired by rotations, newest first. */
  readonly previousKeys: readonly StoredRetiredKeys[];
  /** The admin's credentials. */
  readonly admin: StoredAdmin;
}

const SECRET_KEY_BYTES = 32;

const PASSWORD_SEALED_SCHEMA = v.object({
  v: v.literal(1),
  kdf: v.literal('scrypt'),
  logN: v.number(),
  r: v.number(),
  p: v.number(),
  salt: v.string(),
  check: v.string(),
  nonce: v.string(),
  data: v.string(),
});

const STORED_KEYS_ENTRIES = {
  encryptionKey: v.string(),
  signingKey: v.string(),
  sealedSecrets: PASSWORD_SEALED_SCHEMA,
};

const RECORD_SCHEMA = v.object({
  v: v.literal(SERVICE_IDENTITY_VERSION),
  type: v.picklist(SERVICE_TYPES),
  url: v.string(),
  uid: v.string(),
  createdMs: v.number(),
  keys: v.object(STORED_KEYS_ENTRIES),
  previousKeys: v.array(
    v.object({
      ...STORED_KEYS_ENTRIES,
      retiredMs: v.number(),
      graceEndsMs: v.number(),
      endorsement: v.string(),
    }),
  ),
  admin: v.object({ sealedTotpSecret: PASSWORD_SEALED_SCHEMA, lastCodeStep: v.number() }),
});

/**
 * Checks a record read from the store.
 *
 * @param value - decoded JSON from {@link SERVICE_IDENTITY_KEY}
 * @returns the record
 * @throws AcquireError `CORRUPT_RECORD` when the shape is wrong
 */
export function parseServiceIdentityRecord(value: unknown): ServiceIdentityRecord {
  const result = v.safeParse(RECORD_SCHEMA, value);
  if (!result.success) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, 'service identity record has the wrong shape');
  }
  return result.output;
}

/**
 * Makes fresh key pairs for a service.
 *
 * @returns new X25519 and Ed25519 key pairs
 */
export function generateServiceKeyPairs(): ServiceKeyPairs {
  return { encryption: generateEncryptionKeyPair(), signing: generateSigningKeyPair() };
}

/**
 * Seals a key set's secrets under the service password for storage.
 *
 * @param keys - the key pairs
 * @param servicePassword - the host's service password
 * @param logN - scrypt cost
 * @returns the stored form
 */
export async function sealServiceKeys(
  keys: ServiceKeyPairs,
  servicePassword: string,
  logN: number,
): Promise<StoredServiceKeys> {
  const secrets = concatBytes(keys.encryption.secretKey, keys.signing.secretKey);
  return {
    encryptionKey: encodePublicKey('x25519', keys.encryption.publicKey),
    signingKey: encodePublicKey('ed25519', keys.signing.publicKey),
    sealedSecrets: await sealWithPassword(secrets, servicePassword, { logN }),
  };
}

/**
 * Opens a stored key set with the service password and checks it against its public keys.
 *
 * @param stored - the stored key set
 * @param servicePassword - the host's service password
 * @returns the key pairs
 * @throws AcquireError `WRONG_PASSWORD` for a wrong service password, `CORRUPT_RECORD` when the
 *   secrets do not belong to the stored public keys
 */
export async function openServiceKeys(
  stored: StoredServiceKeys,
  servicePassword: string,
): Promise<ServiceKeyPairs> {
  const secrets = await openWithPassword(stored.sealedSecrets, servicePassword);
  if (secrets.length !== SECRET_KEY_BYTES * 2) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, 'sealed service secrets have the wrong size');
  }

  const encryptionSecret = secrets.slice(0, SECRET_KEY_BYTES);
  const signingSecret = secrets.slice(SECRET_KEY_BYTES);
  const keys: ServiceKeyPairs = {
    encryption: { publicKey: encryptionPublicKey(encryptionSecret), secretKey: encryptionSecret },
    signing: { publicKey: signingPublicKey(signingSecret), secretKey: signingSecret },
  };

  const matches =
    encodePublicKey('x25519', keys.encryption.publicKey) === stored.encryptionKey &&
    encodePublicKey('ed25519', keys.signing.publicKey) === stored.signingKey;
  if (!matches) {
    throw new AcquireError(
      ErrorCode.CORRUPT_RECORD,
      'sealed service secrets do not match its keys',
    );
  }
  return keys;
}

/**
 * Builds the public info of a service.
 *
 * @param type - the kind of service
 * @param url - the canonical URL
 * @param keys - the current key pairs
 * @param record - the stored record once set up; absent before set-up
 * @param nowMs - the current time; retired keys past their grace time are left out
 * @returns what `GET /` serves
 */
export function buildPublicInfo(
  type: ServiceType,
  url: string,
  keys: ServiceKeyPairs,
  record: ServiceIdentityRecord | undefined,
  nowMs: number,
): ServicePublicInfo {
  const previousKeys: RetiredServiceKeys[] = (record?.previousKeys ?? [])
    .filter((retired) => retired.graceEndsMs > nowMs)
    .map((retired) => ({
      encryptionKey: retired.encryptionKey,
      signingKey: retired.signingKey,
      encryptionKeyFingerprint: keyFingerprint(retired.encryptionKey),
      signingKeyFingerprint: keyFingerprint(retired.signingKey),
      retiredMs: retired.retiredMs,
      graceEndsMs: retired.graceEndsMs,
      endorsement: retired.endorsement,
    }));

  return {
    protocolVersion: PROTOCOL_VERSION,
    type,
    url,
    ...(record === undefined ? {} : { uid: record.uid }),
    setUp: record !== undefined,
    encryptionKey: encodePublicKey('x25519', keys.encryption.publicKey),
    signingKey: encodePublicKey('ed25519', keys.signing.publicKey),
    encryptionKeyFingerprint: fingerprint('x25519', keys.encryption.publicKey),
    signingKeyFingerprint: fingerprint('ed25519', keys.signing.publicKey),
    previousKeys,
  };
}

function keyFingerprint(text: string): string {
  const algorithm = text.startsWith('x25519:') ? 'x25519' : 'ed25519';
  return fingerprint(algorithm, decodePublicKey(algorithm, text));
}
