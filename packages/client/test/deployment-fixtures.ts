/**
 * The ready-made identity and access services on real HTTP servers on 127.0.0.1, one memory
 * store each, and the client side of the user flow: registering, requesting a login with fresh
 * client keys, approving it on the login page as a browser would, and signing authorisations.
 *
 * @module
 */

import {
  type Authorisation,
  type CallFunctionOptions,
  callFunction,
  createAccessService,
  createAuthorisation,
  createIdentityService,
  createMemoryStore,
  type EncryptionKeyPair,
  encodePublicKey,
  generateEncryptionKeyPair,
  generateSigningKeyPair,
  type ManualClock,
  type ObjectStore,
  requestResource,
  SCRYPT_LOG_N_MIN,
  type ServiceHandler,
  type SigningKeyPair,
  TOTP_PERIOD_S,
  totpCode,
} from '@acquire/core';
import { startServer } from '../src/node.js';
import {
  ADMIN_PASSWORD,
  httpCallOptions,
  SERVICE_PASSWORD,
  silentLogger,
  type TestService,
} from './service-fixtures.js';

/** Options every test service gets: cheap scrypt, the test clock, no logging. */
function readyOptions(clock: ManualClock, url: string, store: ObjectStore) {
  return {
    url,
    store,
    servicePassword: SERVICE_PASSWORD,
    clock,
    scryptLogN: SCRYPT_LOG_N_MIN,
  };
}

async function serve(
  make: (url: string, store: ObjectStore) => Promise<ServiceHandler>,
): Promise<TestService> {
  const store = createMemoryStore();
  let url = '';
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    env: {},
    createServices: ({ url: address }) => {
      url = address;
      return make(address, store);
    },
  });
  return { url, store, server };
}

/** Starts a real identity service on a random port. */
export function startIdentityService(clock: ManualClock): Promise<TestService> {
  return serve((url, store) =>
    createIdentityService({ ...readyOptions(clock, url, store), passwordLogN: SCRYPT_LOG_N_MIN }),
  );
}

/** Starts a real access service on a random port; grants cover its own store. */
export function startAccessService(clock: ManualClock): Promise<TestService> {
  return serve((url, store) => createAccessService(readyOptions(clock, url, store)));
}

/** The TOTP secret in an `otpauth://` provisioning URI. */
export function secretOf(provisioningUri: string): string {
  const secret = new URL(provisioningUri).searchParams.get('secret');
  if (secret === null) {
    throw new Error('provisioning URI holds no secret');
  }
  return secret;
}

/**
 * Moves the clock to the next TOTP step, so that a code is fresh: a code once spent (by the
 * admin or by a user) is refused again.
 */
export function nextTotpStep(clock: ManualClock): void {
  clock.advance(TOTP_PERIOD_S * 1000);
}

/** A registered user. */
export interface TestUser {
  readonly username: string;
  readonly password: string;
  readonly userUid: string;
  readonly totpSecret: string;
}

/** Registers a user over HTTP. */
export async function registerUser(
  clock: ManualClock,
  identityUrl: string,
  username: string,
  password: string,
): Promise<TestUser> {
  const result = await callFunction<{ userUid: string; provisioningUri: string }>(
    identityUrl,
    'register',
    { username, password },
    httpCallOptions(clock),
  );
  return {
    username,
    password,
    userUid: result.userUid,
    totpSecret: secretOf(result.provisioningUri),
  };
}

/** A client's login session: its fresh keys and what `request_login` answered. */
export interface TestSession {
  readonly identityUrl: string;
  readonly username: string;
  readonly userUid: string;
  readonly sessionUid: string;
  readonly shortUid: string;
  readonly loginUrl: string;
  readonly encryption: EncryptionKeyPair;
  readonly signing: SigningKeyPair;
}

/** Makes fresh client keys and asks for a login session bound to them. */
export async function requestLogin(
  clock: ManualClock,
  identityUrl: string,
  username: string,
): Promise<TestSession> {
  const encryption = generateEncryptionKeyPair();
  const signing = generateSigningKeyPair();
  const result = await callFunction<{
    sessionUid: string;
    shortUid: string;
    userUid: string;
    loginUrl: string;
  }>(
    identityUrl,
    'request_login',
    {
      username,
      publicKey: encodePublicKey('x25519', encryption.publicKey),
      certificate: encodePublicKey('ed25519', signing.publicKey),
      hostname: 'test-client',
      message: 'integration test',
    },
    httpCallOptions(clock),
  );
  return { identityUrl, username, ...result, encryption, signing };
}

