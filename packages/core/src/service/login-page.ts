/**
 * The HTML of the login page at `/s?id=<short uid>`: one accessible form (username, password,
 * one-time code) that works without any script, a success page and error states. Every value
 * put into the HTML goes through {@link escapeHtml}; the page loads nothing from elsewhere, and
 * the Content-Security-Policy allows only its own inline style, by hash.
 *
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';

/** What the login form shows. */
export interface LoginFormView {
  /** The login request's short uid. */
  readonly shortUid: string;
  /** The username to fill in again after an error; never the password or code. */
  readonly username?: string;
  /** An error to announce above the form. */
  readonly error?: string;
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1a1a1a}',
  'main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;',
  'box-shadow:0 1px 4px rgba(0,0,0,.15)}',
  'h1{font-size:1.5rem;margin-top:0}',
  'label{display:block;font-weight:600;margin-top:1rem}',
  'input{display:block;box-sizing:border-box;width:100%;margin-top:.25rem;padding:.6rem;',
  'font-size:1rem;border:1px solid #767676;border-radius:4px}',
  'input:focus,button:focus{outline:3px solid #1a5fb4;outline-offset:2px}',
  'button{margin-top:1.5rem;width:100%;padding:.75rem;font-size:1rem;font-weight:600;',
  'color:#fff;background:#1a5fb4;border:0;border-radius:4px;cursor:pointer}',
  '.hint{color:#4a4a4a;font-size:.9rem}',
  '.error{color:#8b0000;background:#fdecea;border-left:4px solid #8b0000;padding:.75rem}',
  '.ok{color:#0b5d1e;background:#e8f5e9;border-left:4px solid #0b5d1e;padding:.75rem}',
].join('');

/**
 * The Content-Security-Policy of every login page: nothing may load, only the page's own style
 * runs (by its SHA-256, CSP Level 3 section 8.4), forms post only to this origin, and no other
 * site may frame it.
 */
export const LOGIN_PAGE_CSP: string = [
  "default-src 'none'",
  `style-src 'sha256-${standardBase64(sha256(utf8Encode(STYLE)))}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * Escapes text for HTML element content and double- or single-quoted attribute values.
 *
 * @param text - any text
 * @returns the text with `&`, `<`, `>`, `"` and `'` replaced by character references
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Renders the login form.
 *
 * @param view - short uid, username to keep and error to show
 * @returns the whole HTML document
 */
export function renderLoginForm(view: LoginFormView): string {
  const error =
    view.error === undefined
      ? ''
      : `<p class="error" role="alert" id="form-error">${escapeHtml(view.error)}</p>`;
  const describedBy = view.error === undefined ? '' : ' aria-describedby="form-error"';
  const shortUid = escapeHtml(view.shortUid);

  return page(
    'Approve login',
    `<h1>Approve login</h1>
<p>An application asked to log in to your account. Login request <strong>${shortUid}</strong>.</p>
${error}
<form method="post" action="s"${describedBy}>
<input type="hidden" name="id" value="${shortUid}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
 spellcheck="false" required maxlength="200" value="${escapeHtml(view.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required
 maxlength="1024">
<label for="code">One-time code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
 pattern="[0-9]{6}" required maxlength="6" aria-describedby="code-hint">
<p id="code-hint" class="hint">The 6-digit code from your authenticator app.</p>
<button type="submit">Approve login</button>
</form>
<p class="hint">If you did not ask to log in, close this page: nothing happens without your
code.</p>`,
  );
}

/**
 * Renders the page shown after a successful approval.
 *
 * @param username - the user who approved
 * @returns the whole HTML document
 */
export function renderLoginApproved(username: string): string {
  return page(
    'Login approved',
    `<h1>Login approved</h1>
<p class="ok" role="status">You approved this login as <strong>${escapeHtml(username)}</strong>.</p>
<p>You can close this page and go back to the application.</p>`,
  );
}

/**
 * Renders a page for a login link that cannot be used at all.
 *
 * @param message - what went wrong, for people
 * @returns the whole HTML document
 */
export function renderLoginProblem(message: string): string {
  return page(
    'Login link problem',
    `<h1>Login link problem</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
<p>Ask the application for a new login link.</p>`,
  );
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Acquire</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}

function standardBase64(bytes: Uint8Array): string {
  const text = base64UrlEncode(bytes).replace(/-/g, '+').replace(/_/g, '/');
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}
