/**
 * One HTTP exchange with another service through an injected `fetch`, with a time limit that
 * covers both the response headers and the body, and a cap on the body size. Network failures
 * and time-outs become AcquireErrors with stable codes.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { readBodyWithLimit } from './body-reader.js';

/** The `fetch` signature the runtime needs; the global `fetch` fits, as do test doubles. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/**
 * The runtime's global `fetch`, looked up at call time and called as a method of `globalThis`
 * (browsers refuse a detached `fetch`).
 */
export const globalFetch: FetchFunction = (input, init) => globalThis.fetch(input, init);

/** An HTTP response read into memory. */
export interface FetchedResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The body bytes. */
  readonly body: Uint8Array;
}

/** Options for {@link fetchWithLimits}. */
export interface FetchLimits {
  /** Abort after this long, headers and body together. */
  readonly timeoutMs: number;
  /** Refuse a larger body. */
  readonly bodyBytesMax: number;
  /** The code of the error for a body over `bodyBytesMax`. @default 'REPLY_MALFORMED' */
  readonly bodyTooLargeCode?: string;
  /**
   * How errors name the URL. Pass a form without its query when the query carries credentials,
   * as a pre-signed URL's does. @default the URL
   */
  readonly urlLabel?: string;
  /** Abort when this signal aborts. */
  readonly signal?: AbortSignal;
}

/**
 * Sends one request and reads the whole response.
 *
 * @param fetchImpl - the fetch to use
 * @param url - where to send it
 * @param init - method, headers and body
 * @param limits - time limit, body cap and an outside abort signal
 * @returns the status and body
 * @throws AcquireError `CALL_TIMEOUT` when the time limit passes, `SERVICE_UNREACHABLE` when the
 *   request fails or is aborted from outside, `limits.bodyTooLargeCode` (`REPLY_MALFORMED`) when
 *   the body is too large
 */
export async function fetchWithLimits(
  fetchImpl: FetchFunction,
  url: string,
  init: RequestInit,
  limits: FetchLimits,
): Promise<FetchedResponse> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal === undefined ? timeout : AbortSignal.any([timeout, limits.signal]);
  const tooLargeCode = limits.bodyTooLargeCode ?? ErrorCode.REPLY_MALFORMED;
  const label = limits.urlLabel ?? url;

  try {
    const response = await fetchImpl(url, { ...init, signal });
    const body = await readBodyWithLimit(response, limits.bodyBytesMax, tooLargeCode);
    return { status: response.status, body };
  } catch (error) {
    if (AcquireError.is(error)) {
      throw error;
    }
    if (timeout.aborted) {
      throw new AcquireError(
        ErrorCode.CALL_TIMEOUT,
        `${label} did not answer within ${limits.timeoutMs} ms`,
        {
          cause: error,
          details: { url: label },
        },
      );
    }
    throw new AcquireError(ErrorCode.SERVICE_UNREACHABLE, `${label} could not be reached`, {
      cause: error,
      details: { url: label },
    });
  }
}
