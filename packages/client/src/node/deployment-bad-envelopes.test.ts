import {
  base64UrlDecode,
  base64UrlEncode,
  decodePublicKey,
  ErrorCode,
  FUNCTION_NAME_LENGTH_MAX_CHARS,
  fetchServicePublicInfo,
  generateEncryptionKeyPair,
  LOGIN_FORM_BYTES_MAX,
  PROTOCOL_VERSION,
  REQUEST_BODY_BYTES_MAX,
  randomBytes,
  sealCall,
  sealToPublicKey,
  utf8Encode,
} from '@acquire/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw, startDeployment, type TestDeployment } from '../../test/deployment-fixtures.js';
import { createManualClock, snapshotStore, type TestService } from '../../test/service-fixtures.js';

/** Property runs per wire-level property: enough variety, a fraction of a second each. */
const RUNS = 40;

const IDENTITY_FUNCTION_NAMES = [
  'setup',
  'register',
  'request_login',
  'login',
  'logout',
  'get_status',
  'get_keys',
  'whois',
];
const ACCESS_FUNCTION_NAMES = [
  'setup',
  'request_bucket',
  'read_object',
  'write_object',
  'list_objects',
  'delete_object',
  'presign_object',
];

describe('hostile requests to the identity and access services over HTTP', () => {
  const clock = createManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  let deployment: TestDeployment;
  let services: readonly TestService[];

  beforeAll(async () => {
    deployment = await startDeployment(clock);
    services = [deployment.identity, deployment.access];
  });

  afterAll(async () => {
    await deployment?.close();
  });

  /** Runs `attempt` and checks that no service's store changed. */
  async function withoutWrites<T>(attempt: () => Promise<T>): Promise<T> {
    const before = await Promise.all(services.map((service) => snapshotStore(service.store)));
    const result = await attempt();
    const after = await Promise.all(services.map((service) => snapshotStore(service.store)));
    expect(after).toEqual(before);
    return result;
  }

  async function post(
    service: TestService,
    body: BodyInit,
  ): Promise<{ status: number; code: unknown }> {
    const reply = await sendRaw(`${service.url}/`, { method: 'POST', body });
    expect(reply.body).toMatchObject({ status: 'error' });
    return { status: reply.status, code: (reply.body as { code?: unknown }).code };
  }

  /**
   * A well-formed envelope calling `name` on `service` with `args`, asking for a plain reply so
   * that refusals can be read without keys.
   */
  async function envelopeFor(
    service: TestService,
    name: string,
    args: unknown,
  ): Promise<Record<string, unknown>> {
    const info = await fetchServicePublicInfo(service.url);
    return {
      ...sealCall(name, args, decodePublicKey('x25519', info.encryptionKey), {
        signReply: false,
        timestampMs: clock.now(),
      }),
    };
  }

  it('refuses oversized bodies, with and without a declared length', async () => {
    for (const service of services) {
      await withoutWrites(async () => {
        const declared = await post(service, 'x'.repeat(REQUEST_BODY_BYTES_MAX + 1));
        expect(declared).toEqual({ status: 413, code: ErrorCode.BODY_TOO_LARGE });

        const chunk = new Uint8Array(64 * 1024);
        const chunks = Math.ceil((REQUEST_BODY_BYTES_MAX + 1) / chunk.length);
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let index = 0; index < chunks; index++) {
              controller.enqueue(chunk);
            }
            controller.close();
          },
        });
        const streamed = await sendRaw(`${service.url}/`, {
          method: 'POST',
          body: stream,
          duplex: 'half',
        });
        expect(streamed).toMatchObject({
          status: 413,
          body: { status: 'error', code: ErrorCode.BODY_TOO_LARGE },
        });
      });
    }
  });

  it('refuses bodies that are not JSON, or not valid UTF-8', async () => {
    const notJson = fc.oneof(
      fc.string({ maxLength: 200 }).filter((text) => !parses(text)),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).filter((bytes) => !parsesBytes(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(notJson, fc.constantFrom(0, 1), async (body, index) => {
        const service = services[index] as TestService;
        await withoutWrites(async () => {
          expect(await post(service, body)).toEqual({
            status: 400,
            code: ErrorCode.MALFORMED_ENVELOPE,
          });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses JSON that is no call envelope, naming a newer protocol when asked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom(0, 1),
        async (body, index) => {
          const service = services[index] as TestService;
          const otherVersion =
            typeof body === 'object' &&
            body !== null &&
            'v' in body &&
            (body as { v: unknown }).v !== PROTOCOL_VERSION;
          await withoutWrites(async () => {
            expect(await post(service, JSON.stringify(body))).toEqual({
              status: 400,
              code: otherVersion
                ? ErrorCode.UNSUPPORTED_PROTOCOL_VERSION
                : ErrorCode.MALFORMED_ENVELOPE,
            });
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses envelopes broken in one field', async () => {
    const breakages = fc.oneof(
      fc.record({ field: fc.constantFrom('v', 'function', 'args'), drop: fc.constant(true) }),
      fc.record({
        field: fc.constantFrom('function', 'args', 'replyKey', 'signReply', 'nonce', 'timestampMs'),
        value: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string())),
      }),
      fc.record({
        field: fc.constant('function'),
        value: fc.oneof(
          fc.constantFrom(
            '',
            'Register',
            'get-keys',
            '_x',
            '9lives',
            'a'.repeat(FUNCTION_NAME_LENGTH_MAX_CHARS + 1),
          ),
          fc
            .string({ minLength: 1, maxLength: 20 })
            .filter((text) => !/^[a-z][a-z0-9_]*$/.test(text)),
        ),
      }),
      fc.record({
        field: fc.constant('replyKey'),
        value: fc.oneof(
          fc.constantFrom('x25519:', 'ed25519:AAAA', `x25519:${'A'.repeat(43)}=`),
          fc.string({ maxLength: 64 }),
        ),
      }),
      fc.record({
        field: fc.constant('nonce'),
        value: fc.oneof(
          fc.constantFrom('short', 'x'.repeat(65), 'has space in it!!'),
          fc.string({ maxLength: 15 }),
        ),
      }),
      fc.record({
        field: fc.constant('timestampMs'),
        value: fc.constantFrom(-1, 1.5, '1767600000000'),
      }),
      fc.record({ field: fc.constant('args'), value: fc.constant('') }),
      fc.record({
        field: fc.string({ minLength: 1, maxLength: 10 }),
        extra: fc.jsonValue({ maxDepth: 1 }),
      }),
    );
    const cases = fc.record({ breakage: breakages, index: fc.constantFrom(0, 1) });

    await fc.assert(
      fc.asyncProperty(cases, async ({ breakage, index }) => {
        const service = services[index] as TestService;
        const envelope = await envelopeFor(service, 'get_status', {});
        const broken: Record<string, unknown> = { ...envelope };
        if ('drop' in breakage) {
          delete broken[breakage.field];
        } else if ('extra' in breakage) {
          fc.pre(!(breakage.field in envelope));
          broken[breakage.field] = breakage.extra;
        } else {
          broken[breakage.field] = breakage.value;
        }
        fc.pre(brokenEnough(breakage, broken));

        await withoutWrites(async () => {
          expect(await post(service, JSON.stringify(broken))).toEqual({
            status: 400,
            code: ErrorCode.MALFORMED_ENVELOPE,
          });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses arguments sealed to another key, altered or cut short', async () => {
    const foreignKey = generateEncryptionKeyPair().publicKey;
    const cases = fc.record({
      index: fc.constantFrom(0, 1),
      how: fc.constantFrom('foreign', 'flipped', 'truncated', 'random'),
      position: fc.nat(),
    });

    await fc.assert(
      fc.asyncProperty(cases, async ({ index, how, position }) => {
        const service = services[index] as TestService;
        const name = index === 0 ? 'whois' : 'list_objects';
        const envelope = await envelopeFor(service, name, { username: 'alice' });
        const sealed = base64UrlDecode(envelope.args as string, 'args');
        let args: Uint8Array;
        if (how === 'foreign') {
          args = sealToPublicKey(utf8Encode('{"username":"alice"}'), foreignKey);
        } else if (how === 'flipped') {
          args = sealed.slice();
          const at = position % args.length;
          args[at] = (args[at] as number) ^ 0x01;
        } else if (how === 'truncated') {
          args = sealed.slice(0, position % sealed.length);
          fc.pre(args.length > 0);
        } else {
          args = randomBytes(1 + (position % 200));
        }

        await withoutWrites(async () => {
          expect(
            await post(service, JSON.stringify({ ...envelope, args: base64UrlEncode(args) })),
          ).toEqual({ status: 400, code: ErrorCode.ARGUMENTS_UNDECRYPTABLE });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses sealed arguments that are not JSON, or not base64url', async () => {
    for (const service of services) {
      const info = await fetchServicePublicInfo(service.url);
      const name = service === deployment.identity ? 'get_status' : 'list_objects';
      const envelope = await envelopeFor(service, name, {});
      const key = decodePublicKey('x25519', info.encryptionKey);
      for (const args of [
        base64UrlEncode(sealToPublicKey(utf8Encode('{"username":'), key)),
        base64UrlEncode(sealToPublicKey(new Uint8Array([0xff, 0xfe, 0x00]), key)),
        'not base64url!',
        `${envelope.args as string}=`,
      ]) {
        await withoutWrites(async () => {
          expect(await post(service, JSON.stringify({ ...envelope, args }))).toEqual({
            status: 400,
            code: ErrorCode.MALFORMED_ENVELOPE,
          });
        });
      }
    }
  });

  it('refuses functions the service does not have, before opening the arguments', async () => {
    const unknown = fc
      .stringMatching(/^[a-z][a-z0-9_]{0,30}$/)
      .filter(
        (name) => !IDENTITY_FUNCTION_NAMES.includes(name) && !ACCESS_FUNCTION_NAMES.includes(name),
      );
    const cases = fc.record({
      index: fc.constantFrom(0, 1),
      name: fc.oneof(
        unknown,
        fc.constantFrom('request_bucket', 'read_object', 'register', 'login', 'get_keys'),
      ),
    });

    await fc.assert(
      fc.asyncProperty(cases, async ({ index, name }) => {
        const service = services[index] as TestService;
        const own = index === 0 ? IDENTITY_FUNCTION_NAMES : ACCESS_FUNCTION_NAMES;
        fc.pre(!own.includes(name));
        // Sealed to a stranger: the function name is judged first.
        const envelope = await envelopeFor(service, name, {});
        const stranger = sealToPublicKey(utf8Encode('{}'), generateEncryptionKeyPair().publicKey);

        await withoutWrites(async () => {
          expect(
            await post(service, JSON.stringify({ ...envelope, args: base64UrlEncode(stranger) })),
          ).toEqual({ status: 404, code: ErrorCode.UNKNOWN_FUNCTION });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses other routes and methods', async () => {
    for (const service of services) {
      await withoutWrites(async () => {
        expect(
          await sendRaw(`${service.url}/nothing-here`, { method: 'POST', body: '{}' }),
        ).toEqual({
          status: 404,
          body: expect.objectContaining({ code: ErrorCode.ROUTE_NOT_FOUND }),
        });
        expect(await sendRaw(`${service.url}/`, { method: 'PUT', body: '{}' })).toEqual({
          status: 405,
          body: expect.objectContaining({ code: ErrorCode.METHOD_NOT_ALLOWED }),
        });
        expect(await sendRaw(`${service.url}/`, { method: 'DELETE' })).toEqual({
          status: 405,
          body: expect.objectContaining({ code: ErrorCode.METHOD_NOT_ALLOWED }),
        });
      });
    }
    // Only identity services serve the login page.
    expect(
      (await sendRaw(`${deployment.access.url}/s`, { method: 'POST', body: 'id=x' })).body,
    ).toMatchObject({ code: ErrorCode.ROUTE_NOT_FOUND });
  });

  it('refuses broken login forms with a page, writing nothing', async () => {
    const { identity, session } = deployment;
    const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
    const valid = { id: session.shortUid, username: 'alice', password: 'x', code: '123456' };
    const cases: [string, string, number, string][] = [
      ['application/x-www-form-urlencoded', 'x'.repeat(LOGIN_FORM_BYTES_MAX + 1), 400, 'Fill in'],
      ['application/json', JSON.stringify(valid), 400, 'Fill in'],
      ['application/x-www-form-urlencoded', form({ ...valid, id: '../../x' }), 400, 'not valid'],
      ['application/x-www-form-urlencoded', form({ ...valid, code: '' }), 400, 'Fill in'],
      ['application/x-www-form-urlencoded', form({ ...valid, code: 'abcdef' }), 400, 'Fill in'],
      ['application/x-www-form-urlencoded', form({ ...valid, username: 'ab' }), 400, 'Fill in'],
      ['application/x-www-form-urlencoded', '%ff%fe=%80', 400, 'not valid'],
    ];
    for (const [type, body, status, words] of cases) {
      await withoutWrites(async () => {
        const response = await fetch(`${identity.url}/s`, {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        });
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await response.text()).toContain(words);
      });
    }
  });
});

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parsesBytes(bytes: Uint8Array): boolean {
  try {
    return parses(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return false;
  }
}

/** Some one-field changes leave an envelope well-formed; those are not what this test is for. */
function brokenEnough(
  breakage: { field: string; value?: unknown },
  broken: Record<string, unknown>,
): boolean {
  if (breakage.field === 'v') {
    return !('v' in broken);
  }
  if (breakage.field === '__proto__') {
    return false;
  }
  if (breakage.field === 'signReply') {
    return typeof broken.signReply !== 'boolean';
  }
  if (breakage.field === 'timestampMs') {
    const value = broken.timestampMs;
    return !(typeof value === 'number' && Number.isInteger(value) && value >= 0);
  }
  if (breakage.field === 'replyKey' && typeof broken.replyKey === 'string') {
    return !isX25519Text(broken.replyKey);
  }
  if (breakage.field === 'nonce' && typeof broken.nonce === 'string') {
    return !/^[A-Za-z0-9_-]{16,64}$/.test(broken.nonce);
  }
  return true;
}

function isX25519Text(text: string): boolean {
  try {
    decodePublicKey('x25519', text);
    return true;
  } catch {
    return false;
  }
}
