/**
 * Helpers for the identity tests: a fast test context, client key sets, whole flows in one
 * call, store snapshots and a capturing logger. Not part of the published API.
 *
 * @module
 */

import { base64UrlEncode } from '../crypto/encoding.js';
import { SCRYPT_LOG_N_MIN } from '../crypto/password-seal.js';
import { encodePublicKey } from '../crypto/public-key.js';
import { type EncryptionKeyPair, generateEncryptionKeyPair } from '../crypto/sealed-box.js';
import { generateSigningKeyPair, type SigningKeyPair } from '../crypto/signing.js';
import { TOTP_PERIOD_S, totpCode } from '../crypto/totp.js';
import type { LogFields, Logger } from '../logging.js';
import { silentLogger } from '../logging.js';
import { listAllKeys } from '../store/listing.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock, type ManualClock } from '../time/clock.js';
import type { IdentityContext } from './identity-context.js';
import { login } from './login.js';
import { register } from './register.js';
import { requestLogin } from './request-login.js';

/** The identity URL of test contexts. */
export const TEST_SERVICE_URL = 'https://id.test';

/** One TOTP step in ms: advancing by it gives a fresh code. */
export const TOTP_STEP_MS: number = TOTP_PERIOD_S * 1000;

/** A test context whose clock can be moved. */
export interface TestContext extends IdentityContext {
  /** The manual clock. */
  readonly clock: ManualClock;
}

/** Options for {@link createTestContext}. */
export interface TestContextOptions {
  /** Share a store between contexts. */
  readonly store?: ObjectStore;
  /** Share a clock between contexts. */
  readonly clock?: ManualClock;
  /** The caller's address. */
  readonly remoteAddress?: string;
  /** Where logs go. */
  readonly logger?: Logger;
}

/**
 * A context on a memory store and manual clock, at the cheapest scrypt cost.
 *
 * @param options - parts to share or replace
 * @returns the context
 */
export function createTestContext(options: TestContextOptions = {}): TestContext {
  return {
    store: options.store ?? createMemoryStore(),
    clock: options.clock ?? createManualClock(),
    logger: options.logger ?? silentLogger,
    serviceUrl: TEST_SERVICE_URL,
    remoteAddress: options.remoteAddress,
    passwordLogN: SCRYPT_LOG_N_MIN,
  };
}

/** A client's fresh keys, as `request_login` wants them. */
export interface ClientKeys {
  /** The X25519 pair. */
  readonly encryption: EncryptionKeyPair;
  /** The Ed25519 pair that signs authorisations. */
  readonly signing: SigningKeyPair;
  /** `x25519:…` */
  readonly publicKey: string;
  /** `ed25519:…` */
  readonly certificate: string;
}

/**
 * Makes a client's key set.
 *
 * @returns fresh keys
 */
export function createClientKeys(): ClientKeys {
  const encryption = generateEncryptionKeyPair();
  const signing = generateSigningKeyPair();
  return {
    encryption,
    signing,
    publicKey: encodePublicKey('x25519', encryption.publicKey),
    certificate: encodePublicKey('ed25519', signing.publicKey),
  };
}

/**
 * The base32 secret inside an `otpauth://` URI.
 *
 * @param provisioningUri - the URI
 * @returns the secret
 */
export function secretOf(provisioningUri: string): string {
  const secret = new URL(provisioningUri).searchParams.get('secret');
  if (secret === null) {
    throw new Error('provisioning URI has no secret');
  }
  return secret;
}

/** A registered test user. */
export interface TestUser {
  /** The name as registered. */
  readonly username: string;
  /** The password. */
  readonly password: string;
  /** The uid. */
  readonly userUid: string;
  /** The account's TOTP secret. */
  readonly totpSecret: string;
}

/**
 * Registers a user.
 *
 * @param context - the context
 * @param username - the name
 * @param password - the password
 * @returns the user with its TOTP secret
 */
