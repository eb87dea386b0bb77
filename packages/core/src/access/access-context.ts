/**
 * What the access service's functions are given besides their arguments.
 *
 * @module
 */

import type { SigningKeyPair } from '../crypto/signing.js';
import type { AuthorisationVerifier } from '../service/authorisation-verifier.js';
import type { ServiceContext } from '../service/service-function.js';
import type { ObjectStore } from '../store/object-store.js';
import type { AccessPermissions } from './access-permissions.js';
import type { GrantPresigner } from './grant-presigner.js';

/** The context of the access functions: the service context plus the parts grants rest on. */
export interface AccessContext extends ServiceContext {
  /** Checks users' authorisations with a trusted identity service. */
  readonly verifyAuthorisation: AuthorisationVerifier;
  /** The access service's Ed25519 key pair; grants are signed with it and checked against it. */
  readonly grantSigner: SigningKeyPair;
  /** Who may have which grants; {@link ACCESS_PERMISSIONS_DEFAULT} lets every user have any. */
  readonly permissions: AccessPermissions;
  /** The store grants give access to; it may be {@link ServiceContext.store} or a separate one. */
  readonly storage: ObjectStore;
  /** Signs pre-signed URLs for grants when the storage offers them (S3); absent elsewhere. */
  readonly presigner?: GrantPresigner;
}
