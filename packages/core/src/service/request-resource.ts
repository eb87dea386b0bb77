/**
 * The resource string an authorisation is signed for when it authorises one request: the
 * function's wire name and a digest of its exact arguments. Binding the signature to the
 * arguments means a captured authorisation cannot be replayed with other arguments.
 *
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';

/** The argument that carries the authorisation itself, left out of the digest. */
export const AUTHORISATION_ARGUMENT = 'authorisation';

/**
 * Serialises a JSON value with object keys in JavaScript sort order at every depth, so equal values
 * always give equal text.
 *
 * @param value - a JSON value (objects, arrays, strings, finite numbers, booleans, null)
 * @returns canonical JSON text
 * @throws TypeError for values JSON cannot represent (bigint, functions, non-finite numbers)
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError('canonical JSON cannot hold a non-finite number');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

/**
 * The resource an authorisation must name to authorise one call: `<function>:<digest>`, where
 * the digest is base64url SHA-256 of the canonical JSON of the arguments without
 * `authorisation`.
 *
 * @param functionName - the wire name, for example `perform`
 * @param args - the call's arguments; an `authorisation` field is ignored
 * @returns the resource string to sign and to check
 * @example
 * ```ts
 * import { requestResource } from '@acquire/core';
 *
 * const resource = requestResource('perform', { transactions, provisional: false });
 * ```
 */
export function requestResource(
  functionName: string,
  args: Readonly<Record<string, unknown>>,
): string {
  const { [AUTHORISATION_ARGUMENT]: _authorisation, ...rest } = args;
  const digest = sha256(utf8Encode(canonicalJson(rest)));
  return `${functionName}:${base64UrlEncode(digest)}`;
}
