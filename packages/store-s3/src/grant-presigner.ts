/**
 * The access service's presigner on S3: it signs SigV4 query-string URLs (AWS S3 API reference,
 * "Authenticating Requests: Using Query Parameters") for single objects under a grant's prefix,
 * for the access service's `presign_object`.
 *
 * @module
 */

import {
  type Clock,
  type GrantPresigner,
  type PresignedObjectUrl,
  type PresignObjectRequest,
  systemClock,
} from '@acquire/core';
import { PRESIGNED_URL_EXPIRY_S_MAX } from './presign.js';
import type { S3Store } from './s3-store.js';

const MS_PER_S = 1000;

/** Options for {@link createS3GrantPresigner}. */
export interface S3GrantPresignerOptions {
  /**
   * The time URL lifetimes are measured from; give it the access service's clock, so a URL ends
   * when the grant does.
   * @default systemClock
   */
  readonly clock?: Clock;
}

/** When a URL is dated and how long it lasts, in SigV4's whole seconds. */
export interface ObjectUrlTiming {
  /** The signature's date, a whole second in ms since the Unix epoch. */
  readonly signedAtMs: number;
  /** The URL's lifetime, from 1 to {@link PRESIGNED_URL_EXPIRY_S_MAX} seconds. */
  readonly expiresInS: number;
  /** When the URL stops working: `signedAtMs` plus the lifetime, never after the wanted end. */
  readonly expiresAtMs: number;
}

/**
 * Makes the presigner an access service on S3 needs for `presign_object`: each URL is a SigV4
 * pre-signed GetObject or PutObject for one key, signed with the store's credentials, and stops
 * working when the grant does (within SigV4's limit of 7 days, which no grant exceeds).
 *
 * `presign`, for the grant as a whole, returns no URLs. SigV4 signs one request to one key, so
 * no GET or PUT URL can cover a prefix. A POST policy could allow uploads to any key starting
 * with the prefix, but not refuse the bucket's marker or frame the value; a signed ListObjectsV2
 * URL would show only its first page, with the store's own prefix and tombstones. Clients list
 * with `list_objects` and ask `presign_object` for each object instead.
 *
 * Objects behind the URLs hold the store's object frame: move them with the client's
 * `uploadThroughPresignedUrl` and `downloadThroughPresignedUrl`. A browser on another origin
 * also needs a CORS rule on the bucket that allows GET and PUT.
 *
 * @param store - the S3 store the access service gives grants to (its `storage`)
 * @param options - the clock URL lifetimes are measured by
 * @returns the presigner
 * @example
 * ```ts
 * import { createAccessService, createMemoryStore } from '@acquire/core';
 * import { createS3GrantPresigner, createS3Store } from '@acquire/store-s3';
 *
 * const storage = createS3Store({ bucket: 'acquire', prefix: 'storage' });
 * const access = await createAccessService({
 *   url: 'https://access.example.com',
 *   store: createMemoryStore(),
 *   storage,
 *   presigner: createS3GrantPresigner(storage),
 *   servicePassword: 'a long secret from the host',
 * });
 * ```
 */
export function createS3GrantPresigner(
  store: S3Store,
  options: S3GrantPresignerOptions = {},
): GrantPresigner {
  const clock = options.clock ?? systemClock;

  return {
    presign: async () => ({}),
    presignObject: async (request: PresignObjectRequest): Promise<PresignedObjectUrl> => {
      const timing = objectUrlTiming(clock.now(), request.expiresAtMs);
      const url = await store.presignUrl(request.key, {
        method: request.method,
        expiresInS: timing.expiresInS,
        signedAtMs: timing.signedAtMs,
      });
      return { url, expiresAtMs: timing.expiresAtMs };
    },
  };
}

/**
 * Picks a SigV4 date and lifetime so that a URL works from now until as close to `endMs` as
 * whole seconds allow, never later. With less than a second left the URL is dated back so that
 * it still ends in time, though it may already have ended.
 *
 * @param nowMs - the current time, in ms since the Unix epoch
 * @param endMs - the latest time the URL may work until
 * @returns the signing date, lifetime and resulting end
 */
export function objectUrlTiming(nowMs: number, endMs: number): ObjectUrlTiming {
  const nowS = Math.floor(nowMs / MS_PER_S);
  const endS = Math.floor(endMs / MS_PER_S);
  const expiresInS = Math.min(Math.max(endS - nowS, 1), PRESIGNED_URL_EXPIRY_S_MAX);
  const signedAtS = Math.min(nowS, endS - expiresInS);

  return {
    signedAtMs: signedAtS * MS_PER_S,
    expiresInS,
    expiresAtMs: (signedAtS + expiresInS) * MS_PER_S,
  };
}
