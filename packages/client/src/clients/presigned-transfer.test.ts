import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AcquireError,
  decodeObjectFrame,
  ErrorCode,
  encodeTombstoneFrame,
  encodeValueFrame,
  OBJECT_FRAME_HEADER_BYTES,
  utf8Encode,
} from '@acquire/core';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadThroughPresignedUrl, uploadThroughPresignedUrl } from './presigned-transfer.js';

/** Stands in for a pre-signed URL's signature: the server refuses any other. */
const SIGNATURE = 'X-Amz-Signature=0123456789abcdef';

/** Long enough for any request here, short enough to test a stall quickly. */
const STALL_TIMEOUT_MS = 300;

/**
 * A small object server in the manner of S3 behind pre-signed URLs: PUT stores the body under the
 * path, GET returns it or 404, a request without the signature gets 403, `/stall/…` never
 * answers and `/chunked/…` streams its object without a length.
 */
interface ObjectServer {
  readonly origin: string;
  readonly objects: Map<string, Uint8Array>;
  close(): Promise<void>;
}

async function startObjectServer(): Promise<ObjectServer> {
  const objects = new Map<string, Uint8Array>();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://objects');
    const body = Buffer.concat(await request.toArray());
    if (url.pathname.startsWith('/stall/')) {
      return;
    }
    if (!url.search.includes(SIGNATURE)) {
      return answer(response, 403, '<Error><Code>AccessDenied</Code></Error>');
    }
    const key = url.pathname.replace(/^\/chunked\//, '/');
    if (request.method === 'PUT') {
      objects.set(key, new Uint8Array(body));
      return answer(response, 200, '');
    }
    const stored = objects.get(key);
    if (stored === undefined) {
      return answer(response, 404, '<Error><Code>NoSuchKey</Code></Error>');
    }
    if (url.pathname.startsWith('/chunked/')) {
      response.writeHead(200);
      for (let start = 0; start < stored.length; start += 1000) {
        response.write(stored.subarray(start, start + 1000));
      }
      return response.end();
    }
    answer(response, 200, stored);
  };
  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    objects,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(response: ServerResponse, status: number, body: string | Uint8Array): void {
  response.writeHead(status, { 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

let server: ObjectServer;

beforeAll(async () => {
  server = await startObjectServer();
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  server.objects.clear();
});

function signedUrl(path: string): string {
  return `${server.origin}${path}?X-Amz-Expires=60&${SIGNATURE}`;
}

async function caught(promise: Promise<unknown>): Promise<AcquireError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!AcquireError.is(outcome)) {
    throw new Error(`expected an AcquireError, got ${String(outcome)}`);
  }
  return outcome;
}

describe('moving objects through pre-signed URLs', () => {
  it('uploads framed bodies and downloads the same values back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), async (value) => {
        const url = signedUrl('/bucket/prefix/buckets/alice/photo');
        await uploadThroughPresignedUrl(url, value);

        const stored = server.objects.get('/bucket/prefix/buckets/alice/photo');
        expect(await decodeObjectFrame(stored ?? new Uint8Array(), 'photo')).toEqual({
          kind: 'value',
          value,
        });
        expect(await downloadThroughPresignedUrl(url)).toEqual({ found: true, value });
      }),
      { numRuns: 25 },
    );
  });

  it('downloads what a store framed, also when the body streams without a length', async () => {
    const value = utf8Encode('written by the store');
    server.objects.set('/bucket/doc', (await encodeValueFrame(value)).body);

    expect(await downloadThroughPresignedUrl(signedUrl('/bucket/doc'))).toEqual({
      found: true,
      value,
    });
    expect(await downloadThroughPresignedUrl(signedUrl('/chunked/bucket/doc'))).toEqual({
      found: true,
      value,
    });
  });

  it('reports a missing object or a tombstone as not found', async () => {
    server.objects.set('/bucket/deleted', encodeTombstoneFrame().body);

    expect(await downloadThroughPresignedUrl(signedUrl('/bucket/never'))).toEqual({
      found: false,
    });
    expect(await downloadThroughPresignedUrl(signedUrl('/bucket/deleted'))).toEqual({
      found: false,
    });
  });

  it('refuses damaged, cut short and unframed bodies as CORRUPT_RECORD', async () => {
    const { body } = await encodeValueFrame(utf8Encode('the value'));
    const flipped = body.slice();
    flipped[OBJECT_FRAME_HEADER_BYTES] = (flipped[OBJECT_FRAME_HEADER_BYTES] ?? 0) ^ 0x01;
    server.objects.set('/bucket/flipped', flipped);
    server.objects.set('/bucket/short', body.subarray(0, body.length - 1));
    server.objects.set('/bucket/raw', utf8Encode('the value'));

    for (const name of ['flipped', 'short', 'raw']) {
      const error = await caught(downloadThroughPresignedUrl(signedUrl(`/bucket/${name}`)));
      expect(error.code, name).toBe(ErrorCode.CORRUPT_RECORD);
    }
  });

  it('caps the value it downloads, with and without a declared length', async () => {
    const value = new Uint8Array(10_000);
    server.objects.set('/bucket/big', (await encodeValueFrame(value)).body);

    for (const path of ['/bucket/big', '/chunked/bucket/big']) {
      const fits = await downloadThroughPresignedUrl(signedUrl(path), { valueBytesMax: 10_000 });
      const over = await caught(
        downloadThroughPresignedUrl(signedUrl(path), { valueBytesMax: 9_999 }),
      );

      expect(fits).toEqual({ found: true, value });
      expect(over.code, path).toBe(ErrorCode.ACCESS_OBJECT_TOO_LARGE);
    }
  });

  it('reports refused URLs with their status, never their signature', async () => {
    const unsigned = `${server.origin}/bucket/photo?X-Amz-Signature=wrong`;

    const upload = await caught(uploadThroughPresignedUrl(unsigned, utf8Encode('x')));
    const download = await caught(downloadThroughPresignedUrl(unsigned));

    for (const error of [upload, download]) {
      expect(error.code).toBe(ErrorCode.ACCESS_URL_REFUSED);
      expect(error.details).toEqual({ url: `${server.origin}/bucket/photo`, httpStatus: 403 });
      expect(error.message).not.toContain('wrong');
    }
    expect(server.objects.size).toBe(0);
  });

  it('gives up on a storage that stalls or cannot be reached, naming no signature', async () => {
    const stalled = signedUrl('/stall/bucket/photo');
    const options = { timeoutMs: STALL_TIMEOUT_MS };

    const upload = await caught(uploadThroughPresignedUrl(stalled, utf8Encode('x'), options));
    const download = await caught(downloadThroughPresignedUrl(stalled, options));
    const closed = await caught(downloadThroughPresignedUrl(`http://127.0.0.1:9/x?${SIGNATURE}`));

    expect([upload.code, download.code]).toEqual([ErrorCode.CALL_TIMEOUT, ErrorCode.CALL_TIMEOUT]);
    expect(closed.code).toBe(ErrorCode.SERVICE_UNREACHABLE);
    for (const error of [upload, download, closed]) {
      expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(SIGNATURE);
    }
  });

  it('refuses bad URLs, values and limits before sending anything', async () => {
    const url = signedUrl('/bucket/photo');
    const attempts = [
      () => uploadThroughPresignedUrl('not a url', utf8Encode('x')),
      () => uploadThroughPresignedUrl(`file:///etc/passwd?${SIGNATURE}`, utf8Encode('x')),
      () => uploadThroughPresignedUrl(url, 'text' as unknown as Uint8Array),
      () => uploadThroughPresignedUrl(url, utf8Encode('x'), { timeoutMs: 0 }),
      () => downloadThroughPresignedUrl(42 as unknown as string),
      () => downloadThroughPresignedUrl(url, { valueBytesMax: -1 }),
      () => downloadThroughPresignedUrl(url, { valueBytesMax: 1.5 }),
    ];

    for (const attempt of attempts) {
      expect((await caught(attempt())).code).toBe(ErrorCode.INVALID_ARGUMENT);
    }
    expect(server.objects.size).toBe(0);
  });
});
