/**
 * Canonical service URLs. A service is known by one URL everywhere (in its public info, in other
 * services' trusted lists, in signed replies), so every URL is brought to one spelling first:
 * lower-case scheme and host, no default port, no trailing slash, no query or fragment.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';

/** Longest service URL accepted; it must fit in one object-store key segment once encoded. */
export const SERVICE_URL_LENGTH_MAX_CHARS = 160;

/** The kinds of Acquire service. */
export const SERVICE_TYPES: readonly ['identity', 'accounting', 'access'] = [
  'identity',
  'accounting',
  'access',
];

/** One of {@link SERVICE_TYPES}. */
export type ServiceType = (typeof SERVICE_TYPES)[number];

/**
 * Brings a service URL to its canonical spelling.
 *
 * @param text - an `http:` or `https:` URL, for example `https://ID.example.com:443/acquire/`
 * @returns the canonical URL, for example `https://id.example.com/acquire`
 * @throws AcquireError `INVALID_ARGUMENT` when `text` is not an http(s) URL, carries credentials,
 *   a query or a fragment, or is longer than {@link SERVICE_URL_LENGTH_MAX_CHARS}
 */
export function canonicalServiceUrl(text: string): string {
  if (typeof text !== 'string' || text.length > SERVICE_URL_LENGTH_MAX_CHARS) {
    throw invalidUrl();
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw invalidUrl(cause);
  }

  const allowed =
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    !text.includes('?') &&
    !text.includes('#');
  if (!allowed) {
    throw invalidUrl();
  }

  const canonical = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  if (canonical.length > SERVICE_URL_LENGTH_MAX_CHARS) {
    throw invalidUrl();
  }
  return canonical;
}

/**
 * The path part of a canonical service URL, without a trailing slash (`''` for a root URL).
 *
 * @param canonicalUrl - a URL from {@link canonicalServiceUrl}
 * @returns the path, for example `/acquire`
 */
export function serviceBasePath(canonicalUrl: string): string {
  return new URL(canonicalUrl).pathname.replace(/\/+$/, '');
}

function invalidUrl(cause?: unknown): AcquireError {
  return new AcquireError(
    ErrorCode.INVALID_ARGUMENT,
    'service URL must be an http(s) URL without credentials, query or fragment, ' +
      `at most ${SERVICE_URL_LENGTH_MAX_CHARS} characters`,
    { cause },
  );
}
