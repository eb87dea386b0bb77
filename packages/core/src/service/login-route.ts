/**
 * The identity service's login page route, `/s`. `GET /s?id=<short uid>` shows the form;
 * `POST /s` (form-encoded `id`, `username`, `password`, `code`) calls the service's own `login`
 * function in-process and shows the outcome. Credential failures get one undifferentiated
 * message, and the password and code are never echoed.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import type { Logger } from '../logging.js';
import { readBodyWithLimit } from './body-reader.js';
import { HttpStatus, httpStatusForCode } from './http-status.js';
import {
  LOGIN_PAGE_CSP,
  renderLoginApproved,
  renderLoginForm,
  renderLoginProblem,
} from './login-page.js';

/** The wire name of the function the login page calls. */
export const LOGIN_FUNCTION_NAME = 'login';

/** A login form is four short fields; 16 KiB is generous and keeps abuse cheap. */
export const LOGIN_FORM_BYTES_MAX: number = 16 * 1024;

/** Short uids are a few URL-safe characters; anything else is not a login link. */
const SHORT_UID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const MESSAGES = {
  badLink: 'This login link is not valid.',
  incomplete: 'Fill in your username, your password and the 6-digit code from your authenticator.',
  refused:
    'The username, password or one-time code is not right, or this login request is no ' +
    'longer open. Check them and try again.',
  throttled: 'Too many attempts. Wait a few minutes, then try again.',
  internal: 'Something went wrong on our side. Try again in a moment.',
} as const;

/** The arguments the login page passes to the `login` function. */
export interface LoginSubmission {
  /** The login request's short uid, from the link. */
  readonly shortUid: string;
  /** The username typed. */
  readonly username: string;
  /** The password typed. */
  readonly password: string;
  /** The one-time code typed. */
  readonly code: string;
}

/** What the login route needs from the runtime. */
export interface LoginRouteOptions {
  /** Runs the service's `login` function in-process with the request's context. */
  readonly login: (submission: LoginSubmission) => Promise<unknown>;
  /** Where internal failures are logged. */
  readonly logger: Logger;
  /** Ties log lines to this request. */
  readonly requestId: string;
}

/**
 * Answers `GET /s` and `POST /s`.
 *
 * @param request - the HTTP request
 * @param options - the login call, logger and request id
 * @returns an HTML response with the login page's security headers
 */
export async function handleLoginRoute(
  request: Request,
  options: LoginRouteOptions,
): Promise<Response> {
  if (request.method === 'GET') {
    const shortUid = new URL(request.url).searchParams.get('id');
    if (shortUid === null || !SHORT_UID_PATTERN.test(shortUid)) {
      return html(renderLoginProblem(MESSAGES.badLink), HttpStatus.BAD_REQUEST);
    }
    return html(renderLoginForm({ shortUid }), HttpStatus.OK);
  }
  if (request.method === 'POST') {
    return submitLogin(request, options);
  }
  return html(renderLoginProblem(MESSAGES.badLink), HttpStatus.METHOD_NOT_ALLOWED, {
    allow: 'GET, POST',
  });
}

async function submitLogin(request: Request, options: LoginRouteOptions): Promise<Response> {
  const form = await readForm(request);
  if (form === undefined) {
    return html(renderLoginProblem(MESSAGES.incomplete), HttpStatus.BAD_REQUEST);
  }

  const shortUid = form.get('id') ?? '';
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  const code = (form.get('code') ?? '').trim();
  if (!SHORT_UID_PATTERN.test(shortUid)) {
    return html(renderLoginProblem(MESSAGES.badLink), HttpStatus.BAD_REQUEST);
  }
  if (username === '' || password === '' || code === '') {
    const view = { shortUid, username, error: MESSAGES.incomplete };
    return html(renderLoginForm(view), HttpStatus.BAD_REQUEST);
  }

  try {
    await options.login({ shortUid, username, password, code });
    return html(renderLoginApproved(username), HttpStatus.OK);
  } catch (error) {
    const { status, message } = describeFailure(error, options);
    return html(renderLoginForm({ shortUid, username, error: message }), status);
  }
}

async function readForm(request: Request): Promise<URLSearchParams | undefined> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return undefined;
  }
  try {
    const body = await readBodyWithLimit(request, LOGIN_FORM_BYTES_MAX);
    return new URLSearchParams(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
}

function describeFailure(
  error: unknown,
  options: LoginRouteOptions,
): { status: number; message: string } {
  if (!AcquireError.is(error)) {
    options.logger.error(
      { requestId: options.requestId, function: LOGIN_FUNCTION_NAME, errorName: errorName(error) },
      'login page: login failed unexpectedly',
    );
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: MESSAGES.internal };
  }

  const status = httpStatusForCode(error.code);
  if (status === HttpStatus.TOO_MANY_REQUESTS) {
    return { status, message: MESSAGES.throttled };
  }
  if (status >= HttpStatus.INTERNAL_SERVER_ERROR) {
    options.logger.error(
      { requestId: options.requestId, function: LOGIN_FUNCTION_NAME, code: error.code },
      'login page: login failed',
    );
    return { status, message: MESSAGES.internal };
  }
  if (error.code === ErrorCode.INVALID_ARGUMENT) {
    return { status, message: MESSAGES.incomplete };
  }
  return { status: HttpStatus.UNAUTHORIZED, message: MESSAGES.refused };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function html(body: string, status: number, extraHeaders: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': LOGIN_PAGE_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...extraHeaders,
    },
  });
}
