/**
 * A wallet keeps a user's login sessions (with their secret keys sealed under the wallet
 * password) and the public information of services the user has talked to, between runs.
 *
 * @module
 */

import {
  AcquireError,
  base64UrlDecode,
  base64UrlEncode,
  ErrorCode,
  openWithPassword,
  type PasswordSealed,
  type PasswordSealOptions,
  sealWithPassword,
  utf8Decode,
  utf8Encode,
} from '@acquire/core';
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import type { WalletStorage } from './wallet-storage.js';

/** The layout of stored wallet entries; a new layout gets a new number. */
const WALLET_ENTRY_VERSION = 1;

/** The public part of a login session kept in a wallet. */
export interface WalletSessionInfo {
  /** The identity service that holds the session. */
  readonly identityUrl: string;
  /** The user's name as they typed it. */
  readonly username: string;
  /** The user's uid. */
  readonly userUid: string;
  /** The session's uid. */
  readonly sessionUid: string;
  /** The first characters of the session uid, shown on the login page. */
  readonly shortUid: string;
  /** The page where the user approves the session. */
  readonly loginUrl: string;
  /** The session's X25519 public key, `x25519:…`. */
  readonly publicKey: string;
  /** The session's Ed25519 public key, `ed25519:…`. */
  readonly certificate: string;
}

/** A session with its secret keys, as the wallet hands it out after unlocking. */
export interface WalletSession extends WalletSessionInfo {
  /** The 32-byte Ed25519 seed that signs authorisations. */
  readonly signingSecretKey: Uint8Array;
  /** The 32-byte X25519 secret key that opens replies sealed to the session. */
  readonly encryptionSecretKey: Uint8Array;
}

const sessionEntrySchema = v.strictObject({
  v: v.literal(WALLET_ENTRY_VERSION),
  kind: v.literal('session'),
  identityUrl: v.string(),
  username: v.string(),
  userUid: v.string(),
  sessionUid: v.string(),
  shortUid: v.string(),
  loginUrl: v.string(),
  publicKey: v.string(),
  certificate: v.string(),
  sealedKeys: v.looseObject({}),
});

const serviceEntrySchema = v.strictObject({
  v: v.literal(WALLET_ENTRY_VERSION),
  kind: v.literal('service'),
  url: v.string(),
  info: v.record(v.string(), v.unknown()),
});

/** Options for {@link createWallet}. */
export interface WalletOptions {
  /** Where entries live. */
  storage: WalletStorage;
  /** Seals and opens the session keys; never stored. */
  password: string;
  /** scrypt cost for sealing keys. @default SCRYPT_LOG_N_DEFAULT */
  passwordLogN?: number;
}

/** A user's sessions and known services. */
export interface Wallet {
  /**
   * Keeps a session, sealing its secret keys; replaces a previous one for the same user.
   *
   * @param session - the session with its secret keys
   */
  saveSession(session: WalletSession): Promise<void>;
  /**
   * Opens a kept session.
   *
   * @param identityUrl - the identity service
   * @param username - the user
   * @returns the session with its keys, or `undefined` when none is kept
   * @throws AcquireError `WRONG_PASSWORD` when the wallet password does not match
   */
  loadSession(identityUrl: string, username: string): Promise<WalletSession | undefined>;
  /** @returns the public part of every kept session, without unsealing anything */
  listSessions(): Promise<WalletSessionInfo[]>;
  /**
   * Forgets a session.
   *
   * @param identityUrl - the identity service
   * @param username - the user
   */
  removeSession(identityUrl: string, username: string): Promise<void>;
  /**
   * Keeps a service's public information, for pinning its keys.
   *
   * @param url - the service's canonical URL
   * @param info - its public information as JSON
   */
  saveServiceInfo(url: string, info: Readonly<Record<string, unknown>>): Promise<void>;
  /**
   * @param url - the service's canonical URL
   * @returns its kept public information, or `undefined`
   */
  loadServiceInfo(url: string): Promise<Record<string, unknown> | undefined>;
}

