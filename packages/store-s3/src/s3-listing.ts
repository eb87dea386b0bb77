/**
 * One page of a store listing from one ListObjectsV2 request.
 *
 * S3 lists keys in UTF-8 binary order, which is the code point order of core's `compareKeys`, and
 * `StartAfter` resumes right after a given key, so each page is one request and the core's
 * `listKeys` walks the pages lazily. Each page is also sorted here, which changes nothing on S3
 * but puts servers that list in file-system order (s3rver) right within a page.
 *
 * @module
 */

import {
  AcquireError,
  assertListPageOptions,
  assertValidPrefix,
  compareKeys,
  ErrorCode,
  isKeyUnderPrefix,
  isValidKey,
  type ListPage,
  type ListPageOptions,
  OBJECT_FRAME_TOMBSTONE_BYTES,
  resolvePageLimit,
} from '@acquire/core';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { decodeListedKey, fromObjectKey, toObjectKey, toObjectPrefix } from './object-keys.js';
import { storeUnavailable } from './s3-errors.js';
import type { S3Target } from './s3-objects.js';

/**
 * Checks the arguments of a listing, before any request is made.
 *
 * @param prefix - `''` or a valid key
 * @param options - where to start and how many
 * @returns the page size to ask for
 * @throws AcquireError `INVALID_KEY` for a bad prefix, `INVALID_ARGUMENT` for a bad limit or
 *   start key
 */
export function checkListArguments(prefix: string, options: ListPageOptions): number {
  assertValidPrefix(prefix);
  assertListPageOptions(options);
  return resolvePageLimit(options.limit);
}

/**
 * Lists one page of store keys under a prefix. Objects that are not store keys (probe objects,
 * foreign objects with names that break the key rules) and tombstones are left out, so a page
 * may hold fewer keys than the limit while `next` says more may follow.
 *
 * @param target - client and bucket
 * @param storePrefix - the store's prefix
 * @param prefix - `''` or a valid key naming whole segments
 * @param options - where to start and how many
 * @returns the page, with keys relative to the store prefix
 * @throws AcquireError `INVALID_KEY` for a bad prefix, `INVALID_ARGUMENT` for a bad limit or
 *   start key, `STORE_UNAVAILABLE` when the request fails
 */
export async function listObjectPage(
  target: S3Target,
  storePrefix: string,
  prefix: string,
  options: ListPageOptions,
): Promise<ListPage> {
  const limit = checkListArguments(prefix, options);
  const { startAfter } = options;

  const response = await sendList(target, {
    Bucket: target.bucket,
    Prefix: toObjectPrefix(storePrefix, prefix) || undefined,
    StartAfter: startAfter === undefined ? undefined : toObjectKey(storePrefix, startAfter),
    MaxKeys: limit,
    EncodingType: 'url',
  });

  const listed = (response.Contents ?? []).map((entry) => ({
    key: fromObjectKey(storePrefix, decodeListedKey(entry.Key ?? '', response.EncodingType)),
    size: entry.Size,
  }));
  const keys = listed
    .filter((entry) => entry.size !== OBJECT_FRAME_TOMBSTONE_BYTES)
    .map((entry) => entry.key)
    .filter((key) => isValidKey(key) && isKeyUnderPrefix(key, prefix))
    .sort(compareKeys);

  if (response.IsTruncated !== true) {
    return { keys };
  }
  const last = listed.at(-1);
  if (last === undefined) {
    throw new AcquireError(
      ErrorCode.STORE_UNAVAILABLE,
      'the S3 server said more keys follow but listed none',
    );
  }
  return { keys, next: last.key };
}

type ListInput = ConstructorParameters<typeof ListObjectsV2Command>[0];

async function sendList(target: S3Target, input: ListInput) {
  try {
    return await target.client.send(new ListObjectsV2Command(input));
  } catch (error) {
    throw storeUnavailable(error, 'ListObjectsV2', input.Prefix);
  }
}
