/**
 * Identity figures: a whole register + request_login + login flow at the default scrypt cost,
 * and authorisations created and verified per second with the in-process session resolver,
 * with the certificate cache on and off. Both verifiers are warmed up before either is timed,
 * and then timed in alternating slices, so the two figures are comparable. The local resolver
 * only reads a memory store, so the cache saves little here next to the Ed25519 check both
 * make; in a service it saves a round trip to the identity service.
 *
 * @module
 */

import {
  createAuthorisation,
  createAuthorisationVerifier,
  createLocalSessionResolver,
  createManualClock,
  createMemoryStore,
  encodePublicKey,
  generateEncryptionKeyPair,
  generateSigningKeyPair,
  type IdentityContext,
  login,
  register,
  requestLogin,
  SCRYPT_LOG_N_DEFAULT,
  totpCode,
} from '@acquire/core';
import { measure, measureInterleaved, section, warmUp } from './measure.js';

/** The flow costs two scrypt runs, so give it time for a handful of rounds. */
const FLOW_DURATION_MS = 5000;

/** One TOTP step, so every login has a fresh code. */
const TOTP_STEP_MS = 30_000;

/**
 * Both verifiers run, in turn, this long before either is timed, so the code they share
 * (signature check, parsing) is compiled for both figures and not only for the second.
 */
const VERIFY_WARM_UP_MS = 1000;

const RESOURCE = 'bench/resource';

const ignore = (): void => {};

/** Runs the identity benchmarks. */
export async function benchIdentity(): Promise<void> {
  const clock = createManualClock();
  const context: IdentityContext = {
    store: createMemoryStore(),
    clock,
    logger: { debug: ignore, info: ignore, warn: ignore, error: ignore },
    serviceUrl: 'https://id.bench',
  };

  section(`identity flow (scrypt logN=${SCRYPT_LOG_N_DEFAULT})`);
  let users = 0;
  let session: BenchSession = { userUid: '', sessionUid: '', signingSecretKey: new Uint8Array() };
  await measure(
    'register + request_login + login',
    async () => {
      session = await logInNewUser(context, `bench-user-${users++}`);
      clock.advance(TOTP_STEP_MS);
    },
    FLOW_DURATION_MS,
  );

  section('authorisations (local resolver, memory store)');
  const sign = () =>
    createAuthorisation({
      userUid: session.userUid,
      sessionUid: session.sessionUid,
      identityUrl: context.serviceUrl,
      resource: RESOURCE,
      signingSecretKey: session.signingSecretKey,
      clock,
    });
  const authorisation = sign();
  await measure('create authorisation', sign);

  const resolveSession = createLocalSessionResolver(context);
  const cached = createAuthorisationVerifier({ clock, resolveSession });
  const uncached = createAuthorisationVerifier({ clock, resolveSession, cacheTtlMs: 0 });
  await warmUp(async () => {
    await cached(authorisation, { resource: RESOURCE });
    await uncached(authorisation, { resource: RESOURCE });
  }, VERIFY_WARM_UP_MS);
  await measureInterleaved([
    {
      name: 'verify authorisation, certificate cache on',
      operation: () => cached(authorisation, { resource: RESOURCE }),
    },
    {
      name: 'verify authorisation, certificate cache off',
      operation: () => uncached(authorisation, { resource: RESOURCE }),
    },
  ]);
}

interface BenchSession {
  userUid: string;
  sessionUid: string;
  signingSecretKey: Uint8Array;
}

async function logInNewUser(context: IdentityContext, username: string): Promise<BenchSession> {
  const password = `${username} password`;
  const { provisioningUri } = await register.run({ username, password }, context);
  const totpSecret = new URL(provisioningUri ?? '').searchParams.get('secret') ?? '';

  const signing = generateSigningKeyPair();
  const request = await requestLogin.run(
    {
      username,
      publicKey: encodePublicKey('x25519', generateEncryptionKeyPair().publicKey),
      certificate: encodePublicKey('ed25519', signing.publicKey),
    },
    context,
  );
  const code = totpCode(totpSecret, context.clock);
  await login.run({ shortUid: request.shortUid, username, password, code }, context);

  return {
    userUid: request.userUid,
    sessionUid: request.sessionUid,
    signingSecretKey: signing.secretKey,
  };
}
