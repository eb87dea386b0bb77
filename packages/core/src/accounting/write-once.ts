/**
 * Writes of objects that never change once written: line items, snapshots, index entries and
 * final records derived from a committed operation. Whoever writes first wins, and a second
 * writer of the same key, holding the same content by construction, simply stops.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';

/** Line items and index entries carry everything in their keys, so their value is empty. */
export const EMPTY_VALUE: Uint8Array = new Uint8Array(0);

/**
 * Writes an object unless it already exists.
 *
 * @param store - the store
 * @param key - the key
 * @param value - the bytes
 * @returns true when this call wrote it
 */
export async function writeOnce(
  store: ObjectStore,
  key: string,
  value: Uint8Array = EMPTY_VALUE,
): Promise<boolean> {
  try {
    await store.writeIfAbsent(key, value);
    return true;
  } catch (error) {
    if (AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      return false;
    }
    throw error;
  }
}
