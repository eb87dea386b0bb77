/**
 * `request_bucket`: a user with a valid authorisation asks for read-only or read-write access to
 * their bucket and gets a time-limited grant.
 *
 * Grants cannot be revoked: each is honoured until it expires, so a leaked grant stays usable
 * for the rest of its lifetime. Keep lifetimes short (see {@link GRANT_LIFETIME_MS_DEFAULT}).
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlEncode } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/random.js';
import { requestResource } from '../service/request-resource.js';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import type { AccessContext } from './access-context.js';
import {
  ACCESS_MODES,
  type AccessMode,
  GRANT_LIFETIME_MS_MAX,
  GRANT_LIFETIME_MS_MIN,
  permittedLifetimeMs,
} from './access-permissions.js';
import { ensureBucket } from './bucket.js';
import { type PresignedGrantUrls, presignGrant } from './grant-presigner.js';
import { type GrantClaims, signGrant } from './grant-token.js';

/** 16 random bytes make grant ids that never collide in practice (128 bits, like a UUID). */
const GRANT_ID_BYTES = 16;

/** The arguments of `request_bucket`. */
export interface RequestBucketArgs {
  /**
   * The user's authorisation, signed for `requestResource('request_bucket', { mode, lifetimeMs })`.
   * It is single-use: a captured copy cannot be replayed for a second grant.
   */
  readonly authorisation: unknown;
  /** The access asked for. */
  readonly mode: AccessMode;
  /** How long the grant should last, in ms. @default GRANT_LIFETIME_MS_DEFAULT, capped by policy */
  readonly lifetimeMs?: number;
}

/** The result of `request_bucket`. */
export interface RequestBucketResult {
  /** The grant token; a bearer credential, so keep it as secret as a session key. */
  readonly grant: string;
  /** The grant's id, for logs and audit. */
  readonly grantId: string;
  /** The key prefix the grant covers in the storage, `buckets/<user uid>`. */
  readonly prefix: string;
  /** The access granted. */
  readonly mode: AccessMode;
  /** When the grant stops being honoured, in ms since the Unix epoch. */
  readonly expiresAtMs: number;
  /** True when this request made the bucket. */
  readonly created: boolean;
  /** Pre-signed URLs, present when the service has a presigner. */
  readonly urls?: PresignedGrantUrls;
}

const REQUEST_BUCKET_ARGS: v.GenericSchema<RequestBucketArgs> = v.strictObject({
  authorisation: v.unknown(),
  mode: v.picklist(ACCESS_MODES),
  lifetimeMs: v.optional(
    v.pipe(
      v.number(),
      v.safeInteger(),
      v.minValue(GRANT_LIFETIME_MS_MIN),
      v.maxValue(GRANT_LIFETIME_MS_MAX),
    ),
  ),
});

/**
 * `request_bucket`: verifies the user's authorisation, checks the permission list, makes the
 * user's bucket if needed and returns a signed grant (plus pre-signed URLs with a presigner).
 *
 * @throws AcquireError `INVALID_ARGUMENT` for malformed arguments; whatever the authorisation
 *   verifier throws; `ACCESS_NOT_PERMITTED` when the permission list refuses the mode or
 *   lifetime or the bucket belongs to another identity service; `ACCESS_PRESIGNER_FAILED` when
 *   the presigner fails
 * @example
 * ```ts
 * import { requestBucket, requestResource } from '@acquire/core';
 *
 * const args = { mode: 'read_write', lifetimeMs: 600_000 } as const;
 * const authorisation = await user.authorise(requestResource('request_bucket', args));
 * const { grant, prefix } = await requestBucket.run({ ...args, authorisation }, accessContext);
 * ```
 */
export const requestBucket: ServiceFunction<
  v.GenericSchema<RequestBucketArgs>,
  RequestBucketResult,
  AccessContext
> = defineServiceFunction('request_bucket', REQUEST_BUCKET_ARGS, async (args, context) => {
  const resource = requestResource('request_bucket', {
    mode: args.mode,
    lifetimeMs: args.lifetimeMs,
  });
  const verified = await context.verifyAuthorisation(args.authorisation, {
    resource,
    singleUse: true,
  });
  const lifetimeMs = permittedLifetimeMs(
    context.permissions,
    verified.userUid,
    args.mode,
    args.lifetimeMs,
  );

  const bucket = await ensureBucket(context.storage, verified, context.clock);

  const issuedAtMs = context.clock.now();
  const claims: GrantClaims = {
    grantId: base64UrlEncode(randomBytes(GRANT_ID_BYTES)),
    userUid: verified.userUid,
    prefix: bucket.prefix,
    mode: args.mode,
    issuedAtMs,
    expiresAtMs: issuedAtMs + lifetimeMs,
  };
  const grant = signGrant(claims, context.grantSigner.secretKey);
  const urls =
    context.presigner === undefined ? undefined : await presignGrant(context.presigner, claims);

  context.logger.info(
    {
      grantId: claims.grantId,
      userUid: claims.userUid,
      mode: claims.mode,
      created: bucket.created,
    },
    'grant issued',
  );
  return {
    grant,
    grantId: claims.grantId,
    prefix: claims.prefix,
    mode: claims.mode,
    expiresAtMs: claims.expiresAtMs,
    created: bucket.created,
    ...(urls === undefined ? {} : { urls }),
  };
});
