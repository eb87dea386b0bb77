/**
 * A ready-made access service: the runtime with the access functions, checking users with its
 * trusted identity services and signing grants with a key of its own.
 *
 * Its functions are `request_bucket` (a grant for the user's bucket), `read_object`,
 * `write_object`, `list_objects` and `delete_object` (storage through the service, within the
 * grant), and `presign_object` (a pre-signed URL for one object, when a presigner is
 * configured, so that large objects go straight to and from the storage).
 *
 * @module
 */

import type { AccessContext } from '../access/access-context.js';
import { ACCESS_FUNCTIONS } from '../access/access-functions.js';
import {
  ACCESS_PERMISSIONS_DEFAULT,
  type AccessPermissions,
} from '../access/access-permissions.js';
import type { GrantPresigner } from '../access/grant-presigner.js';
import { createService, type ServiceHandler } from '../service/create-service.js';
import type { ObjectStore } from '../store/object-store.js';
import { openGrantSigningKey } from './grant-signing-key.js';
import { createTrustingVerifier, type ReadyServiceOptions } from './service-options.js';

/** Options for {@link createAccessService}. */
export interface AccessServiceOptions extends ReadyServiceOptions {
  /** Who may have which grants. @default ACCESS_PERMISSIONS_DEFAULT */
  readonly permissions?: AccessPermissions;
  /** The store grants give access to. @default the service's own store */
  readonly storage?: ObjectStore;
  /**
   * Makes pre-signed URLs for grants and, through `presign_object`, for single objects, when the
   * storage is S3 (`createS3GrantPresigner` from `@acquire/store-s3`). Without one,
   * `presign_object` refuses with `ACCESS_PRESIGNING_NOT_OFFERED`.
   */
  readonly presigner?: GrantPresigner;
}

/**
 * Grants and pre-signed URLs are bearer credentials, so `request_bucket` and `presign_object`
 * answer only sealed, like `setup`.
 */
const SEALED_REPLY_FUNCTIONS: readonly string[] = ['setup', 'request_bucket', 'presign_object'];

/**
 * Creates an access service handler. After `setup`, an admin adds the identity services it
 * trusts; users of those services may then ask for grants. On S3, pass the S3 store as `storage`
 * and `createS3GrantPresigner(storage)` as `presigner` to offer `presign_object`; URLs for one
 * object each, whose bytes the client moves with `uploadThroughPresignedUrl` and
 * `downloadThroughPresignedUrl` from `@acquire/client`, which keep the S3 store's object frame.
 *
 * @param options - URL, store, service password, permissions and injected parts
 * @returns a web-standard request handler
 * @example
 * ```ts
 * import { createAccessService, createMemoryStore } from '@acquire/core';
 *
 * const access = await createAccessService({
 *   url: 'http://127.0.0.1:8003',
 *   store: createMemoryStore(),
 *   servicePassword: 'a long secret from the host',
 * });
 * ```
 */
export async function createAccessService(options: AccessServiceOptions): Promise<ServiceHandler> {
  const grantSigner = await openGrantSigningKey(options);
  const extras = {
    verifyAuthorisation: createTrustingVerifier(options),
    grantSigner,
    permissions: options.permissions ?? ACCESS_PERMISSIONS_DEFAULT,
    storage: options.storage ?? options.store,
    ...(options.presigner === undefined ? {} : { presigner: options.presigner }),
  };

  return createService<AccessContext>({
    ...options,
    type: 'access',
    functions: ACCESS_FUNCTIONS,
    context: extras,
    replyKeyRequired: SEALED_REPLY_FUNCTIONS,
  });
}
