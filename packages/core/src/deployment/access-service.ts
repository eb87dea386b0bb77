/**
 * A ready-made access service: the runtime with the access functions, checking users with its
 * trusted identity services and signing grants with a key of its own.
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
  /** Makes pre-signed URLs for grants when the storage is S3. */
  readonly presigner?: GrantPresigner;
}

/** A grant is a bearer credential, so `request_bucket` answers only sealed, like `setup`. */
const SEALED_REPLY_FUNCTIONS: readonly string[] = ['setup', 'request_bucket'];

/**
 * Creates an access service handler. After `setup`, an admin adds the identity services it
 * trusts; users of those services may then ask for grants.
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
