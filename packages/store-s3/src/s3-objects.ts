/**
 * The S3 requests the store makes, one function each: get, peek, head, put and delete, with
 * conditions. A failed precondition is an outcome these functions return; anything unexpected
 * is thrown as `STORE_UNAVAILABLE`.
 *
 * Throttling (503 SlowDown), other 5xx answers and dropped connections are retried by the SDK's
 * standard retry strategy. A 409 `ConditionalRequestConflict`, which S3 returns while another
 * conditional write to the same key is in flight, is retried here a bounded number of times, as
 * the PutObject API reference asks.
 *
 * @module
 */

import { AcquireError, backOff, ErrorCode, OBJECT_FRAME_PEEK_BYTES } from '@acquire/core';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeS3Failure, storeUnavailable } from './s3-errors.js';

/**
 * Attempts of one request that keeps meeting 409 conflicts. Conflicts last only while another
 * conditional request on the key is in flight (tens of milliseconds), and each retry waits up to
 * 20 ms, so ten attempts outlast any realistic burst.
 */
export const CONFLICT_ATTEMPTS_MAX = 10;

/** Where objects live. */
export interface S3Target {
  /** The SDK client. */
  readonly client: S3Client;
  /** The bucket. */
  readonly bucket: string;
}

/** A condition on a write: the key must hold nothing, or an object with this ETag. */
export type PutCondition = { readonly ifNoneMatch: '*' } | { readonly ifMatch: string };

/** The outcome of a conditional request that reached the server. */
export type ConditionalOutcome =
  | { readonly outcome: 'done'; readonly etag: string }
  | {
      readonly outcome: 'precondition-failed';
      /** The SDK sent the request more than once, so an earlier attempt may have succeeded. */
      readonly retried: boolean;
    };

/** A whole object. */
export interface FetchedObject {
  /** The stored bytes. */
  readonly body: Uint8Array;
  /** The object's ETag, quoted as S3 sends it. */
  readonly etag: string;
}

/** The first bytes of an object. */
export interface PeekedObject {
  /** Up to {@link OBJECT_FRAME_PEEK_BYTES} bytes from the start. */
  readonly head: Uint8Array;
  /** The whole object's ETag. */
  readonly etag: string;
}

/**
 * Reads a whole object.
 *
 * @param target - client and bucket
 * @param objectKey - the object key
 * @returns the bytes and ETag, or `undefined` when there is no object
 * @throws AcquireError `CORRUPT_RECORD` when fewer bytes arrive than the length header promised;
 *   `STORE_UNAVAILABLE` for any other failure
 */
export async function getObject(
  target: S3Target,
  objectKey: string,
): Promise<FetchedObject | undefined> {
  try {
    const response = await target.client.send(
      new GetObjectCommand({ Bucket: target.bucket, Key: objectKey }),
    );
    const body = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
    if (response.ContentLength !== undefined && response.ContentLength !== body.length) {
      throw new AcquireError(
        ErrorCode.CORRUPT_RECORD,
        `object ${objectKey} arrived with ${body.length} of ${response.ContentLength} bytes`,
        { details: { key: objectKey } },
      );
    }
    return { body, etag: requireEtag(response.ETag, 'GetObject', objectKey) };
  } catch (error) {
    if (AcquireError.is(error)) {
      throw error;
    }
    if (describeS3Failure(error).status === 404) {
      return undefined;
    }
    throw storeUnavailable(error, 'GetObject', objectKey);
  }
}

/**
 * Reads the first {@link OBJECT_FRAME_PEEK_BYTES} bytes of an object with a range request.
 *
 * @param target - client and bucket
 * @param objectKey - the object key
 * @returns the first bytes and the ETag, or `undefined` when there is no object
 * @throws AcquireError `STORE_UNAVAILABLE` when the request fails
 */
export async function peekObject(
  target: S3Target,
  objectKey: string,
): Promise<PeekedObject | undefined> {
  try {
    const response = await target.client.send(
      new GetObjectCommand({
        Bucket: target.bucket,
        Key: objectKey,
        Range: `bytes=0-${OBJECT_FRAME_PEEK_BYTES - 1}`,
      }),
    );
    const head = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
    return { head, etag: requireEtag(response.ETag, 'GetObject', objectKey) };
  } catch (error) {
    if (AcquireError.is(error)) {
      throw error;
    }
    const { status } = describeS3Failure(error);
    if (status === 404) {
      return undefined;
    }
    if (status === 416) {
      // An empty object has no byte 0, so S3 refuses the range (RFC 9110 §15.5.17).
      const etag = await headObject(target, objectKey);
      return etag === undefined ? undefined : { head: new Uint8Array(0), etag };
    }
    throw storeUnavailable(error, 'GetObject', objectKey);
  }
}

/**
 * Reads an object's ETag.
 *
 * @param target - client and bucket
 * @param objectKey - the object key
 * @returns the ETag, or `undefined` when there is no object
 * @throws AcquireError `STORE_UNAVAILABLE` when the request fails
 */
