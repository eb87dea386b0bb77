import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addTestService,
  createTestNetwork,
  setUpAdmin,
  snapshotStore,
} from '../../test/service-fixtures.js';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { decodePublicKey, encodePublicKey } from '../crypto/public-key.js';
import { generateEncryptionKeyPair, sealToPublicKey } from '../crypto/sealed-box.js';
import { ErrorCode } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { REQUEST_BODY_BYTES_MAX, sealCall } from './call-envelope.js';
import type { ServiceHandler } from './create-service.js';

const URL_ = 'http://hostile.test';

/** Codes an envelope that never reaches a function may get. */
const ENVELOPE_CODES: readonly string[] = [
  ErrorCode.BODY_TOO_LARGE,
  ErrorCode.MALFORMED_ENVELOPE,
  ErrorCode.UNSUPPORTED_PROTOCOL_VERSION,
  ErrorCode.ARGUMENTS_UNDECRYPTABLE,
  ErrorCode.UNKNOWN_FUNCTION,
];

describe('the call handler on hostile input', () => {
  let handler: ServiceHandler;
  let store: ObjectStore;
  let serviceKey: Uint8Array;

  beforeAll(async () => {
    const network = createTestNetwork();
    ({ handler, store } = await addTestService(network, { url: URL_ }));
    await setUpAdmin(network, URL_);
    const info = await (await handler(new Request(URL_))).json();
    serviceKey = decodePublicKey('x25519', info.encryptionKey);
  });

  async function post(body: BodyInit): Promise<{ status: number; reply: Record<string, unknown> }> {
    const response = await handler(new Request(`${URL_}/`, { method: 'POST', body }));
    return { status: response.status, reply: await response.json() };
  }

  function envelope(overrides: Record<string, unknown>, args: unknown = { name: 'x', note: 'y' }) {
    const sealed = sealCall('remember', args, serviceKey, { signReply: false, timestampMs: 0 });
    return JSON.stringify({ ...sealed, ...overrides });
  }

  const wrongKey = generateEncryptionKeyPair().publicKey;
  const cases: [string, () => BodyInit, string, number][] = [
    [
      'an oversized body',
      () => 'x'.repeat(REQUEST_BODY_BYTES_MAX + 1),
      ErrorCode.BODY_TOO_LARGE,
      413,
    ],
    ['garbage JSON', () => '{"v":1,"function":', ErrorCode.MALFORMED_ENVELOPE, 400],
    ['an empty body', () => '', ErrorCode.MALFORMED_ENVELOPE, 400],
    ['a JSON array', () => '[1,2]', ErrorCode.MALFORMED_ENVELOPE, 400],
    ['a wrong version', () => envelope({ v: 2 }), ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, 400],
    ['an unknown field', () => envelope({ extra: true }), ErrorCode.MALFORMED_ENVELOPE, 400],
    [
      'an unknown function',
      () => envelope({ function: 'drop_tables' }),
      ErrorCode.UNKNOWN_FUNCTION,
      404,
    ],
    [
      'a function name with capitals',
      () => envelope({ function: 'Remember' }),
      ErrorCode.MALFORMED_ENVELOPE,
      400,
    ],
    [
      'arguments that are not base64url',
      () => envelope({ args: 'not base64!' }),
      ErrorCode.MALFORMED_ENVELOPE,
      400,
    ],
    [
      'arguments sealed to the wrong key',
      () =>
        envelope({
          args: base64UrlEncode(sealToPublicKey(utf8Encode('{"name":"x","note":"y"}'), wrongKey)),
        }),
      ErrorCode.ARGUMENTS_UNDECRYPTABLE,
      400,
    ],
    [
      'sealed arguments that are not JSON',
      () => envelope({ args: base64UrlEncode(sealToPublicKey(utf8Encode('{oops'), serviceKey)) }),
      ErrorCode.MALFORMED_ENVELOPE,
      400,
    ],
    [
      'a reply key that is not a key',
      () => envelope({ replyKey: 'x25519:AAAA' }),
      ErrorCode.MALFORMED_ENVELOPE,
      400,
    ],
    [
      'a signed reply without a nonce',
      () => envelope({ signReply: true, nonce: undefined }),
      ErrorCode.MALFORMED_ENVELOPE,
      400,
    ],
    [
      'a setup call without a reply key',
      () => envelope({ function: 'setup' }),
      ErrorCode.REPLY_KEY_REQUIRED,
      400,
    ],
    [
      'arguments of the wrong type',
      () => envelope({}, { name: 7 }),
      ErrorCode.INVALID_ARGUMENT,
      400,
    ],
  ];

  it.each(cases)('refuses %s with its code, writing nothing', async (_name, body, code, status) => {
    const before = await snapshotStore(store);
    const { status: httpStatus, reply } = await post(body());

    expect(reply).toMatchObject({ status: 'error', code });
    expect(typeof reply.message).toBe('string');
    expect(JSON.stringify(reply)).not.toMatch(/\n\s+at /);
    expect(httpStatus).toBe(status);
    expect(await snapshotStore(store)).toEqual(before);
  });

  it('refuses any generated JSON or text as an envelope, writing nothing', async () => {
    const before = await snapshotStore(store);
    const body = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 200 }),
      fc
        .record({
          v: fc.constantFrom(1, 2, '1'),
          function: fc.constantFrom('remember', 'echo', 'nope', ''),
          args: fc.string({ maxLength: 80 }),
          replyKey: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
          signReply: fc.option(fc.boolean(), { nil: undefined }),
        })
        .map((value) => JSON.stringify(value)),
    );

    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const { status, reply } = await post(text);
        expect(reply.status).toBe('error');
        expect(ENVELOPE_CODES).toContain(reply.code);
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect(await snapshotStore(store)).toEqual(before);
  });

  it('accepts a well-formed envelope to the same function, so the refusals above are real', async () => {
    const { status, reply } = await post(envelope({ replyKey: undefined }));
    expect(status).toBe(200);
    expect(reply).toEqual({ status: 'ok', message: 'ok', result: { stored: 'x' } });
    expect(encodePublicKey('x25519', serviceKey)).toMatch(/^x25519:/);
  });
});
