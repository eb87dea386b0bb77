/**
 * What a verified grant lets its holder touch. Callers name objects by keys relative to the
 * granted prefix; resolving a relative key can only ever give a key under that prefix, because
 * a valid key has no empty, `.` or `..` segments. Keys that try to climb out (`../x`, `/x`) are
 * refused as out of scope, other broken keys as invalid. Keys whose first segment is `buckets`
 * look like full keys (`buckets/bob/x`) and are refused as out of scope too, so a caller that
 * mistakes relative keys for full ones fails loudly instead of writing to a nested copy; the one
 * cost is that a bucket cannot hold a top-level folder named `buckets`.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { assertValidKey, isKeyUnderPrefix } from '../store/keys.js';
import type { AccessContext } from './access-context.js';
import type { AccessMode } from './access-permissions.js';
import { BUCKETS_PREFIX, bucketMarkerKey } from './bucket.js';
import { type GrantClaims, verifyGrant } from './grant-token.js';

/** What the caller means to do with a resolved key. */
export type GrantUse = 'read' | 'change';

/**
 * Checks a grant token against the access service's key and clock, as every function that
 * honours grants does first.
 *
 * @param token - the grant token from `request_bucket`
 * @param context - the access context, for the grant key and the clock
 * @returns the verified claims
 * @throws AcquireError a `GRANT_*` code when the token is malformed, of another version, forged or
 *   expired
 */
export function checkedGrant(token: string, context: AccessContext): GrantClaims {
  return verifyGrant(token, { publicKey: context.grantSigner.publicKey, clock: context.clock });
}

/**
 * Checks that a grant allows a mode of use.
 *
 * @param claims - a verified grant
 * @param required - `read_write` for writes and deletes, `read` for reads and listings
 * @throws AcquireError `GRANT_READ_ONLY` when a `read` grant is used for a change
 */
export function assertGrantMode(claims: GrantClaims, required: AccessMode): void {
  if (required === 'read_write' && claims.mode !== 'read_write') {
    throw new AcquireError(ErrorCode.GRANT_READ_ONLY, 'this grant allows reading only', {
      details: { grantId: claims.grantId },
    });
  }
}

/**
 * Turns a key relative to the granted prefix into a full store key.
 *
 * @param claims - a verified grant
 * @param relativeKey - the caller's key, for example `photos/cat.jpg`
 * @param use - `change` also refuses the bucket's marker record
 * @returns `<prefix>/<relativeKey>`
 * @throws AcquireError `GRANT_OUT_OF_SCOPE` when the key tries to leave the prefix, looks like a
 *   full key, or changes the marker; `INVALID_KEY` when it breaks the key rules otherwise (also
 *   when too long once joined to the prefix)
 */
export function resolveGrantKey(claims: GrantClaims, relativeKey: string, use: GrantUse): string {
  const segments = relativeKey.split('/');
  if (relativeKey.startsWith('/') || segments.includes('..')) {
    throw outOfScope(claims, 'key would leave the granted prefix');
  }
  if (segments[0] === BUCKETS_PREFIX) {
    throw outOfScope(
      claims,
      `keys are relative to the granted prefix; "${BUCKETS_PREFIX}/" looks like a full key`,
    );
  }
  assertValidKey(relativeKey, 'key');

  const key = `${claims.prefix}/${relativeKey}`;
  assertValidKey(key, 'key joined to the granted prefix');
  if (!isKeyUnderPrefix(key, claims.prefix)) {
    throw outOfScope(claims, 'key would leave the granted prefix');
  }
  if (use === 'change' && key === bucketMarkerKey(claims.prefix)) {
    throw outOfScope(claims, 'the bucket marker cannot be changed through a grant');
  }
  return key;
}

/**
 * Turns a listing prefix relative to the granted prefix into a full store prefix.
 *
 * @param claims - a verified grant
 * @param relativePrefix - `''` for the whole grant, or a relative key naming whole segments
 * @returns the full prefix
 * @throws AcquireError as {@link resolveGrantKey}
 */
export function resolveGrantPrefix(claims: GrantClaims, relativePrefix: string): string {
  return relativePrefix === '' ? claims.prefix : resolveGrantKey(claims, relativePrefix, 'read');
}

/**
 * Turns a full store key under the granted prefix back into the caller's relative key.
 *
 * @param claims - a verified grant
 * @param key - a full key under `claims.prefix`
 * @returns the key without the prefix and its `/`
 */
export function relativeGrantKey(claims: GrantClaims, key: string): string {
  return key.slice(claims.prefix.length + 1);
}

function outOfScope(claims: GrantClaims, message: string): AcquireError {
  return new AcquireError(ErrorCode.GRANT_OUT_OF_SCOPE, message, {
    details: { grantId: claims.grantId },
  });
}
