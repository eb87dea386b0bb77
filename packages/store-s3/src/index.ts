/**
 * Acquire's object store on Amazon S3 and S3-compatible servers (MinIO, Cloudflare R2 and others
 * that honour conditional writes), for deployments where many stateless service instances share
 * one bucket.
 *
 * Every "happens once" write is a conditional request the server decides: `If-None-Match: *` for
 * write-if-absent, `If-Match: <ETag>` for write-if-version and conditional deletes. The store
 * proves on first use that the server honours them and refuses to run where it does not.
 *
 * @example
 * ```ts
 * import { readJson, writeJsonIfAbsent } from '@acquire/core';
 * import { createS3Store } from '@acquire/store-s3';
 *
 * const store = createS3Store({ bucket: 'acquire', prefix: 'production' });
 * await store.checkCapabilities();
 * await writeJsonIfAbsent(store, 'accounts/alice', { owner: 'alice' });
 * const account = await readJson(store, 'accounts/alice');
 * const upload = await store.presignUrl('uploads/alice/avatar', { method: 'PUT' });
 * ```
 *
 * For an access service on S3, `createS3GrantPresigner(store)` signs the URLs of its
 * `presign_object`, one object each.
 *
 * @module
 */

export type { S3ServerSupport } from './capability-check.js';
export { ABSENT_ROUNDS_MAX } from './conditional-writes.js';
export { createS3GrantPresigner, type S3GrantPresignerOptions } from './grant-presigner.js';
export { S3_KEY_LENGTH_MAX_BYTES, STORE_PREFIX_LENGTH_MAX_BYTES } from './object-keys.js';
export {
  PRESIGNED_URL_EXPIRY_S_DEFAULT,
  PRESIGNED_URL_EXPIRY_S_MAX,
  type PresignedUrlOptions,
} from './presign.js';
export { CONFLICT_ATTEMPTS_MAX } from './s3-objects.js';
export {
  createS3Store,
  S3_PUT_BYTES_MAX,
  S3_VALUE_BYTES_MAX,
  type S3Store,
  VERSION_LENGTH_MAX_CHARS,
} from './s3-store.js';
export {
  BUCKET_NAME_LENGTH_MAX_CHARS,
  S3_CONNECTION_TIMEOUT_MS,
  S3_REGION_DEFAULT,
  S3_REQUEST_TIMEOUT_MS,
  type S3Credentials,
  type S3StoreOptions,
} from './s3-store-options.js';
