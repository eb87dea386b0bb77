/**
 * Approves a login request the way a person does in a browser: open the login link, fill in the
 * form, submit it. The demo uses it so that its users log in through the real login page.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';

/** The heading the login page shows once a session is approved. */
const APPROVED_HEADING = '<h1>Login approved</h1>';

/** What a person types into the login page. */
export interface LoginPageEntry {
  /** The user's name. */
  readonly username: string;
  /** The user's password. */
  readonly password: string;
  /** The current code from the authenticator. */
  readonly code: string;
}

/**
 * Opens a login link and submits its form.
 *
 * @param loginUrl - the link `request_login` returned, `<identity>/s?id=<short uid>`
 * @param entry - what the person types
 * @throws AcquireError `LOGIN_FAILED` when the page does not say the login was approved
 */
export async function approveOnLoginPage(loginUrl: string, entry: LoginPageEntry): Promise<void> {
  const page = await fetch(loginUrl);
  const form = await page.text();
  if (!page.ok || !form.includes('<form method="post" action="s"')) {
    throw new AcquireError(ErrorCode.LOGIN_FAILED, `the login page at ${loginUrl} has no form`);
  }

  const shortUid = new URL(loginUrl).searchParams.get('id') ?? '';
  const answer = await fetch(new URL('s', loginUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ id: shortUid, ...entry }),
  });
  const result = await answer.text();
  if (!answer.ok || !result.includes(APPROVED_HEADING)) {
    throw new AcquireError(ErrorCode.LOGIN_FAILED, `the login page refused ${entry.username}`);
  }
}
