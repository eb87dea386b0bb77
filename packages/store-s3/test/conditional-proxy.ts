/**
 * An HTTP proxy on 127.0.0.1 that puts S3 conditional requests in front of s3rver, which ignores
 * them: `If-None-Match: *` and `If-Match` on PutObject (412, or 404 for an absent key) and,
 * optionally, `If-Match` on DeleteObject. Requests for one object pass one at a time, so a check
 * and its write are atomic and, since each write is answered only once s3rver has the whole
 * object on disk, no read sees a half-written object, as on S3. The proxy remembers the ETag of each object it wrote, so all writes must pass through
 * it. Requests are forwarded byte for byte, Host header included, so
 * their signatures stay valid.
 *
 * It can also misbehave on purpose: answer conditional requests with 409
 * ConditionalRequestConflict, or apply a PutObject and then cut the connection before answering,
 * so the SDK retries a request that already succeeded.
 *
 * @module
 */

import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createS3rverClient, type S3rverServer } from './s3rver-server.js';

/** Options for {@link startConditionalProxy}. */
export interface ConditionalProxyOptions {
  /** Honour `If-Match` on DeleteObject, as AWS does; MinIO and R2 ignore it. */
  conditionalDeletes: boolean;
}

/** A running proxy. */
export interface ConditionalProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The next `count` conditional requests are answered with 409. */
  injectConflicts(count: number): void;
  /** The next `count` conditional PutObjects are applied, then their connections are cut. */
  dropAnswers(count: number): void;
  /** Stops the proxy. */
  close(): Promise<void>;
}

/** A file write of a few megabytes finishes within a second, even on a busy machine. */
const SETTLE_ATTEMPTS_MAX = 500;
const SETTLE_WAIT_MS = 2;

type Condition = { ifNoneMatch: string } | { ifMatch: string };

/**
 * Starts a proxy in front of an s3rver.
 *
 * @param upstream - the s3rver to forward to
 * @param options - whether deletes are conditional
 * @returns the running proxy
 */
export async function startConditionalProxy(
  upstream: S3rverServer,
  options: ConditionalProxyOptions,
): Promise<ConditionalProxy> {
  const upstreamUrl = new URL(upstream.endpoint);
  const heads = createS3rverClient(upstream.endpoint);
  const locks = new Map<string, Promise<void>>();
  const etags = new Map<string, string | undefined>();
  let conflicts = 0;
  let drops = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = Buffer.concat(await request.toArray());
    const condition = conditionOf(request, options.conditionalDeletes);
    const { bucket, key } = objectOf(request);
    if (key === '') {
      return relay(await forward(upstreamUrl, request, body), response);
    }

    const name = `${bucket}/${key}`;
    await withLock(locks, name, async () => {
      if (condition !== undefined && conflicts > 0) {
        conflicts--;
        return sendError(response, 409, 'ConditionalRequestConflict');
      }
      if (condition !== undefined) {
        if (!etags.has(name)) {
          etags.set(name, await currentEtag(heads, bucket, key));
        }
        const refusal = checkCondition(etags.get(name), condition);
        if (refusal !== undefined) {
          return sendError(response, refusal.status, refusal.code);
        }
      }
      const answer = await forward(upstreamUrl, request, body);
      if (answer.status < 300 && request.method === 'PUT') {
        etags.set(name, String(answer.headers.etag));
        await settled(heads, bucket, key, body.length);
      } else if (answer.status < 300 && request.method === 'DELETE') {
        etags.set(name, undefined);
      }
      if (condition !== undefined && request.method === 'PUT' && drops > 0) {
        drops--;
        request.socket.destroy();
        return;
      }
      relay(answer, response);
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendError(response, 500, `ProxyError ${String(error)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    injectConflicts: (count) => {
      conflicts = count;
    },
    dropAnswers: (count) => {
      drops = count;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

function conditionOf(request: IncomingMessage, conditionalDeletes: boolean): Condition | undefined {
  const ifNoneMatch = request.headers['if-none-match'];
  const ifMatch = request.headers['if-match'];
  const honoured = request.method === 'PUT' || (request.method === 'DELETE' && conditionalDeletes);
  if (!honoured) {
    return undefined;
  }
  if (ifNoneMatch !== undefined) {
    return { ifNoneMatch };
  }
  return ifMatch === undefined ? undefined : { ifMatch };
}

function currentEtag(
  heads: ReturnType<typeof createS3rverClient>,
  bucket: string,
  key: string,
): Promise<string | undefined> {
  return heads.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    (head) => head.ETag,
    () => undefined,
  );
}

/**
 * Waits until s3rver has the whole object on disk: it answers a PutObject before its file write
 * has finished, so a read right after could see part of the object.
 */
async function settled(
  heads: ReturnType<typeof createS3rverClient>,
  bucket: string,
  key: string,
  length: number,
): Promise<void> {
  for (let attempt = 0; attempt < SETTLE_ATTEMPTS_MAX; attempt++) {
    const head = await heads.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.ContentLength === length) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_WAIT_MS));
  }
  throw new Error(`s3rver did not finish writing ${key}`);
}

function checkCondition(
  etag: string | undefined,
  condition: Condition,
): { status: number; code: string } | undefined {
  if ('ifNoneMatch' in condition) {
    return etag === undefined ? undefined : { status: 412, code: 'PreconditionFailed' };
  }
  if (etag === undefined) {
    return { status: 404, code: 'NoSuchKey' };
  }
  return unquote(etag) === unquote(condition.ifMatch)
    ? undefined
    : { status: 412, code: 'PreconditionFailed' };
}

function objectOf(request: IncomingMessage): { bucket: string; key: string } {
  const path = new URL(request.url ?? '/', 'http://proxy').pathname;
  const [, bucket = '', ...rest] = path.split('/');
  return { bucket, key: decodeURIComponent(rest.join('/')) };
}

function forward(upstream: URL, request: IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        answer
          .toArray()
          .then((chunks) =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          )
          .catch(reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function relay(answer: Answer, response: ServerResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

function sendError(response: ServerResponse, status: number, code: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
  });
  response.end(xml);
}

async function withLock(
  locks: Map<string, Promise<void>>,
  name: string,
  body: () => Promise<void>,
): Promise<void> {
  const previous = locks.get(name) ?? Promise.resolve();
  const current = previous.then(body, body);
  const settled = current.then(
    () => undefined,
    () => undefined,
  );
  locks.set(name, settled);
  try {
    await current;
  } finally {
    if (locks.get(name) === settled) {
      locks.delete(name);
    }
  }
}

function unquote(etag: string): string {
  return etag.replaceAll('"', '');
}
