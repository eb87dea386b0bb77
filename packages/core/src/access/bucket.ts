/**
 * Users' buckets in the granted storage. Object stores have no folders, so a bucket is a key
 * prefix plus a marker record that says whose it is:
 *
 * ```text
 * buckets/<user uid>/.bucket    the marker: owner, identity service, creation time (JSON)
 * buckets/<user uid>/<key>      the user's objects
 * ```
 *
 * The marker ties the bucket to the identity service that vouched for its first grant, so a
 * second trusted identity service cannot claim the bucket by naming the same user uid. Grants
 * may read and list the marker but never change or delete it.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import type { VerifiedAuthorisation } from '../service/authorisation-verifier.js';
import { readJson, writeJsonIfAbsent } from '../store/json.js';
import { isValidKey } from '../store/keys.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';

/** The key prefix under which every user's bucket lives. */
export const BUCKETS_PREFIX = 'buckets';

/** The name, inside a bucket, of the marker record. */
export const BUCKET_MARKER_NAME = '.bucket';

/**
 * Creating a bucket is read, write-if-absent, and a read again when a racer won; a third try
 * covers a marker deleted by an operator between those steps.
 */
const BUCKET_CLAIM_ATTEMPTS_MAX = 3;

/** The marker record of a bucket. */
export interface BucketRecord {
  /** The user who owns the bucket. */
  readonly userUid: string;
  /** The identity service that vouched for the user when the bucket was made. */
  readonly identityUrl: string;
  /** When the bucket was made, in ms since the Unix epoch. */
  readonly createdAtMs: number;
}

/** What {@link ensureBucket} did. */
export interface EnsuredBucket {
  /** The bucket's key prefix. */
  readonly prefix: string;
  /** True when this call made the bucket, false when it existed already. */
  readonly created: boolean;
}

const BUCKET_RECORD_SCHEMA = v.object({
  userUid: v.string(),
  identityUrl: v.string(),
  createdAtMs: v.number(),
});

/**
 * The key prefix of a user's bucket.
 *
 * @param userUid - the user's uid; it must be one valid key segment
 * @returns `buckets/<userUid>`
 * @throws AcquireError `ACCESS_NOT_PERMITTED` when the uid cannot name a bucket (for example it
 *   contains `/`, which would place it inside another user's bucket)
 */
export function bucketPrefix(userUid: string): string {
  const prefix = `${BUCKETS_PREFIX}/${userUid}`;
  if (userUid.includes('/') || !isValidKey(prefix)) {
    throw new AcquireError(
      ErrorCode.ACCESS_NOT_PERMITTED,
      'the user uid cannot name a bucket: it must be one valid key segment',
    );
  }
  return prefix;
}

/**
 * The key of a bucket's marker record.
 *
 * @param prefix - the bucket's prefix from {@link bucketPrefix}
 * @returns `<prefix>/.bucket`
 */
export function bucketMarkerKey(prefix: string): string {
  return `${prefix}/${BUCKET_MARKER_NAME}`;
}

/**
 * Makes the user's bucket unless it exists, exactly once even when many calls race, and checks
 * that an existing bucket belongs to the same identity service.
 *
 * @param storage - the store grants give access to
 * @param verified - who is asking, as the authorisation verifier found
 * @param clock - the source of the creation time
 * @returns the bucket's prefix and whether this call made it
 * @throws AcquireError `ACCESS_NOT_PERMITTED` when the uid cannot name a bucket or the bucket
 *   belongs to another identity service; `CORRUPT_RECORD` when the marker is unreadable
 */
export async function ensureBucket(
  storage: ObjectStore,
  verified: VerifiedAuthorisation,
  clock: Clock,
): Promise<EnsuredBucket> {
  const prefix = bucketPrefix(verified.userUid);
  const markerKey = bucketMarkerKey(prefix);

  for (let attempt = 1; attempt <= BUCKET_CLAIM_ATTEMPTS_MAX; attempt++) {
    const existing = await readJson(storage, markerKey, parseBucketRecord);
    if (existing !== undefined) {
      assertSameOwner(existing.value, verified);
      return { prefix, created: false };
    }

    const record: BucketRecord = {
      userUid: verified.userUid,
      identityUrl: verified.identityUrl,
      createdAtMs: clock.now(),
    };
    try {
      await writeJsonIfAbsent(storage, markerKey, record);
      return { prefix, created: true };
    } catch (error) {
      if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
        throw error;
      }
    }
  }

  throw new AcquireError(
    ErrorCode.STORE_UNAVAILABLE,
    `bucket marker ${markerKey} kept changing; try again`,
  );
}

function parseBucketRecord(value: unknown): BucketRecord {
  return v.parse(BUCKET_RECORD_SCHEMA, value);
}

function assertSameOwner(record: BucketRecord, verified: VerifiedAuthorisation): void {
  if (record.userUid !== verified.userUid || record.identityUrl !== verified.identityUrl) {
    throw new AcquireError(
      ErrorCode.ACCESS_NOT_PERMITTED,
      'this bucket belongs to a user of another identity service',
    );
  }
}
