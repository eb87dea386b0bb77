/**
 * Test-only parts for the access tests: an identity stand-in whose verifier really checks
 * Ed25519 signatures, resources, staleness and single use; an HMAC presigner whose URLs can be
 * checked; and a testbed that wires them into an {@link AccessContext}.
 *
 * @module
 */

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as v from 'valibot';
import { base64UrlDecode, base64UrlEncode, bytesEqual, utf8Encode } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/random.js';
import {
  generateSigningKeyPair,
  isValidSignature,
  type SigningKeyPair,
  sign,
} from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { silentLogger } from '../logging.js';
import type {
  AuthorisationRequirements,
  AuthorisationVerifier,
  VerifiedAuthorisation,
} from '../service/authorisation-verifier.js';
import { canonicalJson, requestResource } from '../service/request-resource.js';
import { listAllKeys } from '../store/listing.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock, type ManualClock } from '../time/clock.js';
import type { AccessContext } from './access-context.js';
import {
  ACCESS_PERMISSIONS_DEFAULT,
  type AccessMode,
  type AccessPermissions,
} from './access-permissions.js';
import type {
  GrantPresigner,
  PresignedGrantUrls,
  PresignedObjectUrl,
  PresignObjectRequest,
  PresignRequest,
} from './grant-presigner.js';
import { type RequestBucketResult, requestBucket } from './request-bucket.js';

/** Authorisations older (or further in the future) than this are stale. */
export const TEST_AUTHORISATION_STALE_MS = 60_000;

/** The identity URL of the default test identity service. */
export const TEST_IDENTITY_URL = 'https://identity.test';

/** A signed authorisation as the test identity makes it. */
export interface TestAuthorisation {
  readonly userUid: string;
  readonly sessionUid: string;
  readonly identityUrl: string;
  readonly resource: string;
  readonly signedAtMs: number;
  readonly nonce: string;
  readonly signature: string;
}

const TEST_AUTHORISATION_SCHEMA = v.strictObject({
  userUid: v.string(),
  sessionUid: v.string(),
  identityUrl: v.string(),
  resource: v.string(),
  signedAtMs: v.number(),
  nonce: v.string(),
  signature: v.string(),
});

/** An identity service stand-in with one session key per user. */
export interface TestIdentity {
  readonly identityUrl: string;
  /** Signs an authorisation for a resource with the user's session key (made on first use). */
  authorise(userUid: string, resource: string): TestAuthorisation;
  /** Checks authorisations signed by this identity. */
  readonly verify: AuthorisationVerifier;
}

/**
 * Makes a test identity service.
 *
 * @param clock - the clock staleness is judged by
 * @param identityUrl - the identity service's URL
 * @returns the identity
 */
export function createTestIdentity(
  clock: ManualClock,
  identityUrl: string = TEST_IDENTITY_URL,
): TestIdentity {
  const sessions = new Map<string, { sessionUid: string; keys: SigningKeyPair }>();
  const usedNonces = new Set<string>();

  const sessionOf = (userUid: string) => {
    let session = sessions.get(userUid);
    if (session === undefined) {
      session = { sessionUid: base64UrlEncode(randomBytes(8)), keys: generateSigningKeyPair() };
      sessions.set(userUid, session);
    }
    return session;
  };

  return {
    identityUrl,
    authorise(userUid, resource) {
      const session = sessionOf(userUid);
      const fields = {
        userUid,
        sessionUid: session.sessionUid,
        identityUrl,
        resource,
        signedAtMs: clock.now(),
        nonce: base64UrlEncode(randomBytes(16)),
      };
      const signature = sign(utf8Encode(canonicalJson(fields)), session.keys.secretKey);
      return { ...fields, signature: base64UrlEncode(signature) };
    },
    async verify(authorisation, requirements) {
      const parsed = parseAuthorisation(authorisation);
      const session = sessions.get(parsed.userUid);
      if (parsed.identityUrl !== identityUrl || session === undefined) {
        throw refused('authorisation names an unknown identity or user');
      }
      checkAuthorisation(parsed, session, requirements, clock);
      if (requirements.singleUse === true) {
        if (usedNonces.has(parsed.nonce)) {
          throw refused('authorisation was already used');
        }
        usedNonces.add(parsed.nonce);
      }
      return verifiedFrom(parsed);
    },
  };
}

