/**
 * Fetching another service's public info (`GET /`) and keeping it briefly, so that a call does
 * not cost two round trips.
 *
 * @module
 */

import { utf8Decode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { type FetchFunction, fetchWithLimits, globalFetch } from './http-fetch.js';
import { parseServicePublicInfo, type ServicePublicInfo } from './service-info.js';
import { canonicalServiceUrl } from './service-url.js';

/** Public info is fetched within this time, or the call fails. */
export const SERVICE_INFO_TIMEOUT_MS = 5_000;

/** Public info is a few keys; a larger body is not one. */
export const SERVICE_INFO_BYTES_MAX: number = 64 * 1024;

/**
 * Fetched info is reused for this long. A rotation is noticed sooner anyway, because a reply
 * signed by an unknown key or a refusal to open arguments makes the caller fetch again.
 */
export const SERVICE_INFO_CACHE_TTL_MS: number = 5 * 60_000;

/** A cache holds at most this many services; a deployment talks to a handful. */
export const SERVICE_INFO_CACHE_ENTRIES_MAX = 256;

/** Options for {@link fetchServicePublicInfo}. */
export interface FetchServiceInfoOptions {
  /** The fetch to use. @default globalThis.fetch */
  readonly fetchImpl?: FetchFunction;
  /** Time limit. @default SERVICE_INFO_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Aborts the request. */
  readonly signal?: AbortSignal;
}

/**
 * Fetches and checks a service's public info.
 *
 * @param url - the service URL
 * @param options - fetch, time limit and abort signal
 * @returns the public info, whose `url` equals the canonical form of `url`
 * @throws AcquireError `SERVICE_UNREACHABLE` or `CALL_TIMEOUT` when it cannot be fetched,
 *   `SERVICE_INFO_MISMATCH` when the info is malformed or names another URL
 * @example
 * ```ts
 * import { fetchServicePublicInfo } from '@acquire/core';
 *
 * const info = await fetchServicePublicInfo('https://id.example.com');
 * console.log(info.type, info.signingKeyFingerprint);
 * ```
 */
export async function fetchServicePublicInfo(
  url: string,
  options: FetchServiceInfoOptions = {},
): Promise<ServicePublicInfo> {
  const canonical = canonicalServiceUrl(url);
  const response = await fetchWithLimits(
    options.fetchImpl ?? globalFetch,
    `${canonical}/`,
    { method: 'GET', headers: { accept: 'application/json' } },
    {
      timeoutMs: options.timeoutMs ?? SERVICE_INFO_TIMEOUT_MS,
      bodyBytesMax: SERVICE_INFO_BYTES_MAX,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  if (response.status !== 200) {
    throw new AcquireError(
      ErrorCode.SERVICE_UNREACHABLE,
      `${canonical} answered its public info with HTTP ${response.status}`,
      { details: { url: canonical, httpStatus: response.status } },
    );
  }

  let body: unknown;
  try {
    body = JSON.parse(utf8Decode(response.body));
  } catch {
    throw new AcquireError(ErrorCode.SERVICE_INFO_MISMATCH, `${canonical} public info is not JSON`);
  }
  const info = parseServicePublicInfo(body);
  if (info.url !== canonical) {
    throw new AcquireError(
      ErrorCode.SERVICE_INFO_MISMATCH,
      `the service at ${canonical} calls itself ${info.url}`,
    );
  }
  return info;
}

/** A small in-memory cache of public info, by canonical URL. */
export interface ServiceInfoCache {
  /**
   * The cached info, if fetched less than the time-to-live ago.
   *
   * @param url - canonical URL
   * @param nowMs - the current time
   */
  get(url: string, nowMs: number): ServicePublicInfo | undefined;
  /**
   * Stores info, evicting the oldest entry when full.
   *
   * @param info - the info, keyed by its `url`
   * @param nowMs - the current time
   */
  set(info: ServicePublicInfo, nowMs: number): void;
  /**
   * Forgets a service, so the next call fetches its info again.
   *
   * @param url - canonical URL
   */
  delete(url: string): void;
}

/** Options for {@link createServiceInfoCache}. */
export interface ServiceInfoCacheOptions {
  /** How long an entry is used. @default SERVICE_INFO_CACHE_TTL_MS */
  readonly ttlMs?: number;
  /** How many services are kept. @default SERVICE_INFO_CACHE_ENTRIES_MAX */
  readonly entriesMax?: number;
}

/**
 * Makes a public-info cache.
 *
 * @param options - time-to-live and size
 * @returns the cache
 */
export function createServiceInfoCache(options: ServiceInfoCacheOptions = {}): ServiceInfoCache {
  const ttlMs = options.ttlMs ?? SERVICE_INFO_CACHE_TTL_MS;
  const entriesMax = options.entriesMax ?? SERVICE_INFO_CACHE_ENTRIES_MAX;
  const entries = new Map<string, { info: ServicePublicInfo; fetchedMs: number }>();

  return {
    get: (url, nowMs) => {
      const entry = entries.get(url);
      return entry !== undefined && nowMs - entry.fetchedMs < ttlMs ? entry.info : undefined;
    },
    set: (info, nowMs) => {
      entries.delete(info.url);
      if (entries.size >= entriesMax) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) {
          entries.delete(oldest.value);
        }
      }
      entries.set(info.url, { info, fetchedMs: nowMs });
    },
    delete: (url) => {
      entries.delete(url);
    },
  };
}
