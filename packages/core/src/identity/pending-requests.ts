/**
 * Finding the pending request a person means by a short uid. Short uids are 8 hex digits, so
 * two requests may share one; the username narrows the candidates to that user's, and two of
 * one user's pending requests sharing a short uid are refused as ambiguous.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { readJson } from '../store/json.js';
import { listKeys } from '../store/listing.js';
import type { ObjectStore } from '../store/object-store.js';
import { SESSION_REQUEST_TTL_MS } from './login-session.js';
import { parsePendingRequest } from './session-records.js';
import { requestsPrefix } from './store-layout.js';

/**
 * At most this many requests under one short uid are looked at. A collision of even two is a
 * 1 in 2^32 event per pair of live requests, so 50 means someone is flooding the prefix.
 */
export const REQUESTS_PER_SHORT_UID_SCAN_MAX = 50;

/**
 * Finds the one unexpired pending request of a user under a short uid.
 *
 * @param store - the identity store
 * @param shortUid - the short uid from the login URL
 * @param name - the username key segment
 * @param nowMs - now
 * @returns the session uid, or `undefined` when the user has no such request
 * @throws AcquireError `LOGIN_AMBIGUOUS` when the user has two
 */
export async function findPendingRequest(
  store: ObjectStore,
  shortUid: string,
  name: string,
  nowMs: number,
): Promise<string | undefined> {
  const prefix = requestsPrefix(shortUid);
  let found: string | undefined;
  let scanned = 0;

  for await (const key of listKeys(store, prefix)) {
    if (++scanned > REQUESTS_PER_SHORT_UID_SCAN_MAX) {
      break;
    }
    const request = await readJson(store, key, parsePendingRequest);
    if (
      request === undefined ||
      request.value.name !== name ||
      nowMs - request.value.requestTimeMs >= SESSION_REQUEST_TTL_MS
    ) {
      continue;
    }
    if (found !== undefined) {
      throw new AcquireError(
        ErrorCode.LOGIN_AMBIGUOUS,
        'two pending requests share this short uid; request a new login',
      );
    }
    found = key.slice(prefix.length + 1);
  }
  return found;
}