/**
 * A verifier that trusts several test identities and asks the one the authorisation names.
 *
 * @param identities - the trusted identities
 * @returns the verifier
 */
export function trustIdentities(...identities: readonly TestIdentity[]): AuthorisationVerifier {
  return async (authorisation, requirements) => {
    const url = parseAuthorisation(authorisation).identityUrl;
    const identity = identities.find((candidate) => candidate.identityUrl === url);
    if (identity === undefined) {
      throw refused('authorisation names an untrusted identity service');
    }
    return identity.verify(authorisation, requirements);
  };
}

function parseAuthorisation(authorisation: unknown): TestAuthorisation {
  const result = v.safeParse(TEST_AUTHORISATION_SCHEMA, authorisation);
  if (!result.success) {
    throw new AcquireError(ErrorCode.MALFORMED_DATA, 'authorisation is malformed');
  }
  return result.output;
}

function checkAuthorisation(
  parsed: TestAuthorisation,
  session: { sessionUid: string; keys: SigningKeyPair },
  requirements: AuthorisationRequirements,
  clock: ManualClock,
): void {
  const { signature, ...fields } = parsed;
  let signatureBytes: Uint8Array;
  try {
    signatureBytes = base64UrlDecode(signature);
  } catch {
    throw refused('authorisation signature is not base64url');
  }
  if (
    parsed.sessionUid !== session.sessionUid ||
    !isValidSignature(signatureBytes, utf8Encode(canonicalJson(fields)), session.keys.publicKey)
  ) {
    throw refused('authorisation signature does not verify');
  }
  if (parsed.resource !== requirements.resource) {
    throw refused('authorisation was signed for another resource');
  }
  if (Math.abs(clock.now() - parsed.signedAtMs) > TEST_AUTHORISATION_STALE_MS) {
    throw refused('authorisation is stale');
  }
}

function verifiedFrom(parsed: TestAuthorisation): VerifiedAuthorisation {
  return {
    userUid: parsed.userUid,
    sessionUid: parsed.sessionUid,
    identityUrl: parsed.identityUrl,
    resource: parsed.resource,
  };
}

function refused(message: string): AcquireError {
  return new AcquireError(ErrorCode.INVALID_SIGNATURE, message);
}

/** The base URL the HMAC presigner signs for. */
export const TEST_STORAGE_URL = 'https://storage.test';

const PRESIGN_OPERATIONS = ['list', 'get', 'put', 'delete'] as const;

/** A presigner that signs URLs with HMAC-SHA256, and the matching checks. */
export interface HmacPresigner extends GrantPresigner {
  /** Checks a grant URL it signed; returns its operation and prefix, or throws. */
  check(url: string, nowMs: number): { operation: string; prefix: string };
  /** Checks an object URL it signed; returns its method and full key, or throws. */
  checkObject(url: string, nowMs: number): { method: string; key: string };
  /** Every object request it was asked to sign. */
  readonly objectRequests: PresignObjectRequest[];
}

/**
 * Makes an HMAC presigner, in the manner of S3 query-string authentication.
 *
 * @returns the presigner
 */
