import { describe, expect, it } from 'vitest';
import { AcquireError, ErrorCode } from '../errors.js';
import {
  ACCESS_PERMISSIONS_DEFAULT,
  type AccessPermissions,
  accessRuleFor,
  GRANT_LIFETIME_MS_DEFAULT,
  GRANT_LIFETIME_MS_MAX,
  PERMISSIONS_LIFETIME_MS_MAX_DEFAULT,
  parseAccessPermissions,
  permittedLifetimeMs,
} from './access-permissions.js';

const HOUR_MS = 60 * 60 * 1000;

const permissions: AccessPermissions = {
  rules: {
    '*': { modes: ['read'], lifetimeMsMax: HOUR_MS },
    admin: { modes: ['read', 'read_write'], lifetimeMsMax: 2 * HOUR_MS },
    banned: { modes: [], lifetimeMsMax: HOUR_MS },
  },
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : 'not an AcquireError';
  }
}

describe('the permission list', () => {
  it('by default lets every user have either mode for up to an hour', () => {
    expect(permittedLifetimeMs(ACCESS_PERMISSIONS_DEFAULT, 'anyone', 'read_write', undefined)).toBe(
      GRANT_LIFETIME_MS_DEFAULT,
    );
    expect(permittedLifetimeMs(ACCESS_PERMISSIONS_DEFAULT, 'anyone', 'read', HOUR_MS)).toBe(
      HOUR_MS,
    );
    expect(PERMISSIONS_LIFETIME_MS_MAX_DEFAULT).toBe(HOUR_MS);
    expect(
      codeOf(() => permittedLifetimeMs(ACCESS_PERMISSIONS_DEFAULT, 'anyone', 'read', HOUR_MS + 1)),
    ).toBe(ErrorCode.ACCESS_NOT_PERMITTED);
  });

  it("prefers a user's own rule over the rule for everyone", () => {
    expect(permittedLifetimeMs(permissions, 'admin', 'read_write', 2 * HOUR_MS)).toBe(2 * HOUR_MS);
    expect(codeOf(() => permittedLifetimeMs(permissions, 'someone', 'read_write', undefined))).toBe(
      ErrorCode.ACCESS_NOT_PERMITTED,
    );
    expect(permittedLifetimeMs(permissions, 'someone', 'read', undefined)).toBe(
      GRANT_LIFETIME_MS_DEFAULT,
    );
  });

  it('refuses a user with no modes, and everyone when there is no rule for them', () => {
    expect(codeOf(() => permittedLifetimeMs(permissions, 'banned', 'read', undefined))).toBe(
      ErrorCode.ACCESS_NOT_PERMITTED,
    );
    const onlyAdmin: AccessPermissions = {
      rules: { admin: { modes: ['read'], lifetimeMsMax: 1000 } },
    };
    expect(codeOf(() => permittedLifetimeMs(onlyAdmin, 'someone', 'read', undefined))).toBe(
      ErrorCode.ACCESS_NOT_PERMITTED,
    );
  });

  it('caps the default lifetime at the user maximum', () => {
    const short: AccessPermissions = { rules: { '*': { modes: ['read'], lifetimeMsMax: 5000 } } };

    expect(permittedLifetimeMs(short, 'someone', 'read', undefined)).toBe(5000);
  });

  it('never takes an inherited property for a rule', () => {
    for (const uid of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(accessRuleFor(permissions, uid)).toBe(permissions.rules['*']);
      expect(accessRuleFor({ rules: {} }, uid)).toBeUndefined();
    }
  });

  it('loads a list from JSON and refuses a malformed one', () => {
    const loaded = parseAccessPermissions(JSON.parse(JSON.stringify(permissions)));
    expect(loaded).toEqual(permissions);

    const bad = [
      undefined,
      { rules: { '*': { modes: ['write'], lifetimeMsMax: 1000 } } },
      { rules: { '*': { modes: ['read'], lifetimeMsMax: GRANT_LIFETIME_MS_MAX + 1 } } },
      { rules: { '*': { modes: ['read'], lifetimeMsMax: 1.5 } } },
      { rules: { '': { modes: ['read'], lifetimeMsMax: 1000 } } },
      { rules: {}, extra: 1 },
    ];
    for (const input of bad) {
      expect(codeOf(() => parseAccessPermissions(input))).toBe(ErrorCode.INVALID_ARGUMENT);
    }
  });
});
