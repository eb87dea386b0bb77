import { beforeAll, describe, expect, it } from 'vitest';
import {
  addTestService,
  createTestNetwork,
  seedLoginRequest,
  setUpAdmin,
  snapshotStore,
  type TestLoginFixture,
  type TestNetwork,
  testLogin,
} from '../../test/service-fixtures.js';
import { totpCode } from '../crypto/totp.js';
import { wrongTotpCode } from '../crypto/wrong-totp-code.js';
import { readJson } from '../store/json.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ServiceHandler } from './create-service.js';
import { escapeHtml, LOGIN_PAGE_CSP } from './login-page.js';

const ID = 'http://login.test';
const PASSWORD = 'correct horse <battery>';

describe('the login page', () => {
  let network: TestNetwork;
  let handler: ServiceHandler;
  let store: ObjectStore;
  let user: TestLoginFixture;

  beforeAll(async () => {
    network = createTestNetwork();
    ({ handler, store } = await addTestService(network, {
      url: `${ID}/id`,
      type: 'identity',
      functions: [testLogin],
    }));
    await setUpAdmin(network, `${ID}/id`);
    user = await seedLoginRequest(store, 'AbC123_-', 'alice"<b>', PASSWORD);
  });

  function submit(fields: Record<string, string>): Promise<Response> {
    return handler(
      new Request(`${ID}/id/s`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  }

  it('renders an accessible form with strict security headers', async () => {
    const response = await handler(new Request(`${ID}/id/s?id=${user.shortUid}`));
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(LOGIN_PAGE_CSP);
    expect(LOGIN_PAGE_CSP).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(page).toContain('<html lang="en">');
    for (const field of ['username', 'password', 'code']) {
      expect(page).toContain(`<label for="${field}">`);
      expect(page).toContain(`id="${field}" name="${field}"`);
    }
    expect(page).toContain('<form method="post" action="s"');
    expect(page).toContain(`name="id" value="${user.shortUid}"`);
    expect(page).not.toMatch(/<script|https?:\/\//);
  });

  it('refuses a link without a valid id', async () => {
    for (const query of ['', '?id=', '?id=%3Cscript%3E', `?id=${'a'.repeat(65)}`]) {
      const response = await handler(new Request(`${ID}/id/s${query}`));
      expect(response.status).toBe(400);
      const page = await response.text();
      expect(page).toContain('This login link is not valid.');
      expect(page).not.toContain('<script>');
    }
  });

  it('answers a wrong code generically, escaping the username, hiding the password', async () => {
    const before = await snapshotStore(store);
    const code = wrongTotpCode(user.totpSecret, network.clock);
    const response = await submit({
      id: user.shortUid,
      username: user.username,
      password: PASSWORD,
      code,
    });
    const page = await response.text();

    expect(response.status).toBe(401);
    expect(page).toContain('role="alert"');
    expect(page).toContain('The username, password or one-time code is not right');
    expect(page).toContain(`value="${escapeHtml(user.username)}"`);
    expect(page).not.toContain('alice"<b>');
    expect(page).not.toContain(PASSWORD);
    expect(page).not.toContain(escapeHtml(PASSWORD));
    expect(await snapshotStore(store)).toEqual(before);
  });

  it('asks again for missing fields and refuses bodies that are not forms', async () => {
    const missing = await submit({
      id: user.shortUid,
      username: user.username,
      password: '',
      code: '',
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Fill in your username');

    const json = await handler(
      new Request(`${ID}/id/s`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(json.status).toBe(400);
    const huge = await submit({
      id: user.shortUid,
      username: 'x'.repeat(20_000),
      password: 'p',
      code: '1',
    });
    expect(huge.status).toBe(400);
  });

  it('approves the session with the right details', async () => {
    const code = totpCode(user.totpSecret, network.clock);
    const response = await submit({
      id: user.shortUid,
      username: user.username,
      password: PASSWORD,
      code,
    });
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(page).toContain('Login approved');
    expect(page).toContain(escapeHtml(user.username));
    expect(page).not.toContain(PASSWORD);
    expect((await readJson(store, `test-requests/${user.shortUid}`))?.value).toMatchObject({
      status: 'approved',
    });
  });
});