export function createHmacPresigner(): HmacPresigner {
  const secret = randomBytes(32);
  const mac = (operation: string, prefix: string, expiresAtMs: number): string =>
    base64UrlEncode(hmac(sha256, secret, utf8Encode(`${operation}\n${prefix}\n${expiresAtMs}`)));
  const verify = (url: URL, operation: string, subject: string, nowMs: number): void => {
    const expiresAtMs = Number(url.searchParams.get('expires'));
    const expected = utf8Encode(mac(operation, subject, expiresAtMs));
    if (!bytesEqual(expected, utf8Encode(url.searchParams.get('signature') ?? ''))) {
      throw new Error('presigned URL signature does not verify');
    }
    if (!(nowMs < expiresAtMs)) {
      throw new Error('presigned URL has expired');
    }
  };
  const objectRequests: PresignObjectRequest[] = [];

  return {
    objectRequests,
    async presignObject(request: PresignObjectRequest): Promise<PresignedObjectUrl> {
      objectRequests.push(request);
      const url = new URL(`${TEST_STORAGE_URL}/object`);
      url.searchParams.set('key', request.key);
      url.searchParams.set('method', request.method);
      url.searchParams.set('expires', String(request.expiresAtMs));
      url.searchParams.set('signature', mac(request.method, request.key, request.expiresAtMs));
      return { url: url.toString(), expiresAtMs: request.expiresAtMs };
    },
    checkObject(text, nowMs) {
      const url = new URL(text);
      const key = url.searchParams.get('key') ?? '';
      const method = url.searchParams.get('method') ?? '';
      verify(url, method, key, nowMs);
      return { method, key };
    },
    async presign(request: PresignRequest): Promise<PresignedGrantUrls> {
      const operations =
        request.mode === 'read' ? PRESIGN_OPERATIONS.slice(0, 2) : PRESIGN_OPERATIONS;
      const entries = operations.map((operation) => {
        const url = new URL(`${TEST_STORAGE_URL}/${operation}`);
        url.searchParams.set('prefix', request.prefix);
        url.searchParams.set('expires', String(request.expiresAtMs));
        url.searchParams.set('signature', mac(operation, request.prefix, request.expiresAtMs));
        return [operation, url.toString()];
      });
      return Object.fromEntries(entries);
    },
    check(text, nowMs) {
      const url = new URL(text);
      const operation = url.pathname.slice(1);
      const prefix = url.searchParams.get('prefix') ?? '';
      verify(url, operation, prefix, nowMs);
      return { operation, prefix };
    },
  };
}

/** Everything an access test needs. */
export interface AccessTestbed {
  readonly clock: ManualClock;
  readonly identity: TestIdentity;
  readonly storage: ObjectStore;
  readonly context: AccessContext;
  /** Signs an authorisation for `request_bucket` and calls it. */
  requestGrant(
    userUid: string,
    mode: AccessMode,
    lifetimeMs?: number,
  ): Promise<RequestBucketResult>;
}

/** Options for {@link createAccessTestbed}. */
export interface AccessTestbedOptions {
  readonly permissions?: AccessPermissions;
  readonly presigner?: GrantPresigner;
  /** Use the service store as the granted storage. */
  readonly sharedStore?: boolean;
}

/**
 * Wires a memory store, a manual clock, a test identity and a grant key into an access context.
 *
 * @param options - permissions, presigner and store layout
 * @returns the testbed
 */
export function createAccessTestbed(options: AccessTestbedOptions = {}): AccessTestbed {
  const clock = createManualClock();
  const identity = createTestIdentity(clock);
  const store = createMemoryStore();
  const storage = options.sharedStore === true ? store : createMemoryStore();
  const context: AccessContext = {
    store,
    clock,
    logger: silentLogger,
    serviceUrl: 'https://access.test',
    verifyAuthorisation: identity.verify,
    grantSigner: generateSigningKeyPair(),
    permissions: options.permissions ?? ACCESS_PERMISSIONS_DEFAULT,
    storage,
    presigner: options.presigner,
  };

  return {
    clock,
    identity,
    storage,
    context,
    requestGrant(userUid, mode, lifetimeMs) {
      const args = lifetimeMs === undefined ? { mode } : { mode, lifetimeMs };
      const authorisation = identity.authorise(userUid, requestResource('request_bucket', args));
      return requestBucket.run({ ...args, authorisation }, context);
    },
  };
}

/**
 * Every key and value of a store, for before-and-after comparisons.
 *
 * @param store - the store
 * @returns a map from key to base64url value
 */
export async function snapshotStore(store: ObjectStore): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for (const key of await listAllKeys(store, '')) {
    const stored = await store.read(key);
    snapshot.set(key, stored === undefined ? '' : base64UrlEncode(stored.value));
  }
  return snapshot;
}
