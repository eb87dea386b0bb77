/**
 * How store keys become S3 object keys: a store prefix and a `/` before each key, a reserved
 * name for capability probes that no store key can take, and decoding of listed names.
 *
 * @module
 */

import {
  AcquireError,
  assertValidKey,
  base64UrlEncode,
  ErrorCode,
  KEY_LENGTH_MAX_BYTES,
  randomBytes,
} from '@acquire/core';

/** S3 object keys are at most 1,024 bytes of UTF-8 (S3 user guide, "Naming objects"). */
export const S3_KEY_LENGTH_MAX_BYTES = 1024;

/**
 * The longest store prefix: with the `/` after it, every valid key (at most
 * {@link KEY_LENGTH_MAX_BYTES} bytes) still fits in an S3 object key.
 */
export const STORE_PREFIX_LENGTH_MAX_BYTES: number =
  S3_KEY_LENGTH_MAX_BYTES - KEY_LENGTH_MAX_BYTES - 1;

/**
 * Random bytes in a probe object's name. Base64url turns 150 bytes into a 200-character segment,
 * which with its leading marker is longer than any valid key segment (200 bytes), so a probe can
 * never collide with a stored key and listings skip it as an invalid key.
 */
const PROBE_NAME_RANDOM_BYTES = 150;

/** Marks probe objects for people browsing the bucket. */
const PROBE_NAME_MARKER = '.acquire-capability-probe.';

const utf8Encoder = new TextEncoder();

/**
 * Checks a store prefix: `''`, or a valid key of at most {@link STORE_PREFIX_LENGTH_MAX_BYTES}
 * bytes.
 *
 * @param prefix - the prefix to check
 * @throws AcquireError `INVALID_KEY` when it breaks the key rules; `INVALID_ARGUMENT` when it is
 *   too long
 */
export function assertValidStorePrefix(prefix: string): void {
  if (prefix === '') {
    return;
  }
  assertValidKey(prefix, 'store prefix');
  if (utf8Encoder.encode(prefix).length > STORE_PREFIX_LENGTH_MAX_BYTES) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `store prefix must be at most ${STORE_PREFIX_LENGTH_MAX_BYTES} bytes of UTF-8, so that ` +
        `every key fits in an S3 object key`,
    );
  }
}

/**
 * Turns a store key (or listing prefix) into the S3 object key under the store prefix.
 *
 * @param storePrefix - the store's prefix, `''` for none
 * @param key - a valid key
 * @returns the object key
 */
export function toObjectKey(storePrefix: string, key: string): string {
  return storePrefix === '' ? key : `${storePrefix}/${key}`;
}

/**
 * The S3 `Prefix` that lists every key under a listing prefix, by whole segments.
 *
 * @param storePrefix - the store's prefix, `''` for none
 * @param listPrefix - `''` or a valid key
 * @returns the S3 prefix, `''` for the whole bucket
 */
export function toObjectPrefix(storePrefix: string, listPrefix: string): string {
  const joined = listPrefix === '' ? storePrefix : toObjectKey(storePrefix, listPrefix);
  return joined === '' ? '' : `${joined}/`;
}

/**
 * Removes the store prefix from a listed object key.
 *
 * @param storePrefix - the store's prefix, `''` for none
 * @param objectKey - an object key listed under the store prefix
 * @returns the key as the store names it
 */
export function fromObjectKey(storePrefix: string, objectKey: string): string {
  return storePrefix === '' ? objectKey : objectKey.slice(storePrefix.length + 1);
}

/**
 * Makes a fresh object key for a capability probe, under the store prefix but outside the set of
 * valid store keys.
 *
 * @param storePrefix - the store's prefix, `''` for none
 * @returns an object key no other writer uses
 */
export function probeObjectKey(storePrefix: string): string {
  const name = `${PROBE_NAME_MARKER}${base64UrlEncode(randomBytes(PROBE_NAME_RANDOM_BYTES))}`;
  return toObjectKey(storePrefix, name);
}

/**
 * Decodes an object key from a ListObjectsV2 response. With `encoding-type=url` S3 percent-encodes
 * names and writes spaces as `+` (a literal `+` arrives as `%2B`); a server that ignores the
 * request parameter says so by leaving `EncodingType` out of its response.
 *
 * @param listed - the `Key` as listed
 * @param encodingType - the response's `EncodingType`
 * @returns the object key
 * @throws AcquireError `STORE_UNAVAILABLE` when an encoded name is malformed
 */
export function decodeListedKey(listed: string, encodingType: string | undefined): string {
  if (encodingType !== 'url') {
    return listed;
  }
  try {
    return decodeURIComponent(listed.replaceAll('+', ' '));
  } catch (error) {
    throw new AcquireError(
      ErrorCode.STORE_UNAVAILABLE,
      'the S3 server listed a malformed URL-encoded object key',
      { cause: error },
    );
  }
}
