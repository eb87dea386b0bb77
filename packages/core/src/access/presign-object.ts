/**
 * `presign_object`: turns a grant into a pre-signed URL for one object under its prefix, so a
 * client can move the object's bytes straight to or from the storage. It checks the grant exactly
 * as `read_object` and `write_object` do, and the URL never outlives the grant.
 *
 * The URL addresses the raw stored object, which holds the object frame (see
 * {@link encodeValueFrame}) around the value: upload and download through the client's
 * `uploadThroughPresignedUrl` and `downloadThroughPresignedUrl`, which frame and check the bytes,
 * so that objects moved through URLs and through the access service read the same.
 *
 * @module
 */

import * as v from 'valibot';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import type { AccessContext } from './access-context.js';
import { PRESIGN_METHODS, type PresignMethod, presignGrantObject } from './grant-presigner.js';
import { assertGrantMode, checkedGrant, resolveGrantKey } from './grant-scope.js';

/** The arguments of `presign_object`. */
export interface PresignObjectArgs {
  /** The grant token from `request_bucket`. */
  readonly grant: string;
  /** The object's key, relative to the granted prefix. */
  readonly key: string;
  /** `GET` to download the object, `PUT` to upload it (a `read_write` grant only). */
  readonly method: PresignMethod;
}

/** The result of `presign_object`. */
export interface PresignObjectResult {
  /** The pre-signed URL; a bearer credential for one object, so keep it as secret as the grant. */
  readonly url: string;
  /** The method the URL is signed for. */
  readonly method: PresignMethod;
  /** When the storage stops honouring the URL, in ms since the epoch; never after the grant. */
  readonly expiresAtMs: number;
}

const PRESIGN_OBJECT_ARGS: v.GenericSchema<PresignObjectArgs> = v.strictObject({
  grant: v.string(),
  key: v.string(),
  method: v.picklist(PRESIGN_METHODS),
});

/**
 * `presign_object`: signs a URL for one object under the granted prefix, valid until the grant
 * expires or the presigner's own limit, whichever comes first.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, a `GRANT_*` code (`GRANT_READ_ONLY` for `PUT` with a
 *   read grant, `GRANT_OUT_OF_SCOPE` for keys outside the prefix and for `PUT` on the bucket's
 *   marker), `INVALID_KEY`, `ACCESS_PRESIGNING_NOT_OFFERED` when the service has no presigner for
 *   single objects, or `ACCESS_PRESIGNER_FAILED`
 * @example
 * ```ts
 * import { presignObject } from '@acquire/core';
 *
 * const { url } = await presignObject.run({ grant, key: 'photos/cat', method: 'PUT' }, context);
 * ```
 */
export const presignObject: ServiceFunction<
  v.GenericSchema<PresignObjectArgs>,
  PresignObjectResult,
  AccessContext
> = defineServiceFunction('presign_object', PRESIGN_OBJECT_ARGS, async (args, context) => {
  const claims = checkedGrant(args.grant, context);
  if (args.method === 'PUT') {
    assertGrantMode(claims, 'read_write');
  }
  const key = resolveGrantKey(claims, args.key, args.method === 'PUT' ? 'change' : 'read');

  const signed = await presignGrantObject(context.presigner, {
    grantId: claims.grantId,
    userUid: claims.userUid,
    key,
    method: args.method,
    expiresAtMs: claims.expiresAtMs,
  });

  context.logger.debug({ grantId: claims.grantId, method: args.method }, 'object URL signed');
  return { url: signed.url, method: args.method, expiresAtMs: signed.expiresAtMs };
});
