import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson, totpCode } from '@acquire/core';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createManualClock,
  seedLoginRequest,
  setUpAdmin,
  startTestService,
  type TestService,
  testLogin,
} from '../../test/service-fixtures.js';

/** Debian's chromium; `.ci/install-system-packages` installs it. */
const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless chromium that stays off the network and out of the way. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  console.warn(
    `skipping the browser login test: ${CHROMIUM_PATH} is absent (apt-get install chromium)`,
  );
}

describe.skipIf(!hasChromium)('the login page in a real browser', () => {
  const clock = createManualClock(Date.now());
  const profile = mkdtempSync(join(tmpdir(), 'acquire-chromium-'));
  let identity: TestService;
  let browser: BrowserContext;

  beforeAll(async () => {
    identity = await startTestService(clock, 'identity', [testLogin]);
    await setUpAdmin(clock, identity.url);
    // A persistent context is how Playwright takes a user data dir: a fresh one per run.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await identity?.server.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('approves the session when the form is filled in, and shows an error for a wrong code', async () => {
    const totpSecret = await seedLoginRequest(
      identity.store,
      'Br0wser1',
      'carol',
      'carol password',
    );
    const page = await browser.newPage();
    const violations: string[] = [];
    // The 401 of the error state is logged as a failed load; only policy violations count here.
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) {
        violations.push(message.text());
      }
    });
    page.on('pageerror', (error) => violations.push(error.message));

    await page.goto(`${identity.url}/s?id=Br0wser1`);
    expect(await page.title()).toBe('Approve login · Acquire');
    // The inline style applies only when the policy's hash matches it.
    const button = page.getByRole('button', { name: 'Approve login' });
    expect(await button.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(
      'rgb(26, 95, 180)',
    );
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('carol password');
    const right = totpCode(totpSecret, clock);
    await page.getByLabel('One-time code').fill(right === '111111' ? '222222' : '111111');
    await page.getByRole('button', { name: 'Approve login' }).click();

    await expect.poll(() => page.getByRole('alert').textContent()).toContain('is not right');
    expect(await page.getByLabel('Username').inputValue()).toBe('carol');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect((await readJson(identity.store, 'test-requests/Br0wser1'))?.value).toMatchObject({
      status: 'unapproved',
    });

    await page.getByLabel('Password').fill('carol password');
    await page.getByLabel('One-time code').fill(totpCode(totpSecret, clock));
    await page.getByRole('button', { name: 'Approve login' }).click();

    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Login approved');
    expect(await page.getByRole('status').textContent()).toContain('carol');
    expect((await readJson(identity.store, 'test-requests/Br0wser1'))?.value).toMatchObject({
      status: 'approved',
    });
    expect(violations).toEqual([]);
    await page.close();
  });
});
