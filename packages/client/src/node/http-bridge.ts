/**
 * Converts between Node's `http` messages and web-standard `Request` and `Response`, so that a
 * service handler written against the web standard runs on `node:http`.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { AcquireError, ErrorCode } from '@acquire/core';

/** Methods whose requests carry no body (RFC 9110 section 9.3). */
const BODILESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Reads a Node request's body into memory, refusing it as soon as it passes `bytesMax` (or when
 * its declared length already does).
 *
 * @param request - the incoming message
 * @param bytesMax - the most bytes accepted
 * @returns the body
 * @throws AcquireError `BODY_TOO_LARGE`
 */
export async function readNodeBody(request: IncomingMessage, bytesMax: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > bytesMax) {
    throw tooLarge(bytesMax);
  }

  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > bytesMax) {
      throw tooLarge(bytesMax);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Builds a web `Request` from a Node request. Only the path and query of the request target are
 * used, resolved against the server's own base URL, so a client cannot make the handler see
 * another origin.
 *
 * @param request - the incoming message
 * @param baseUrl - the server's URL, for example `http://127.0.0.1:8080`
 * @param body - the body already read with {@link readNodeBody}
 * @returns the web request
 * @throws AcquireError `INVALID_ARGUMENT` when the request target is not a path
 */
export function toWebRequest(request: IncomingMessage, baseUrl: string, body: Buffer): Request {
  const target = request.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'request target must be a path');
  }

  const headers = new Headers();
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    for (const value of values ?? []) {
      headers.append(name, value);
    }
  }
  const method = request.method ?? 'GET';
  return new Request(new URL(target, baseUrl), {
    method,
    headers,
    ...(BODILESS_METHODS.has(method) ? {} : { body: new Uint8Array(body) }),
  });
}

/**
 * Writes a web `Response` to a Node response, streaming its body. Stops reading the body when
 * the client goes away.
 *
 * @param response - the web response
 * @param target - the Node response
 * @param headOnly - leave out the body (for `HEAD` requests)
 * @returns a promise that settles when the response is written or abandoned
 */
export async function writeWebResponse(
  response: Response,
  target: ServerResponse,
  headOnly = false,
): Promise<void> {
  target.statusCode = response.status;
  const cookies = response.headers.getSetCookie();
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') {
      target.setHeader(name, value);
    }
  }
  if (cookies.length > 0) {
    target.setHeader('set-cookie', cookies);
  }

  if (response.body === null || headOnly) {
    await response.body?.cancel();
    target.end();
    return;
  }

  const reader = response.body.getReader();
  const abandon = () => {
    reader.cancel().catch(() => undefined);
  };
  target.once('close', abandon);
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      if (!target.write(chunk.value)) {
        await drainedOrClosed(target);
      }
    }
    target.end();
  } catch {
    target.destroy();
  } finally {
    target.off('close', abandon);
  }
}

function drainedOrClosed(target: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      target.off('drain', done);
      target.off('close', done);
      resolve();
    };
    target.once('drain', done);
    target.once('close', done);
  });
}

function tooLarge(bytesMax: number): AcquireError {
  return new AcquireError(ErrorCode.BODY_TOO_LARGE, `body is larger than ${bytesMax} bytes`);
}
