/**
 * An Acquire object store on a local directory: the embedded default, and the store of a small
 * deployment whose server processes share one machine. Writes are atomic and optionally durable,
 * conditional writes hold across processes, crashed processes leave no torn record and no lock
 * that outlives them, and keys map to portable file names that can never leave the root.
 *
 * @example
 * ```ts
 * import { writeJsonIfAbsent, readJson } from '@acquire/core';
 * import { createFsStore } from '@acquire/store-fs';
 *
 * const store = createFsStore({ root: '/var/lib/acquire' });
 * await writeJsonIfAbsent(store, 'accounts/alice', { balance: '0' });
 * const account = await readJson(store, 'accounts/alice');
 * ```
 *
 * @module
 */

export { LOCK_LEASE_MS } from './file-lock.js';
export {
  createFsStore,
  type FsStoreOptions,
  LOCK_LEASE_MS_MAX,
  LOCK_LEASE_MS_MIN,
} from './fs-store.js';
export { ENCODED_NAME_LENGTH_MAX_BYTES, OBJECT_FILE_SUFFIX } from './key-names.js';
