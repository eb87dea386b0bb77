/**
 * Verifying authorisations: shape, trusted identity service, resource, age, the session's
 * certificate and state, the Ed25519 signature, and optionally single use.
 *
 * Verified certificates are cached for {@link CERTIFICATE_CACHE_TTL_MS} by default. While an
 * approved certificate is cached, a logout is not yet seen, so for up to that long an
 * authorisation signed after logout is still accepted; pass `cacheTtlMs: 0` where that matters.
 * Refusals are never cached.
 *
 * Single-use nonces are claimed at `authorisation_nonces/<hour>/<session uid>/<nonce>` in the
 * verifier's store; `<hour>` is the authorisation's own timestamp in whole hours, zero-padded, so
 * {@link pruneSpentNonces} can drop whole hours once every authorisation in them is stale.
 *
 * @module
 */

import { base64UrlDecode } from '../crypto/encoding.js';
import { decodePublicKey } from '../crypto/public-key.js';
import { isValidSignature } from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import type {
  AuthorisationVerifier,
  SessionCertificate,
  SessionCertificateResolver,
} from '../service/authorisation-verifier.js';
import { encodeJson } from '../store/json.js';
import { listKeys } from '../store/listing.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import { type Authorisation, authorisationMessage, parseAuthorisation } from './authorisation.js';

/** Authorisations older than 2 hours are refused, so a captured one is soon useless. */
export const AUTHORISATION_STALE_MS: number = 2 * 60 * 60 * 1000;

/** An authorisation may be dated up to 5 minutes ahead, for clocks that run a little fast. */
export const AUTHORISATION_CLOCK_SKEW_MS: number = 5 * 60 * 1000;

/** A verified certificate is reused for a minute: fewer identity lookups, logouts seen soon. */
export const CERTIFICATE_CACHE_TTL_MS = 60_000;

/** The cache keeps at most this many certificates, dropping the oldest, to bound its memory. */
export const CERTIFICATE_CACHE_ENTRIES_MAX = 10_000;

/** Spent nonces are grouped by the hour their authorisation was signed in. */
export const NONCE_BUCKET_MS: number = 60 * 60 * 1000;

/** One pruning pass deletes at most this many spent nonces, to bound its work. */
export const NONCE_PRUNE_DELETIONS_MAX = 1000;

const NONCE_PREFIX = 'authorisation_nonces';

/** Hour numbers stay below 10^10 for a million years; padding them keeps listing order numeric. */
const NONCE_BUCKET_DIGITS = 10;

/** Options for {@link createAuthorisationVerifier}. */
export interface AuthorisationVerifierOptions {
  /** The verifier's clock. */
  readonly clock: Clock;
  /** Finds a session's certificate at an identity service. */
  readonly resolveSession: SessionCertificateResolver;
  /**
   * Says whether an identity service URL is trusted. When left out, every URL is passed to
   * `resolveSession`, which must then refuse the ones it does not know (the local resolver does).
   */
  readonly isTrustedIdentity?: (identityUrl: string) => boolean;
  /** Where single-use nonces are claimed; needed only for `singleUse` checks. */
  readonly store?: ObjectStore;
  /** The age at which an authorisation is refused. @default AUTHORISATION_STALE_MS */
  readonly staleAfterMs?: number;
  /** How long a verified certificate is reused; 0 turns the cache off. @default CERTIFICATE_CACHE_TTL_MS */
  readonly cacheTtlMs?: number;
}

interface CacheEntry {
  readonly certificate: SessionCertificate;
  readonly expiresMs: number;
}

/**
 * Creates a verifier of authorisations.
 *
 * @param options - clock, resolver, trust, nonce store, limits
 * @returns the verifier; it throws AcquireError `INVALID_ARGUMENT` (malformed),
 *   `UNTRUSTED_IDENTITY`, `WRONG_RESOURCE`, `AUTHORISATION_STALE`, `SESSION_LOGGED_OUT`,
 *   `INVALID_SIGNATURE`, `AUTHORISATION_REPLAYED`, or what the resolver throws
 *   (`SESSION_SUSPICIOUS`, `SESSION_NOT_FOUND`, …)
 * @example
 * ```ts
 * import { createAuthorisationVerifier, createLocalSessionResolver, requestResource } from '@acquire/core';
 *
 * const verify = createAuthorisationVerifier({
 *   clock: context.clock,
 *   resolveSession: createLocalSessionResolver(context),
 * });
 * const who = await verify(args.authorisation, { resource: requestResource('perform', args) });
 * ```
 */
export function createAuthorisationVerifier(
  options: AuthorisationVerifierOptions,
): AuthorisationVerifier {
  const staleAfterMs = options.staleAfterMs ?? AUTHORISATION_STALE_MS;
  const certificateFor = createCertificateSource(options);

  return async (input, requirements) => {
    const authorisation = parseAuthorisation(input);
    const trusted = options.isTrustedIdentity?.(authorisation.identityUrl) ?? true;
    if (!trusted) {
      throw new AcquireError(ErrorCode.UNTRUSTED_IDENTITY, 'identity service is not trusted here');
    }
    if (authorisation.resource !== requirements.resource) {
      throw new AcquireError(ErrorCode.WRONG_RESOURCE, 'authorisation is for another resource');
    }
    checkAge(authorisation, options.clock.now(), staleAfterMs);

    const certificate = await certificateFor(authorisation);
    if (
      certificate.status === 'logged_out' &&
      authorisation.timestampMs > (certificate.logoutTimeMs ?? certificate.loginTimeMs)
    ) {
      throw new AcquireError(ErrorCode.SESSION_LOGGED_OUT, 'signed after the session ended');
    }
    if (requirements.singleUse === true) {
      await spendNonce(options.store, authorisation, options.clock.now());
    }

    const { userUid, sessionUid, identityUrl, resource } = authorisation;
    return { userUid, sessionUid, identityUrl, resource };
  };
}

