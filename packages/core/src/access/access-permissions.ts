/**
 * The access service's permission list: which users may have which kind of grant, and for how
 * long. Every grant covers exactly the user's own bucket prefix (see {@link bucketPrefix}); the
 * list decides only the mode and the lifetime, never another prefix.
 *
 * A list is plain JSON, so a host can keep it in a configuration file and load it with
 * {@link parseAccessPermissions}:
 *
 * ```json
 * { "rules": {
 *     "*": { "modes": ["read"], "lifetimeMsMax": 900000 },
 *     "7f3c9a52-…": { "modes": ["read", "read_write"], "lifetimeMsMax": 3600000 } } }
 * ```
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { parseInput } from '../validation.js';

/** Read-only access (`read`), or read and change access (`read_write`). */
export type AccessMode = 'read' | 'read_write';

/** Every {@link AccessMode}, in order of increasing power. */
export const ACCESS_MODES: readonly AccessMode[] = ['read', 'read_write'];

/** The rule key that applies to every user without a rule of their own. */
export const ANY_USER = '*';

/**
 * The shortest grant anyone may ask for. Shorter grants would expire before a caller could use
 * them over a slow link.
 */
export const GRANT_LIFETIME_MS_MIN = 1000;

/**
 * The longest grant any permission list may allow: 7 days, the longest lifetime an S3 SigV4
 * pre-signed URL may have (AWS S3 docs, "Sharing objects with presigned URLs"), so a grant and
 * its URLs always expire together.
 */
export const GRANT_LIFETIME_MS_MAX: number = 7 * 24 * 60 * 60 * 1000;

/**
 * The lifetime of a grant when the caller does not ask for one: 15 minutes, long enough for a
 * working session with storage and short enough that a leaked grant is soon worthless.
 */
export const GRANT_LIFETIME_MS_DEFAULT: number = 15 * 60 * 1000;

/** The longest grant the default permission list allows: one hour. */
export const PERMISSIONS_LIFETIME_MS_MAX_DEFAULT: number = 60 * 60 * 1000;

/** At most this many per-user rules in one list, so a list stays small enough to read at once. */
export const PERMISSION_RULES_MAX = 10_000;

/** What one user (or every user, under {@link ANY_USER}) may be granted. */
export interface AccessRule {
  /** The modes the user may ask for; an empty list refuses the user altogether. */
  readonly modes: readonly AccessMode[];
  /** The longest grant the user may ask for, in ms; at most {@link GRANT_LIFETIME_MS_MAX}. */
  readonly lifetimeMsMax: number;
}

/**
 * The permission list. A user's own rule (keyed by user uid) wins over the {@link ANY_USER}
 * rule; a user matched by neither is refused.
 */
export interface AccessPermissions {
  /** Rules by user uid, or by {@link ANY_USER}. */
  readonly rules: Readonly<Record<string, AccessRule>>;
}

/** The default list: every authenticated user may have `read` or `read_write` on their bucket. */
export const ACCESS_PERMISSIONS_DEFAULT: AccessPermissions = {
  rules: {
    [ANY_USER]: { modes: ACCESS_MODES, lifetimeMsMax: PERMISSIONS_LIFETIME_MS_MAX_DEFAULT },
  },
};

const ACCESS_RULE_SCHEMA = v.strictObject({
  modes: v.array(v.picklist(ACCESS_MODES)),
  lifetimeMsMax: v.pipe(
    v.number(),
    v.integer(),
    v.minValue(GRANT_LIFETIME_MS_MIN),
    v.maxValue(GRANT_LIFETIME_MS_MAX),
  ),
});

const ACCESS_PERMISSIONS_SCHEMA = v.strictObject({
  rules: v.pipe(
    v.record(v.pipe(v.string(), v.nonEmpty()), ACCESS_RULE_SCHEMA),
    v.check((rules) => Object.keys(rules).length <= PERMISSION_RULES_MAX, 'too many rules'),
  ),
});

/**
 * Checks a permission list read from configuration.
 *
 * @param input - decoded JSON
 * @returns the permission list
 * @throws AcquireError `INVALID_ARGUMENT` naming the fields that are wrong
 */
export function parseAccessPermissions(input: unknown): AccessPermissions {
  return parseInput(ACCESS_PERMISSIONS_SCHEMA, input, 'access permissions');
}

/**
 * Finds the rule that applies to a user. Only the list's own keys count, so a uid such as
 * `constructor` never picks up an inherited property.
 *
 * @param permissions - the permission list
 * @param userUid - the user's uid
 * @returns the user's rule, the {@link ANY_USER} rule, or undefined when neither exists
 */
export function accessRuleFor(
  permissions: AccessPermissions,
  userUid: string,
): AccessRule | undefined {
  const { rules } = permissions;
  if (Object.hasOwn(rules, userUid)) {
    return rules[userUid];
  }
  return Object.hasOwn(rules, ANY_USER) ? rules[ANY_USER] : undefined;
}

/**
 * Decides a grant request against the permission list.
 *
 * @param permissions - the permission list
 * @param userUid - the verified user's uid
 * @param mode - the requested mode
 * @param lifetimeMs - the requested lifetime; when left out, {@link GRANT_LIFETIME_MS_DEFAULT}
 *   capped by the user's maximum
 * @returns the lifetime to grant, in ms
 * @throws AcquireError `ACCESS_NOT_PERMITTED` when the mode is not allowed or the lifetime is
 *   longer than the user's maximum
 */
export function permittedLifetimeMs(
  permissions: AccessPermissions,
  userUid: string,
  mode: AccessMode,
  lifetimeMs: number | undefined,
): number {
  const rule = accessRuleFor(permissions, userUid);
  if (rule === undefined || !rule.modes.includes(mode)) {
    throw new AcquireError(
      ErrorCode.ACCESS_NOT_PERMITTED,
      `the permission list does not allow ${mode} access for this user`,
      { details: { mode } },
    );
  }

  const lifetimeMsMax = Math.min(rule.lifetimeMsMax, GRANT_LIFETIME_MS_MAX);
  if (lifetimeMs === undefined) {
    return Math.min(GRANT_LIFETIME_MS_DEFAULT, lifetimeMsMax);
  }
  if (lifetimeMs > lifetimeMsMax) {
    throw new AcquireError(
      ErrorCode.ACCESS_NOT_PERMITTED,
      `the permission list allows this user grants of at most ${lifetimeMsMax} ms`,
      { details: { lifetimeMsMax } },
    );
  }
  return lifetimeMs;
}
