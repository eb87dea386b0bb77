/**
 * An idempotency key binds to the arguments of the first perform that used it. The batch uid
 * is derived from the key alone, so that a repeat finds the first attempt's markers and record;
 * two different requests under one key would therefore share a batch uid and could mistake each
 * other's markers for their own. Claiming the key with its request digest, by write-if-absent
 * before anything else is written, keeps every marker of a batch uid to one request: a request
 * with other arguments is refused before it touches an account.
 *
 * Claims are never deleted. A perform refused for its accounts' limits keeps that refusal as
 * its answer (see `perform-refusals.ts`), so a key once used is never free again.
 *
 * @module
 */

import { utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { idempotencyClaimKey } from './store-layout.js';
import { writeOnce } from './write-once.js';

/**
 * Claims an idempotency key for a request, or checks that an earlier claim was for the same
 * request.
 *
 * @param store - the ledger's store
 * @param batchUid - the batch uid derived from the key
 * @param digest - the request's digest
 * @throws AcquireError `IDEMPOTENCY_KEY_REUSED` when the key was claimed for other arguments;
 *   `CORRUPT_RECORD` when the claim cannot be read back
 */
export async function claimIdempotencyKey(
  store: ObjectStore,
  batchUid: string,
  digest: string,
): Promise<void> {
  const key = idempotencyClaimKey(batchUid);
  if (await writeOnce(store, key, utf8Encode(digest))) {
    return;
  }

  const claim = await store.read(key);
  if (claim === undefined) {
    throw new AcquireError(
      ErrorCode.CORRUPT_RECORD,
      `the claim of batch ${batchUid}'s idempotency key vanished`,
    );
  }
  if (utf8Decode(claim.value) !== digest) {
    throw new AcquireError(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      'the idempotency key was already used for a perform with other arguments',
    );
  }
}