export async function headObject(target: S3Target, objectKey: string): Promise<string | undefined> {
  try {
    const response = await target.client.send(
      new HeadObjectCommand({ Bucket: target.bucket, Key: objectKey }),
    );
    return requireEtag(response.ETag, 'HeadObject', objectKey);
  } catch (error) {
    if (AcquireError.is(error)) {
      throw error;
    }
    if (describeS3Failure(error).status === 404) {
      return undefined;
    }
    throw storeUnavailable(error, 'HeadObject', objectKey);
  }
}

/**
 * Writes an object, optionally with `If-None-Match: *` or `If-Match: <etag>` (S3 user guide,
 * "How to prevent object overwrites with conditional writes"). S3 answers a failed condition with
 * 412, or with 404 when `If-Match` names an absent key; both are a failed precondition here.
 *
 * @param target - client and bucket
 * @param objectKey - the object key
 * @param body - the bytes
 * @param condition - the condition, if any
 * @returns the new ETag, or a failed precondition
 * @throws AcquireError `STORE_UNAVAILABLE` when the request fails otherwise
 */
export async function putObject(
  target: S3Target,
  objectKey: string,
  body: Uint8Array,
  condition?: PutCondition,
): Promise<ConditionalOutcome> {
  const input = {
    Bucket: target.bucket,
    Key: objectKey,
    Body: body,
    ContentLength: body.length,
    ContentType: 'application/octet-stream',
    IfNoneMatch: condition !== undefined && 'ifNoneMatch' in condition ? '*' : undefined,
    IfMatch: condition !== undefined && 'ifMatch' in condition ? condition.ifMatch : undefined,
  };

  try {
    const response = await sendWithConflictRetries(() =>
      target.client.send(new PutObjectCommand(input)),
    );
    return { outcome: 'done', etag: requireEtag(response.ETag, 'PutObject', objectKey) };
  } catch (error) {
    if (AcquireError.is(error)) {
      throw error;
    }
    const failed = failedPrecondition(error, condition !== undefined);
    if (failed !== undefined) {
      return failed;
    }
    throw storeUnavailable(error, 'PutObject', objectKey);
  }
}

/**
 * Deletes an object, optionally only when its ETag matches (S3 user guide, "How to perform
 * conditional deletes"). Deleting an absent key without a condition succeeds.
 *
 * @param target - client and bucket
 * @param objectKey - the object key
 * @param ifMatch - the ETag the object must have, if any
 * @returns `done` (with an empty ETag), or a failed precondition
 * @throws AcquireError `STORE_UNAVAILABLE` when the request fails otherwise
 */
export async function deleteObject(
  target: S3Target,
  objectKey: string,
  ifMatch?: string,
): Promise<ConditionalOutcome> {
  const input = { Bucket: target.bucket, Key: objectKey, IfMatch: ifMatch };

  try {
    await sendWithConflictRetries(() => target.client.send(new DeleteObjectCommand(input)));
    return { outcome: 'done', etag: '' };
  } catch (error) {
    const failed = failedPrecondition(error, ifMatch !== undefined);
    if (failed !== undefined) {
      return failed;
    }
    throw storeUnavailable(error, 'DeleteObject', objectKey);
  }
}

/**
 * Checks a write condition by reading the object's ETag first. This is not atomic: another
 * writer can change the object between the check and the write. Only a store that was told to
 * run on a server without conditional writes uses it.
 *
 * @param target - client and bucket
 * @param objectKey - the object key
 * @param condition - the condition to check
 * @returns true when the condition held at the time of reading
 * @throws AcquireError `STORE_UNAVAILABLE` when the request fails
 */
export async function conditionHoldsNow(
  target: S3Target,
  objectKey: string,
  condition: PutCondition,
): Promise<boolean> {
  const etag = await headObject(target, objectKey);
  return 'ifNoneMatch' in condition ? etag === undefined : etag === condition.ifMatch;
}

async function sendWithConflictRetries<T>(send: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < CONFLICT_ATTEMPTS_MAX; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (describeS3Failure(error).status !== 409) {
        throw error;
      }
      lastError = error;
      await backOff(attempt);
    }
  }
  throw lastError;
}

function failedPrecondition(error: unknown, conditional: boolean): ConditionalOutcome | undefined {
  const failure = describeS3Failure(error);
  const failed = failure.status === 412 || (conditional && failure.status === 404);
  return failed ? { outcome: 'precondition-failed', retried: failure.attempts > 1 } : undefined;
}

function requireEtag(etag: string | undefined, operation: string, objectKey: string): string {
  if (etag === undefined || etag === '') {
    throw new AcquireError(
      ErrorCode.STORE_UNAVAILABLE,
      `S3 ${operation} for ${objectKey} returned no ETag; the store needs ETags as versions`,
      { details: { operation, key: objectKey } },
    );
  }
  return etag;
}