/** The login page's answer to a submitted form. */
export interface LoginPageAnswer {
  readonly status: number;
  readonly html: string;
}

/** Submits the login form as a browser does: a form-encoded POST to `/s`. */
export async function submitLoginForm(
  identityUrl: string,
  fields: { id: string; username: string; password: string; code: string },
): Promise<LoginPageAnswer> {
  const response = await fetch(`${identityUrl}/s`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, html: await response.text() };
}

/** Approves a session on the login page with the user's current code. */
export function approveOnLoginPage(
  clock: ManualClock,
  session: TestSession,
  user: TestUser,
): Promise<LoginPageAnswer> {
  return submitLoginForm(session.identityUrl, {
    id: session.shortUid,
    username: user.username,
    password: user.password,
    code: totpCode(user.totpSecret, clock),
  });
}

/** Signs an authorisation for one call with the session's key. */
export function authorise(
  clock: ManualClock,
  session: TestSession,
  functionName: string,
  args: Readonly<Record<string, unknown>>,
): Authorisation {
  return createAuthorisation({
    userUid: session.userUid,
    sessionUid: session.sessionUid,
    identityUrl: session.identityUrl,
    resource: requestResource(functionName, args),
    signingSecretKey: session.signing.secretKey,
    clock,
  });
}

/** Sets a service up and returns the admin's TOTP secret. */
export async function setUpService(clock: ManualClock, url: string): Promise<string> {
  const result = await callFunction<{ provisioningUri: string }>(
    url,
    'setup',
    { password: ADMIN_PASSWORD },
    httpCallOptions(clock),
  );
  return secretOf(result.provisioningUri);
}

/** Calls a function over HTTP with the test clock and a fresh info cache. */
export function call<TResult extends Readonly<Record<string, unknown>>>(
  clock: ManualClock,
  url: string,
  name: string,
  args: unknown,
  extra: CallFunctionOptions = {},
): Promise<TResult> {
  return callFunction<TResult>(url, name, args, httpCallOptions(clock, extra));
}

/** Two services set up, the access service trusting the identity service, and a logged-in user. */
export interface TestDeployment {
  readonly identity: TestService;
  readonly access: TestService;
  readonly user: TestUser;
  readonly session: TestSession;
  /** Stops both servers. */
  close(): Promise<void>;
}

/** Starts and sets up an identity and an access service, and logs a user in through the page. */
export async function startDeployment(clock: ManualClock): Promise<TestDeployment> {
  const [identity, access] = await Promise.all([
    startIdentityService(clock),
    startAccessService(clock),
  ]);
  const close = async (): Promise<void> => {
    await Promise.all([identity.server.close(), access.server.close()]);
  };
  try {
    await setUpService(clock, identity.url);
    const accessAdmin = await setUpService(clock, access.url);
    nextTotpStep(clock);
    await call(clock, access.url, 'setup', {
      password: ADMIN_PASSWORD,
      code: totpCode(accessAdmin, clock),
      addTrustedService: identity.url,
    });

    const user = await registerUser(clock, identity.url, 'alice', 'alice password 1');
    const session = await requestLogin(clock, identity.url, user.username);
    const approved = await approveOnLoginPage(clock, session, user);
    if (approved.status !== 200) {
      throw new Error(`login page answered ${approved.status}`);
    }
    return { identity, access, user, session, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A grant from `request_bucket`. */
export interface TestGrant extends Readonly<Record<string, unknown>> {
  readonly grant: string;
  readonly prefix: string;
}

/** Asks the access service for a grant with a fresh authorisation. */
export function requestGrant(
  clock: ManualClock,
  deployment: TestDeployment,
  mode: 'read' | 'read_write',
): Promise<TestGrant> {
  const args = { mode };
  return call<TestGrant>(clock, deployment.access.url, 'request_bucket', {
    ...args,
    authorisation: authorise(clock, deployment.session, 'request_bucket', args),
  });
}

/** What a service answered to a raw HTTP request. */
export interface RawReply {
  readonly status: number;
  readonly body: unknown;
}

/** Sends a raw request to a service, as a hostile client might, and decodes the JSON reply. */
export async function sendRaw(
  url: string,
  init: RequestInit & { duplex?: 'half' },
): Promise<RawReply> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) };
}