/**
 * Creates a wallet on a storage. Secret keys are sealed with scrypt and XChaCha20-Poly1305
 * under the wallet password; everything else is stored as plain JSON.
 *
 * @param options - storage, password and sealing cost
 * @returns the wallet
 * @example
 * ```ts
 * import { createMemoryWalletStorage, createWallet } from '@acquire/client';
 *
 * const wallet = createWallet({ storage: createMemoryWalletStorage(), password: 'wallet pw' });
 * const sessions = await wallet.listSessions();
 * ```
 */
export function createWallet(options: WalletOptions): Wallet {
  const { storage, password } = options;
  const sealOptions: PasswordSealOptions =
    options.passwordLogN === undefined ? {} : { logN: options.passwordLogN };

  const readEntry = async <T>(name: string, schema: v.GenericSchema<unknown, T>) => {
    const text = await storage.read(name);
    if (text === undefined) {
      return undefined;
    }
    try {
      return v.parse(schema, JSON.parse(text));
    } catch (cause) {
      throw new AcquireError(ErrorCode.CORRUPT_RECORD, `wallet entry ${name} is damaged`, {
        cause,
      });
    }
  };

  return {
    async saveSession(session) {
      const { signingSecretKey, encryptionSecretKey, ...info } = session;
      const keys = utf8Encode(
        JSON.stringify({
          signingSecretKey: base64UrlEncode(signingSecretKey),
          encryptionSecretKey: base64UrlEncode(encryptionSecretKey),
        }),
      );
      const sealedKeys = await sealWithPassword(keys, password, sealOptions);
      const entry = { v: WALLET_ENTRY_VERSION, kind: 'session', ...info, sealedKeys };

      await storage.write(sessionEntryName(info.identityUrl, info.username), JSON.stringify(entry));
    },

    async loadSession(identityUrl, username) {
      const entry = await readEntry(sessionEntryName(identityUrl, username), sessionEntrySchema);
      if (entry === undefined) {
        return undefined;
      }

      const { v: _version, kind: _kind, sealedKeys, ...info } = entry;
      const keys = JSON.parse(
        utf8Decode(await openWithPassword(sealedKeys as unknown as PasswordSealed, password)),
      ) as { signingSecretKey: string; encryptionSecretKey: string };
      return {
        ...info,
        signingSecretKey: base64UrlDecode(keys.signingSecretKey, 'signing key'),
        encryptionSecretKey: base64UrlDecode(keys.encryptionSecretKey, 'encryption key'),
      };
    },

    async listSessions() {
      const sessions: WalletSessionInfo[] = [];
      for (const name of await storage.list()) {
        if (name.startsWith(SESSION_ENTRY_PREFIX)) {
          const entry = await readEntry(name, sessionEntrySchema);
          if (entry !== undefined) {
            const { v: _version, kind: _kind, sealedKeys: _sealed, ...info } = entry;
            sessions.push(info);
          }
        }
      }
      return sessions;
    },

    removeSession: (identityUrl, username) =>
      storage.remove(sessionEntryName(identityUrl, username)),

    async saveServiceInfo(url, info) {
      const entry = { v: WALLET_ENTRY_VERSION, kind: 'service', url, info };
      await storage.write(serviceEntryName(url), JSON.stringify(entry));
    },

    async loadServiceInfo(url) {
      return (await readEntry(serviceEntryName(url), serviceEntrySchema))?.info;
    },
  };
}

const SESSION_ENTRY_PREFIX = 'session-';
const SERVICE_ENTRY_PREFIX = 'service-';

/** Entry names hash their parts, so any URL or username gives a short, storage-safe name. */
function entryDigest(...parts: string[]): string {
  return base64UrlEncode(sha256(utf8Encode(JSON.stringify(parts)))).slice(0, 32);
}

function sessionEntryName(identityUrl: string, username: string): string {
  return SESSION_ENTRY_PREFIX + entryDigest(identityUrl, username.normalize('NFKC').toLowerCase());
}

function serviceEntryName(url: string): string {
  return SERVICE_ENTRY_PREFIX + entryDigest(url);
}
