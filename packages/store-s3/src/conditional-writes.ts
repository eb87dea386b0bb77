/**
 * The store's conditional operations on top of single S3 requests: write-if-absent that can
 * replace a tombstone, write-if-version, and delete-if-version with or without server support.
 *
 * Two details make them exact. First, a request the SDK retried after a lost answer can report a
 * failed precondition although its first attempt wrote: the body's random write id tells our own
 * write apart, so such a write is reported as done. Second, on a server that ignores `If-Match` on
 * DeleteObject (MinIO was reported to; Cloudflare R2 does not document it), a conditional delete
 * replaces the object with a tombstone by a conditional PutObject, which such servers do honour.
 * Tombstones read as absent, are skipped by listings and are replaced by write-if-absent; an
 * unconditional delete removes them.
 *
 * @module
 */

import {
  bytesEqual,
  type EncodedObjectFrame,
  encodeTombstoneFrame,
  peekObjectFrame,
} from '@acquire/core';
import {
  type ConditionalOutcome,
  conditionHoldsNow,
  deleteObject,
  type PutCondition,
  peekObject,
  putObject,
  type S3Target,
} from './s3-objects.js';

/**
 * Rounds of write-if-absent on a key that keeps changing between a tombstone and a value. Each
 * round fails only because another writer deleted or created the key in between, so a few rounds
 * settle any real contention.
 */
export const ABSENT_ROUNDS_MAX = 5;

/** How the store must make its conditional requests on this server. */
export interface WriteMode {
  /**
   * Check conditions by reading first, because the server ignores them. Racy: only a store told
   * to run on such a server anyway does this.
   */
  readonly emulateConditions: boolean;
  /** The server honours `If-Match` on DeleteObject. */
  readonly conditionalDeletes: boolean;
}

/**
 * Writes a body only when the key holds no value (nothing, or a tombstone).
 *
 * @param target - client and bucket
 * @param mode - how conditions are made
 * @param objectKey - the object key
 * @param encoded - the body and its write id
 * @returns the new ETag, or a failed precondition when a value exists
 * @throws AcquireError `STORE_UNAVAILABLE` when a request fails
 */
export async function putIfAbsent(
  target: S3Target,
  mode: WriteMode,
  objectKey: string,
  encoded: EncodedObjectFrame,
): Promise<ConditionalOutcome> {
  for (let round = 0; round < ABSENT_ROUNDS_MAX; round++) {
    const created = await conditionalPut(target, mode, objectKey, encoded, { ifNoneMatch: '*' });
    if (created.outcome === 'done') {
      return created;
    }

    const current = await peekObject(target, objectKey);
    if (current === undefined) {
      continue;
    }
    const header = peekObjectFrame(current.head);
    if (bytesEqual(header.writeId, encoded.writeId)) {
      return { outcome: 'done', etag: current.etag };
    }
    if (header.kind !== 'tombstone') {
      return created;
    }

    const replaced = await conditionalPut(target, mode, objectKey, encoded, {
      ifMatch: current.etag,
    });
    if (replaced.outcome === 'done') {
      return replaced;
    }
  }
  return { outcome: 'precondition-failed', retried: false };
}

/**
 * Writes a body only when the object's ETag is `version`.
 *
 * @param target - client and bucket
 * @param mode - how conditions are made
 * @param objectKey - the object key
 * @param encoded - the body and its write id
 * @param version - the ETag the object must have
 * @returns the new ETag, or a failed precondition
 * @throws AcquireError `STORE_UNAVAILABLE` when a request fails
 */
export async function putIfVersion(
  target: S3Target,
  mode: WriteMode,
  objectKey: string,
  encoded: EncodedObjectFrame,
  version: string,
): Promise<ConditionalOutcome> {
  const written = await conditionalPut(target, mode, objectKey, encoded, { ifMatch: version });
  return written.outcome === 'done' || !written.retried
    ? written
    : await ownWriteOr(target, objectKey, encoded, written);
}

/**
 * Deletes an object only when its ETag is `version`: with `If-Match` on DeleteObject where the
 * server honours it, and by writing a tombstone where it does not.
 *
 * @param target - client and bucket
 * @param mode - how conditions are made
 * @param objectKey - the object key
 * @param version - the ETag the object must have
 * @returns `done`, or a failed precondition
 * @throws AcquireError `STORE_UNAVAILABLE` when a request fails
 */
export async function deleteIfVersion(
  target: S3Target,
  mode: WriteMode,
  objectKey: string,
  version: string,
): Promise<ConditionalOutcome> {
  if (mode.conditionalDeletes) {
    return deleteObject(target, objectKey, version);
  }
  const tombstone = encodeTombstoneFrame();
  return putIfVersion(target, mode, objectKey, tombstone, version);
}

async function conditionalPut(
  target: S3Target,
  mode: WriteMode,
  objectKey: string,
  encoded: EncodedObjectFrame,
  condition: PutCondition,
): Promise<ConditionalOutcome> {
  if (mode.emulateConditions && !(await conditionHoldsNow(target, objectKey, condition))) {
    return { outcome: 'precondition-failed', retried: false };
  }
  return putObject(target, objectKey, encoded.body, condition);
}

async function ownWriteOr(
  target: S3Target,
  objectKey: string,
  encoded: EncodedObjectFrame,
  failed: ConditionalOutcome,
): Promise<ConditionalOutcome> {
  const current = await peekObject(target, objectKey);
  const ours =
    current !== undefined && bytesEqual(peekObjectFrame(current.head).writeId, encoded.writeId);
  return ours ? { outcome: 'done', etag: current.etag } : failed;
}
