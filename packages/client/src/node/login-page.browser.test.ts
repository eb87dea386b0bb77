import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { totpCode } from '@acquire/core';
import { wrongTotpCode } from '@acquire/core/testing';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  registerUser,
  requestLogin,
  setUpService,
  startIdentityService,
  type TestUser,
} from '../../test/deployment-fixtures.js';
import { createManualClock, type TestService } from '../../test/service-fixtures.js';

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

/** How long a form post may take to show its answer: scrypt and chromium on a busy machine. */
const PAGE_ANSWER_WAIT_MS = 15_000;

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
  let carol: TestUser;
  let browser: BrowserContext;

  beforeAll(async () => {
    identity = await startIdentityService(clock);
    await setUpService(clock, identity.url);
    carol = await registerUser(clock, identity.url, 'carol', 'carol password');
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

  it('approves the session from the filled-in form, with an error for a wrong code', async () => {
    const session = await requestLogin(clock, identity.url, carol.username);
    const statusArgs = { username: carol.username, sessionUid: session.sessionUid };
    const page = await browser.newPage();
    const violations: string[] = [];
    // The 401 of the error state is logged as a failed load; only policy violations count here.
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) {
        violations.push(message.text());
      }
    });
    page.on('pageerror', (error) => violations.push(error.message));

    await page.goto(session.loginUrl);
    expect(await page.title()).toBe('Approve login · Acquire');
    // The inline style applies only when the policy's hash matches it.
    const button = page.getByRole('button', { name: 'Approve login' });
    expect(await button.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(
      'rgb(26, 95, 180)',
    );
    await page.getByLabel('Username').fill(carol.username);
    await page.getByLabel('Password').fill(carol.password);
    await page.getByLabel('One-time code').fill(wrongTotpCode(carol.totpSecret, clock));
    await button.click();

    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: PAGE_ANSWER_WAIT_MS })
      .toContain('is not right');
    expect(await page.getByLabel('Username').inputValue()).toBe(carol.username);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await call(clock, identity.url, 'get_status', statusArgs)).toEqual({
      status: 'unapproved',
    });

    await page.getByLabel('Password').fill(carol.password);
    await page.getByLabel('One-time code').fill(totpCode(carol.totpSecret, clock));
    await page.getByRole('button', { name: 'Approve login' }).click();

    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent(), {
        timeout: PAGE_ANSWER_WAIT_MS,
      })
      .toBe('Login approved');
    expect(await page.getByRole('status').textContent()).toContain(carol.username);
    expect(await call(clock, identity.url, 'get_status', statusArgs)).toEqual({
      status: 'approved',
    });
    expect(violations).toEqual([]);
    await page.close();
  });
});
