import { createManualClock, totpCode } from '@acquire/core';
import { wrongTotpCode } from '@acquire/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  nextTotpStep,
  secretOf,
  startAccessService,
  startIdentityService,
} from '../../test/deployment-fixtures.js';
import { ADMIN_PASSWORD, httpCallOptions, type TestService } from '../../test/service-fixtures.js';
import { createAdminClient } from './admin-client.js';

describe('the admin client against real services', () => {
  const clock = createManualClock(Date.UTC(2026, 6, 1, 9, 0, 0));
  let identity: TestService;
  let access: TestService;
  let identitySecret: string;

  beforeAll(async () => {
    [identity, access] = await Promise.all([
      startIdentityService(clock),
      startAccessService(clock),
    ]);
    const { provisioningUri } = await createAdminClient(identity.url, httpCallOptions(clock)).setUp(
      ADMIN_PASSWORD,
    );
    identitySecret = secretOf(provisioningUri);
  });

  afterAll(async () => {
    await Promise.all([identity?.server.close(), access?.server.close()]);
  });

  it('sets a service up once, then trusts, lists, rotates and distrusts', async () => {
    const admin = createAdminClient(access.url, httpCallOptions(clock));

    const first = await admin.setUp(ADMIN_PASSWORD);
    const secret = secretOf(first.provisioningUri);
    const credentials = () => {
      nextTotpStep(clock);
      return { password: ADMIN_PASSWORD, code: totpCode(secret, clock) };
    };
    const trusted = await admin.trust(identity.url, credentials());
    const status = await admin.status(credentials());
    const rotated = await admin.rotateKeys(credentials());
    const distrusted = await admin.distrust(identity.url, credentials());

    expect(first.serviceUrl).toBe(access.url);
    expect(trusted.addedTrustedService?.type).toBe('identity');
    expect(status.trustedServices).toEqual([identity.url]);
    expect(status.provisioningUri).toBeUndefined();
    expect(rotated.rotatedKeys?.signingKeyFingerprint).toMatch(/\S/);
    expect(distrusted).toMatchObject({ removedTrustedService: true, trustedServices: [] });
  });

  it('refuses a second first set-up and a wrong code, changing nothing', async () => {
    const admin = createAdminClient(identity.url, httpCallOptions(clock));
    const before = (await identity.store.listPage('')).keys;

    await expect(admin.setUp(ADMIN_PASSWORD)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      admin.trust(access.url, {
        password: ADMIN_PASSWORD,
        code: wrongTotpCode(identitySecret, clock),
      }),
    ).rejects.toMatchObject({ code: 'ADMIN_AUTHENTICATION_FAILED' });

    expect((await identity.store.listPage('')).keys).toEqual(before);
  });
});