/**
 * Resolves the certificate that must have signed an authorisation, and checks the signature.
 * A certificate is cached only after a signature verified under it; refusals are not cached.
 */
function createCertificateSource(
  options: AuthorisationVerifierOptions,
): (authorisation: Authorisation) => Promise<SessionCertificate> {
  const cacheTtlMs = options.cacheTtlMs ?? CERTIFICATE_CACHE_TTL_MS;
  const cache = new Map<string, CacheEntry>();

  return async (authorisation) => {
    const { identityUrl, userUid, sessionUid } = authorisation;
    const cacheKey = `${identityUrl}\n${userUid}\n${sessionUid}`;
    const cached = cache.get(cacheKey);
    if (cached !== undefined && cached.expiresMs > options.clock.now()) {
      checkSignature(authorisation, cached.certificate);
      return cached.certificate;
    }

    cache.delete(cacheKey);
    const certificate = await options.resolveSession(identityUrl, userUid, sessionUid);
    checkSignature(authorisation, certificate);
    if (cacheTtlMs > 0) {
      remember(cache, cacheKey, { certificate, expiresMs: options.clock.now() + cacheTtlMs });
    }
    return certificate;
  };
}

function checkAge(authorisation: Authorisation, nowMs: number, staleAfterMs: number): void {
  const ageMs = nowMs - authorisation.timestampMs;
  if (ageMs > staleAfterMs || -ageMs > AUTHORISATION_CLOCK_SKEW_MS) {
    throw new AcquireError(
      ErrorCode.AUTHORISATION_STALE,
      ageMs > 0 ? 'authorisation is too old' : 'authorisation is dated in the future',
      { details: { ageMs } },
    );
  }
}

/** The certificate must be the session's, and its key must have signed. */
function checkSignature(authorisation: Authorisation, certificate: SessionCertificate): void {
  const valid =
    certificate.userUid === authorisation.userUid &&
    certificate.sessionUid === authorisation.sessionUid &&
    isValidSignature(
      base64UrlDecode(authorisation.signature, 'signature'),
      authorisationMessage(authorisation),
      decodePublicKey('ed25519', certificate.certificate),
    );
  if (!valid) {
    throw new AcquireError(ErrorCode.INVALID_SIGNATURE, 'authorisation signature does not verify');
  }
}

/** Map iteration follows insertion order, so the first key is the oldest entry. */
function remember(cache: Map<string, CacheEntry>, key: string, entry: CacheEntry): void {
  cache.set(key, entry);
  if (cache.size > CERTIFICATE_CACHE_ENTRIES_MAX) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) {
      cache.delete(oldest.value);
    }
  }
}

async function spendNonce(
  store: ObjectStore | undefined,
  authorisation: Authorisation,
  nowMs: number,
): Promise<void> {
  if (store === undefined) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'single-use authorisations need a verifier created with a store',
    );
  }
  const bucket = nonceBucket(authorisation.timestampMs);
  const key = `${NONCE_PREFIX}/${bucket}/${authorisation.sessionUid}/${authorisation.nonce}`;
  try {
    await store.writeIfAbsent(key, encodeJson({ v: 1, spentMs: nowMs }));
  } catch (error) {
    if (AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw new AcquireError(ErrorCode.AUTHORISATION_REPLAYED, 'authorisation was already used');
    }
    throw error;
  }
}

/**
 * Deletes spent single-use nonces whose authorisations are past the stale limit (and so would
 * be refused anyway). Run it now and then, for example daily.
 *
 * @param store - the verifier's store
 * @param clock - the clock
 * @param staleAfterMs - the verifier's stale limit
 * @returns how many nonces were deleted, at most {@link NONCE_PRUNE_DELETIONS_MAX}
 */
export async function pruneSpentNonces(
  store: ObjectStore,
  clock: Clock,
  staleAfterMs: number = AUTHORISATION_STALE_MS,
): Promise<number> {
  const oldestLiveBucket = nonceBucket(clock.now() - staleAfterMs);
  let deleted = 0;
  for await (const key of listKeys(store, NONCE_PREFIX)) {
    if (deleted >= NONCE_PRUNE_DELETIONS_MAX || (key.split('/')[1] ?? '') >= oldestLiveBucket) {
      break;
    }
    await store.delete(key);
    deleted++;
  }
  return deleted;
}

/** Zero-padded so that buckets list in time order. */
function nonceBucket(timestampMs: number): string {
  return String(Math.max(0, Math.floor(timestampMs / NONCE_BUCKET_MS))).padStart(
    NONCE_BUCKET_DIGITS,
    '0',
  );
}
