/**
 * A {@link SessionCertificateResolver} that asks a remote identity service for a session's
 * certificate by calling its `get_keys` function over HTTP, with a signed and sealed reply, and
 * keeps the answer briefly so that a burst of requests by one session costs one call. A
 * certificate in use is fetched again in the background before it expires, so that a busy
 * session's requests do not all wait for `get_keys` each time its certificate runs out.
 *
 * @module
 */

import * as v from 'valibot';
import { decodePublicKey } from '../crypto/public-key.js';
import { AcquireError, ErrorCode } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { type Clock, systemClock } from '../time/clock.js';
import type { SessionCertificate, SessionCertificateResolver } from './authorisation-verifier.js';
import { callFunction } from './call-function.js';
import type { FetchFunction } from './http-fetch.js';
import type { ServiceInfoCache } from './service-info-client.js';
import { canonicalServiceUrl } from './service-url.js';
import { readTrustedService } from './trusted-services.js';

/** The identity service's wire function that returns session certificates. */
export const GET_KEYS_FUNCTION_NAME = 'get_keys';

/**
 * Certificates are reused for this long. A logout is therefore noticed up to this late by a
 * remote service; authorisations signed after logout are still refused once it is.
 */
export const SESSION_CERTIFICATE_CACHE_TTL_MS = 30_000;

/**
 * A certificate used in the last fifth of its time in the cache is fetched again in the
 * background, while the cached one keeps answering until it expires.
 */
export const SESSION_CERTIFICATE_REFRESH_AHEAD_SHARE = 0.2;

/** At most this many certificates are cached; the oldest goes first. */
export const SESSION_CERTIFICATE_CACHE_ENTRIES_MAX = 10_000;

/** Options for {@link createRemoteSessionResolver}. */
export interface RemoteSessionResolverOptions {
  /** The fetch to use. @default globalThis.fetch */
  readonly fetchImpl?: FetchFunction;
  /** The time source. @default systemClock */
  readonly clock?: Clock;
  /**
   * The trusting service's store: identity services must be in its trusted list, and their
   * keys must match the pinned fingerprints. Without it any identity service is asked, unpinned.
   */
  readonly store?: ObjectStore;
  /** How long a certificate is reused. @default SESSION_CERTIFICATE_CACHE_TTL_MS */
  readonly cacheTtlMs?: number;
  /** How many certificates are kept. @default SESSION_CERTIFICATE_CACHE_ENTRIES_MAX */
  readonly cacheEntriesMax?: number;
  /** Per-call time limit. @default CALL_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Where identity services' public info is cached. */
  readonly infoCache?: ServiceInfoCache;
}

/** A certificate in the cache, until when it may answer, and whether a refresh was tried. */
interface CachedCertificate {
  readonly certificate: SessionCertificate;
  readonly expiresMs: number;
  refreshed: boolean;
}

/** `v.object` drops what a verifier has no use for, such as an approved session's public key. */
const CERTIFICATE_SCHEMA = v.object({
  userUid: v.string(),
  sessionUid: v.string(),
  status: v.picklist(['approved', 'logged_out']),
  certificate: v.string(),
  loginTimeMs: v.number(),
  logoutTimeMs: v.optional(v.number()),
});

const GET_KEYS_RESULT_SCHEMA = v.object({
  username: v.string(),
  userUid: v.string(),
  session: v.optional(CERTIFICATE_SCHEMA),
});

/**
 * Makes a resolver that asks identity services over HTTP.
 *
 * @param options - fetch, clock, trusted-list store, cache sizes and time limit
 * @returns the resolver
 * @example
 * ```ts
 * import { createRemoteSessionResolver, createTrustedServiceCheck } from '@acquire/core';
 *
 * const resolveSession = createRemoteSessionResolver({ store });
 * const isTrustedIdentity = createTrustedServiceCheck(store);
 * ```
 */
