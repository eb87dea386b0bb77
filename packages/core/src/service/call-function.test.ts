import { beforeAll, describe, expect, it } from 'vitest';
import {
  addTestService,
  createTestNetwork,
  setUpAdmin,
  type TestNetwork,
} from '../../test/service-fixtures.js';
import { base64UrlDecode, base64UrlEncode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { callFunction } from './call-function.js';
import type { FetchFunction } from './http-fetch.js';

const SERVICE = 'http://callee.test';

async function caught(promise: Promise<unknown>): Promise<AcquireError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AcquireError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** A fetch that passes requests on and lets a test rewrite the JSON of POST replies. */
function rewritingFetch(
  inner: FetchFunction,
  rewrite: (reply: Record<string, unknown>) => Record<string, unknown>,
): FetchFunction {
  return async (input, init) => {
    const response = await inner(input, init);
    if (init?.method !== 'POST') {
      return response;
    }
    const reply = rewrite(await response.json());
    return new Response(JSON.stringify(reply), {
      status: response.status,
      headers: response.headers,
    });
  };
}

function flipFirstByte(text: string): string {
  const bytes = base64UrlDecode(text);
  bytes[0] = (bytes[0] as number) ^ 1;
  return base64UrlEncode(bytes);
}

describe('callFunction', () => {
  let network: TestNetwork;

  beforeAll(async () => {
    network = createTestNetwork();
    await addTestService(network, { url: SERVICE });
    await setUpAdmin(network, SERVICE);
  });

  it('refuses a tampered reply', async () => {
    for (const sealReply of [true, false]) {
      const fetchImpl = rewritingFetch(network.fetchImpl, (reply) => ({
        ...reply,
        reply: flipFirstByte(String(reply.reply)),
      }));
      const options = network.callOptions({ fetchImpl, sealReply });
      const error = await caught(callFunction(SERVICE, 'add', { a: 1, b: 2 }, options));
      expect(error.code).toBe(ErrorCode.REPLY_INVALID_SIGNATURE);
    }
  });

  it('refuses a reply whose signature was swapped or removed, or that comes unwrapped', async () => {
    const rewrites: ((reply: Record<string, unknown>) => Record<string, unknown>)[] = [
      (reply) => ({ ...reply, signature: flipFirstByte(String(reply.signature)) }),
      ({ signature: _signature, ...reply }) => reply,
      () => ({ status: 'ok', message: 'ok', result: { sum: 1_000_000 } }),
    ];
    for (const rewrite of rewrites) {
      const options = network.callOptions({
        fetchImpl: rewritingFetch(network.fetchImpl, rewrite),
      });
      const error = await caught(callFunction(SERVICE, 'add', { a: 1, b: 2 }, options));
      expect(error.code).toBe(ErrorCode.REPLY_INVALID_SIGNATURE);
    }
  });

  it('refuses a replayed reply, even with the new nonce written in', async () => {
    let recorded: Record<string, unknown> | undefined;
    const record = rewritingFetch(network.fetchImpl, (reply) => {
      recorded = reply;
      return reply;
    });
    expect(
      await callFunction(
        SERVICE,
        'add',
        { a: 1, b: 2 },
        network.callOptions({ fetchImpl: record }),
      ),
    ).toEqual({
      sum: 3,
    });

    const replay = rewritingFetch(network.fetchImpl, () => recorded as Record<string, unknown>);
    const replayed = await caught(
      callFunction(SERVICE, 'add', { a: 1, b: 2 }, network.callOptions({ fetchImpl: replay })),
    );
    expect(replayed.code).toBe(ErrorCode.REPLY_REPLAYED);

    const relabel = rewritingFetch(network.fetchImpl, (fresh) => ({
      ...recorded,
      nonce: fresh.nonce,
    }));
    const relabelled = await caught(
      callFunction(SERVICE, 'add', { a: 1, b: 2 }, network.callOptions({ fetchImpl: relabel })),
    );
    expect(relabelled.code).toBe(ErrorCode.REPLY_INVALID_SIGNATURE);
  });

  it('refuses public info that names another URL, or keys that differ from the pins', async () => {
    const impostor: FetchFunction = (input, init) =>
      network.fetchImpl(String(input).replace('http://elsewhere.test', SERVICE), init);
    const moved = await caught(
      callFunction(
        'http://elsewhere.test',
        'add',
        { a: 1, b: 1 },
        network.callOptions({ fetchImpl: impostor }),
      ),
    );
    expect(moved.code).toBe(ErrorCode.SERVICE_INFO_MISMATCH);

    const pinned = {
      signingKeyFingerprint: 'A'.repeat(22),
      encryptionKeyFingerprint: 'B'.repeat(22),
    };
    const wrong = await caught(
      callFunction(SERVICE, 'add', { a: 1, b: 1 }, network.callOptions({ pinned })),
    );
    expect(wrong.code).toBe(ErrorCode.SERVICE_INFO_MISMATCH);

    const expectedType = 'identity' as const;
    const other = await caught(
      callFunction(SERVICE, 'add', { a: 1, b: 1 }, network.callOptions({ expectedType })),
    );
    expect(other.code).toBe(ErrorCode.SERVICE_INFO_MISMATCH);
  });

  it('gives up after its time limit', async () => {
    const stalling: FetchFunction = (input, init) =>
      init?.method === 'POST'
        ? new Promise((_resolve, reject) => {
            init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
          })
        : network.fetchImpl(input, init);
    const options = network.callOptions({ fetchImpl: stalling, timeoutMs: 50 });
    const error = await caught(callFunction(SERVICE, 'add', { a: 1, b: 1 }, options));
    expect(error.code).toBe(ErrorCode.CALL_TIMEOUT);
  });

  it('retries idempotent calls only, and only a bounded number of times', async () => {
    let failuresLeft = 0;
    let posts = 0;
    const flaky: FetchFunction = async (input, init) => {
      if (init?.method === 'POST') {
        posts++;
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new TypeError('connection reset');
        }
      }
      return network.fetchImpl(input, init);
    };

    failuresLeft = 2;
    posts = 0;
    const options = network.callOptions({ fetchImpl: flaky, idempotent: true });
    expect(await callFunction(SERVICE, 'add', { a: 2, b: 2 }, options)).toEqual({ sum: 4 });
    expect(posts).toBe(3);

    failuresLeft = 5;
    posts = 0;
    const exhausted = await caught(callFunction(SERVICE, 'add', { a: 2, b: 2 }, options));
    expect(exhausted.code).toBe(ErrorCode.SERVICE_UNREACHABLE);
    expect(posts).toBe(3);

    failuresLeft = 1;
    posts = 0;
    const once = network.callOptions({ fetchImpl: flaky });
    expect((await caught(callFunction(SERVICE, 'add', { a: 2, b: 2 }, once))).code).toBe(
      ErrorCode.SERVICE_UNREACHABLE,
    );
    expect(posts).toBe(1);
  });

  it('sends a call again only after a signed refusal to open its arguments', async () => {
    const options = network.callOptions();
    await callFunction(SERVICE, 'add', { a: 1, b: 1 }, options);
    let posts = 0;
    const counting = (rewrite: (body: Record<string, unknown>) => Record<string, unknown>) =>
      (async (input, init) => {
        if (init?.method !== 'POST') {
          return network.fetchImpl(input, init);
        }
        posts++;
        if (posts > 1) {
          return network.fetchImpl(input, init);
        }
        const body = rewrite(JSON.parse(String(init.body)));
        return network.fetchImpl(input, { ...init, body: JSON.stringify(body) });
      }) as FetchFunction;

    posts = 0;
    const garbled = counting((body) => ({ ...body, args: flipFirstByte(String(body.args)) }));
    expect(
      await callFunction(SERVICE, 'add', { a: 2, b: 3 }, { ...options, fetchImpl: garbled }),
    ).toEqual({ sum: 5 });
    expect(posts).toBe(2);

    posts = 0;
    const forged = rewritingFetch(
      counting((body) => body),
      () => ({
        status: 'error',
        code: ErrorCode.ARGUMENTS_UNDECRYPTABLE,
        message: 'arguments do not open',
      }),
    );
    const refused = await caught(
      callFunction(SERVICE, 'add', { a: 2, b: 3 }, { ...options, fetchImpl: forged }),
    );
    expect(refused.code).toBe(ErrorCode.ARGUMENTS_UNDECRYPTABLE);
    expect(posts).toBe(1);
  });
});
