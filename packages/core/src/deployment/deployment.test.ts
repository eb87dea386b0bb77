import { describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  createTestNetwork,
  routeFetch,
  SERVICE_PASSWORD,
  setUpAdmin,
  TEST_SCRYPT_LOG_N,
  type TestNetwork,
} from '../../test/service-fixtures.js';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { encodePublicKey } from '../crypto/public-key.js';
import { generateEncryptionKeyPair } from '../crypto/sealed-box.js';
import { generateSigningKeyPair } from '../crypto/signing.js';
import { TOTP_PERIOD_S, totpCode } from '../crypto/totp.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { createAuthorisation } from '../identity/authorisation.js';
import { callFunction } from '../service/call-function.js';
import { requestResource } from '../service/request-resource.js';
import { writeJson } from '../store/json.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createAccessService } from './access-service.js';
import { GRANT_SIGNING_KEY_KEY, openGrantSigningKey } from './grant-signing-key.js';
import { createIdentityService } from './identity-service.js';

const IDENTITY_URL = 'https://id.test';
const ACCESS_URL = 'https://access.test';

async function caught(promise: Promise<unknown>): Promise<AcquireError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AcquireError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

function keyOptions(store: ObjectStore, servicePassword = SERVICE_PASSWORD) {
  return { url: ACCESS_URL, store, servicePassword, scryptLogN: TEST_SCRYPT_LOG_N };
}

describe('the grant signing key', () => {
  it('is made once and found again after a restart', async () => {
    const store = createMemoryStore();
    const first = await openGrantSigningKey(keyOptions(store));
    const again = await openGrantSigningKey(keyOptions(store));
    expect(again.publicKey).toEqual(first.publicKey);
    expect(again.secretKey).toEqual(first.secretKey);
  });

  it('is the same key for instances starting at once', async () => {
    const store = createMemoryStore();
    const keys = await Promise.all(
      Array.from({ length: 6 }, () => openGrantSigningKey(keyOptions(store))),
    );
    for (const key of keys) {
      expect(key.publicKey).toEqual(keys[0]?.publicKey);
    }
  });

  it('does not open with another service password, nor from a corrupt record', async () => {
    const store = createMemoryStore();
    await openGrantSigningKey(keyOptions(store));
    const wrong = await caught(openGrantSigningKey(keyOptions(store, 'another password')));
    expect(wrong.code).toBe(ErrorCode.WRONG_PASSWORD);

    await writeJson(store, GRANT_SIGNING_KEY_KEY, { sealed: 'not sealed' });
    const corrupt = await caught(openGrantSigningKey(keyOptions(store)));
    expect(corrupt.code).toBe(ErrorCode.CORRUPT_RECORD);
  });

  it('gives up rather than loop when the winning key vanishes before it is read', async () => {
    const store = createMemoryStore();
    const vanishing: ObjectStore = {
      ...store,
      capabilities: store.capabilities,
      read: store.read,
      writeIfAbsent: async () => {
        throw new AcquireError(ErrorCode.PRECONDITION_FAILED, 'another instance wrote first');
      },
    };
    const gone = await caught(openGrantSigningKey(keyOptions(vanishing)));
    expect(gone.code).toBe(ErrorCode.STORE_UNAVAILABLE);
  });
});

/** Sets up an identity service and an access service trusting it, and a logged-in user. */
async function deploy(network: TestNetwork, accessStore: ObjectStore) {
  const options = {
    store: createMemoryStore(),
    servicePassword: SERVICE_PASSWORD,
    clock: network.clock,
    fetchImpl: network.fetchImpl,
    scryptLogN: TEST_SCRYPT_LOG_N,
  };
  network.handlers[IDENTITY_URL] = await createIdentityService({
    ...options,
    url: IDENTITY_URL,
    passwordLogN: TEST_SCRYPT_LOG_N,
  });
  network.handlers[ACCESS_URL] = await createAccessService({
    ...options,
    url: ACCESS_URL,
    store: accessStore,
  });
  await setUpAdmin(network, IDENTITY_URL);
  const accessAdmin = await setUpAdmin(network, ACCESS_URL);
  network.clock.advance(TOTP_PERIOD_S * 1000);
  await callFunction(
    ACCESS_URL,
    'setup',
    {
      password: ADMIN_PASSWORD,
      code: totpCode(accessAdmin, network.clock),
      addTrustedService: IDENTITY_URL,
    },
    network.callOptions(),
  );

  const registered = await callFunction<{ userUid: string; provisioningUri: string }>(
    IDENTITY_URL,
    'register',
    { username: 'erin', password: 'erin password' },
    network.callOptions(),
  );
  const signing = generateSigningKeyPair();
  const requested = await callFunction<{ sessionUid: string; shortUid: string }>(
    IDENTITY_URL,
    'request_login',
    {
      username: 'erin',
      publicKey: encodePublicKey('x25519', generateEncryptionKeyPair().publicKey),
      certificate: encodePublicKey('ed25519', signing.publicKey),
    },
    network.callOptions(),
  );
  const secret = new URL(registered.provisioningUri).searchParams.get('secret') ?? '';
  await callFunction(
    IDENTITY_URL,
    'login',
    {
      shortUid: requested.shortUid,
      username: 'erin',
      password: 'erin password',
      code: totpCode(secret, network.clock),
    },
    network.callOptions(),
  );

  const authorise = (args: Record<string, unknown>) =>
    createAuthorisation({
      userUid: registered.userUid,
      sessionUid: requested.sessionUid,
      identityUrl: IDENTITY_URL,
      resource: requestResource('request_bucket', args),
      signingSecretKey: signing.secretKey,
      clock: network.clock,
    });
  return { userUid: registered.userUid, authorise };
}

describe('the ready-made access service', () => {
  it('honours a grant made by another instance sharing its store', async () => {
    const network = createTestNetwork();
    const store = createMemoryStore();
    const { authorise } = await deploy(network, store);
    const args = { mode: 'read_write' };
    const { grant } = await callFunction<{ grant: string }>(
      ACCESS_URL,
      'request_bucket',
      { ...args, authorisation: authorise(args) },
      network.callOptions(),
    );

    const other = await createAccessService({
      url: ACCESS_URL,
      store,
      servicePassword: SERVICE_PASSWORD,
      clock: network.clock,
      fetchImpl: network.fetchImpl,
      scryptLogN: TEST_SCRYPT_LOG_N,
    });
    const value = base64UrlEncode(utf8Encode('from the first instance'));
    await callFunction(
      ACCESS_URL,
      'write_object',
      { grant, key: 'k', value },
      network.callOptions(),
    );
    const read = await callFunction(
      ACCESS_URL,
      'read_object',
      { grant, key: 'k' },
      network.callOptions({ fetchImpl: routeFetch({ [ACCESS_URL]: other }) }),
    );
    expect(read).toEqual({ found: true, value });
  });

  it('refuses a store that holds another service', async () => {
    const network = createTestNetwork();
    const store = createMemoryStore();
    network.handlers[IDENTITY_URL] = await createIdentityService({
      url: IDENTITY_URL,
      store,
      servicePassword: SERVICE_PASSWORD,
      clock: network.clock,
      scryptLogN: TEST_SCRYPT_LOG_N,
    });
    await setUpAdmin(network, IDENTITY_URL);

    const mismatch = await caught(
      createAccessService({
        url: ACCESS_URL,
        store,
        servicePassword: SERVICE_PASSWORD,
        scryptLogN: TEST_SCRYPT_LOG_N,
      }),
    );
    expect(mismatch.code).toBe(ErrorCode.SERVICE_IDENTITY_MISMATCH);
  });
});