export async function registerUser(
  context: IdentityContext,
  username: string,
  password = `${username} password`,
): Promise<TestUser> {
  const result = await register.run({ username, password }, context);
  return {
    username,
    password,
    userUid: result.userUid,
    totpSecret: secretOf(result.provisioningUri ?? ''),
  };
}

/** An approved session and the keys of its client. */
export interface TestSession {
  /** The session uid. */
  readonly sessionUid: string;
  /** The short uid. */
  readonly shortUid: string;
  /** The client's keys. */
  readonly keys: ClientKeys;
}

/**
 * Requests a login session for a user, without approving it.
 *
 * @param context - the context
 * @param user - the user
 * @returns the pending session
 */
export async function requestSession(
  context: IdentityContext,
  user: Pick<TestUser, 'username'>,
): Promise<TestSession> {
  const keys = createClientKeys();
  const { sessionUid, shortUid } = await requestLogin.run(
    { username: user.username, publicKey: keys.publicKey, certificate: keys.certificate },
    context,
  );
  return { sessionUid, shortUid, keys };
}

/**
 * Requests and approves a session, a TOTP step after the last so the code is fresh.
 *
 * @param context - the context
 * @param user - the user
 * @returns the approved session
 */
export async function logIn(context: TestContext, user: TestUser): Promise<TestSession> {
  const session = await requestSession(context, user);
  context.clock.advance(TOTP_STEP_MS);
  await login.run(
    {
      shortUid: session.shortUid,
      username: user.username,
      password: user.password,
      code: totpCode(user.totpSecret, context.clock),
    },
    context,
  );
  return session;
}

/**
 * Every key and value in a store, for before/after comparisons.
 *
 * @param store - the store
 * @returns key to base64url value
 */
export async function snapshotStore(store: ObjectStore): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for (const key of await listAllKeys(store, '')) {
    const stored = await store.read(key);
    snapshot.set(key, stored === undefined ? '' : base64UrlEncode(stored.value));
  }
  return snapshot;
}

/** A logger that keeps every line as text. */
export interface CapturingLogger {
  /** The logger. */
  readonly logger: Logger;
  /** Every line logged, as `level message fields-json`. */
  readonly lines: string[];
}

/**
 * Makes a logger that keeps what it is given.
 *
 * @returns the logger and its lines
 */
export function createCapturingLogger(): CapturingLogger {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (fields: LogFields, message: string): void => {
      lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
    };
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

/** A barrier gives up waiting after this long, so a test that goes wrong fails instead of hanging. */
const BARRIER_TIMEOUT_MS = 5000;

/**
 * Wraps a store so that the first `parties` write-if-absent calls under `prefix` wait for each
 * other and then go ahead together, forcing the interleaving a race test wants to see.
 *
 * @param store - the store to wrap
 * @param prefix - the key prefix whose claims are held back
 * @param parties - how many claims to gather
 * @returns the wrapped store
 */
export function createBarrierStore(
  store: ObjectStore,
  prefix: string,
  parties: number,
): ObjectStore {
  const waiting: (() => void)[] = [];
  const releaseAll = (): void => {
    for (const release of waiting.splice(0)) {
      release();
    }
  };
  let arrived = 0;

  return {
    capabilities: store.capabilities,
    read: (key) => store.read(key),
    write: (key, value) => store.write(key, value),
    writeIfVersion: (key, value, version) => store.writeIfVersion(key, value, version),
    delete: (key, options) => store.delete(key, options),
    listPage: (prefixToList, options) => store.listPage(prefixToList, options),
    async writeIfAbsent(key, value) {
      if (key.startsWith(prefix) && arrived < parties) {
        arrived++;
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === parties) {
            releaseAll();
          }
          setTimeout(releaseAll, BARRIER_TIMEOUT_MS);
        });
      }
      return store.writeIfAbsent(key, value);
    },
  };
}
