/**
 * The capability check: before a store trusts a server, it proves that the server honours
 * conditional writes, by making writes that must fail and seeing whether they do.
 *
 * The probe objects live under the store prefix, with a name no store key can have, and are
 * removed afterwards.
 *
 * @module
 */

import { encodeTombstoneFrame } from '@acquire/core';
import { probeObjectKey } from './object-keys.js';
import { isNotImplemented } from './s3-errors.js';
import {
  type ConditionalOutcome,
  deleteObject,
  type PutCondition,
  putObject,
  type S3Target,
} from './s3-objects.js';

/** What the capability check found out about a server. */
export interface S3ServerSupport {
  /** `If-None-Match: *` and `If-Match` on PutObject are honoured, so writes are atomic. */
  readonly conditionalWrites: boolean;
  /** `If-Match` on DeleteObject is honoured. Without it, conditional deletes write tombstones. */
  readonly conditionalDeletes: boolean;
  /** One sentence for each conditional feature the server lacks; empty when it has them all. */
  readonly missing: readonly string[];
}

/** An ETag no object has: the MD5 of our bodies is never all zeros in practice. */
const WRONG_ETAG = '"00000000000000000000000000000000"';

type ProbeOutcome = ConditionalOutcome | { readonly outcome: 'not-implemented' };

/**
 * Probes a server's conditional requests with throwaway objects under the store prefix.
 *
 * @param target - client and bucket
 * @param storePrefix - the store's prefix, so the probe needs no rights outside it
 * @returns what the server supports
 * @throws AcquireError `STORE_UNAVAILABLE` when a probe request fails for another reason
 */
export async function probeServer(target: S3Target, storePrefix: string): Promise<S3ServerSupport> {
  const probeKey = probeObjectKey(storePrefix);
  const absentKey = probeObjectKey(storePrefix);

  try {
    const writes = await probeConditionalWrites(target, probeKey, absentKey);
    const deletes = await probeConditionalDeletes(target, probeKey, writes.etag);
    return {
      conditionalWrites: writes.missing.length === 0,
      conditionalDeletes: deletes.length === 0,
      missing: [...writes.missing, ...deletes],
    };
  } finally {
    await Promise.allSettled([deleteObject(target, probeKey), deleteObject(target, absentKey)]);
  }
}

interface WriteProbeResult {
  readonly missing: readonly string[];
  /** The probe object's ETag, when it is known to exist. */
  readonly etag: string | undefined;
}

async function probeConditionalWrites(
  target: S3Target,
  probeKey: string,
  absentKey: string,
): Promise<WriteProbeResult> {
  const missing: string[] = [];
  const created = await probePut(target, probeKey, { ifNoneMatch: '*' });
  if (created.outcome !== 'done') {
    missing.push('If-None-Match: * on PutObject (a create-only write of a new key was refused)');
    return { missing, etag: undefined };
  }

  let etag = created.etag;
  const again = await probePut(target, probeKey, { ifNoneMatch: '*' });
  if (again.outcome !== 'precondition-failed') {
    missing.push('If-None-Match: * on PutObject (a second create-only write was not refused)');
    etag = again.outcome === 'done' ? again.etag : etag;
  }

  const stale = await probePut(target, probeKey, { ifMatch: WRONG_ETAG });
  if (stale.outcome !== 'precondition-failed') {
    missing.push('If-Match on PutObject (a write naming another ETag was not refused)');
    etag = stale.outcome === 'done' ? stale.etag : etag;
  }

  const current = await probePut(target, probeKey, { ifMatch: etag });
  if (current.outcome === 'done') {
    etag = current.etag;
  } else {
    missing.push('If-Match on PutObject (a write naming the current ETag was refused)');
  }

  const absent = await probePut(target, absentKey, { ifMatch: WRONG_ETAG });
  if (absent.outcome !== 'precondition-failed') {
    missing.push('If-Match on PutObject for an absent key (the write was not refused)');
  }
  return { missing, etag };
}

async function probeConditionalDeletes(
  target: S3Target,
  probeKey: string,
  etag: string | undefined,
): Promise<string[]> {
  if (etag === undefined) {
    return ['If-Match on DeleteObject (not probed: no probe object could be created)'];
  }

  const stale = await probeDelete(target, probeKey, WRONG_ETAG);
  if (stale.outcome !== 'precondition-failed') {
    return ['If-Match on DeleteObject (a delete naming another ETag was not refused)'];
  }
  const current = await probeDelete(target, probeKey, etag);
  if (current.outcome !== 'done') {
    return ['If-Match on DeleteObject (a delete naming the current ETag was refused)'];
  }
  return [];
}

async function probePut(
  target: S3Target,
  objectKey: string,
  condition: PutCondition,
): Promise<ProbeOutcome> {
  try {
    return await putObject(target, objectKey, encodeTombstoneFrame().body, condition);
  } catch (error) {
    if (isNotImplemented(error)) {
      return { outcome: 'not-implemented' };
    }
    throw error;
  }
}

async function probeDelete(
  target: S3Target,
  objectKey: string,
  ifMatch: string,
): Promise<ProbeOutcome> {
  try {
    return await deleteObject(target, objectKey, ifMatch);
  } catch (error) {
    if (isNotImplemented(error)) {
      return { outcome: 'not-implemented' };
    }
    throw error;
  }
}