export function createRemoteSessionResolver(
  options: RemoteSessionResolverOptions = {},
): SessionCertificateResolver {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.cacheTtlMs ?? SESSION_CERTIFICATE_CACHE_TTL_MS;
  const entriesMax = options.cacheEntriesMax ?? SESSION_CERTIFICATE_CACHE_ENTRIES_MAX;
  const refreshAheadMs = ttlMs * SESSION_CERTIFICATE_REFRESH_AHEAD_SHARE;
  const cache = new Map<string, CachedCertificate>();
  const pending = new Map<string, Promise<SessionCertificate>>();

  const remember = (key: string, certificate: SessionCertificate): void => {
    cache.delete(key);
    if (cache.size >= entriesMax) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) {
        cache.delete(oldest.value);
      }
    }
    cache.set(key, { certificate, expiresMs: clock.now() + ttlMs, refreshed: false });
  };

  const fetchOnce = (
    key: string,
    url: string,
    userUid: string,
    sessionUid: string,
  ): Promise<SessionCertificate> => {
    let request = pending.get(key);
    if (request === undefined) {
      request = fetchCertificate(url, userUid, sessionUid, options)
        .then((certificate) => {
          remember(key, certificate);
          return certificate;
        })
        .finally(() => pending.delete(key));
      pending.set(key, request);
    }
    return request;
  };

  return async (identityUrl, userUid, sessionUid) => {
    const url = canonicalServiceUrl(identityUrl);
    const key = `${url}\u0000${userUid}\u0000${sessionUid}`;
    const cached = cache.get(key);
    const now = clock.now();
    if (cached === undefined || cached.expiresMs <= now) {
      return fetchOnce(key, url, userUid, sessionUid);
    }

    // A refresh is tried once per cached certificate. A failed one changes nothing: the cached
    // certificate answers until it expires, and the first request after that fetches it in the
    // open, where a failure is reported.
    if (!cached.refreshed && cached.expiresMs - now <= refreshAheadMs) {
      cached.refreshed = true;
      fetchOnce(key, url, userUid, sessionUid).catch(() => undefined);
    }
    return cached.certificate;
  };
}

async function fetchCertificate(
  url: string,
  userUid: string,
  sessionUid: string,
  options: RemoteSessionResolverOptions,
): Promise<SessionCertificate> {
  let pinned: Awaited<ReturnType<typeof readTrustedService>>;
  if (options.store !== undefined) {
    pinned = await readTrustedService(options.store, url);
    if (pinned === undefined || pinned.type !== 'identity') {
      throw new AcquireError(
        ErrorCode.SERVICE_NOT_TRUSTED,
        `${url} is not a trusted identity service; this service's admin adds it with ` +
          "setup's addTrustedService",
      );
    }
  }

  const result = await callFunction(
    url,
    GET_KEYS_FUNCTION_NAME,
    { userUid, sessionUid },
    {
      expectedType: 'identity',
      idempotent: true,
      ...(pinned === undefined ? {} : { pinned }),
      ...(options.fetchImpl === undefined ? {} : { fetchImpl: options.fetchImpl }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.infoCache === undefined ? {} : { infoCache: options.infoCache }),
    },
  );
  return checkCertificate(result, userUid, sessionUid);
}

function checkCertificate(
  result: unknown,
  userUid: string,
  sessionUid: string,
): SessionCertificate {
  const parsed = v.safeParse(GET_KEYS_RESULT_SCHEMA, result);
  if (!parsed.success) {
    throw new AcquireError(ErrorCode.REPLY_MALFORMED, 'get_keys reply has the wrong shape');
  }
  const session = parsed.output.session;
  if (session === undefined) {
    throw new AcquireError(
      ErrorCode.SESSION_CERTIFICATE_UNAVAILABLE,
      'the identity service returned no certificate for the session',
    );
  }

  const consistent =
    parsed.output.userUid === userUid &&
    session.userUid === userUid &&
    session.sessionUid === sessionUid &&
    (session.status === 'approved' || session.logoutTimeMs !== undefined);
  if (!consistent) {
    throw new AcquireError(
      ErrorCode.SESSION_CERTIFICATE_UNAVAILABLE,
      'the identity service returned a certificate for another session',
    );
  }
  try {
    decodePublicKey('ed25519', session.certificate);
  } catch (cause) {
    throw new AcquireError(ErrorCode.REPLY_MALFORMED, 'session certificate is not an ed25519 key', {
      cause,
    });
  }
  return session;
}
