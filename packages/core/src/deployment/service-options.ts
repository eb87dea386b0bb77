/**
 * The options every ready-made service shares, and the verifier that services which trust an
 * identity service build from them.
 *
 * @module
 */

import { createAuthorisationVerifier } from '../identity/authorisation-verifier.js';
import type { Logger } from '../logging.js';
import type { AuthorisationVerifier } from '../service/authorisation-verifier.js';
import type { FetchFunction } from '../service/http-fetch.js';
import { createRemoteSessionResolver } from '../service/remote-session-resolver.js';
import { canonicalServiceUrl } from '../service/service-url.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import { systemClock } from '../time/clock.js';

/** What every ready-made service needs from its host. */
export interface ReadyServiceOptions {
  /** The canonical URL callers use, for example `https://id.example.com`. */
  readonly url: string;
  /** Where the service keeps its state. Give each service a store (or prefix) of its own. */
  readonly store: ObjectStore;
  /** Seals the service's secret keys at rest. */
  readonly servicePassword: string;
  /** The time source. @default systemClock */
  readonly clock?: Clock;
  /** Where to log. @default silentLogger */
  readonly logger?: Logger;
  /** How to reach other services. @default globalThis.fetch */
  readonly fetchImpl?: FetchFunction;
  /** scrypt cost (log2 N) for the service's sealed secrets. @default SCRYPT_LOG_N_DEFAULT */
  readonly scryptLogN?: number;
}

/**
 * Builds the verifier a service uses to check users' authorisations: certificates come from the
 * identity services in the service's trusted list (over HTTP, pinned), and single-use
 * authorisations are claimed in the service's own store. The verified `identityUrl` is the
 * canonical spelling of the URL the client signed, the one the trusted list knows, so records
 * keyed by it (a bucket's owner) match however the client spelled the URL.
 *
 * Certificates are reused for `SESSION_CERTIFICATE_CACHE_TTL_MS` (30 s), so for up to that long
 * after a logout an authorisation signed after it is still accepted.
 *
 * @param options - the service's store, clock and fetch
 * @returns the verifier
 */
export function createTrustingVerifier(options: ReadyServiceOptions): AuthorisationVerifier {
  const clock = options.clock ?? systemClock;
  const resolveSession = createRemoteSessionResolver({
    store: options.store,
    clock,
    ...(options.fetchImpl === undefined ? {} : { fetchImpl: options.fetchImpl }),
  });

  // The resolver already keeps certificates for SESSION_CERTIFICATE_CACHE_TTL_MS; a second
  // cache here would stretch the time a logout goes unnoticed to the longer of the two.
  const verify = createAuthorisationVerifier({
    clock,
    resolveSession,
    store: options.store,
    cacheTtlMs: 0,
  });

  return async (authorisation, requirements) => {
    const verified = await verify(authorisation, requirements);
    return { ...verified, identityUrl: canonicalServiceUrl(verified.identityUrl) };
  };
}
