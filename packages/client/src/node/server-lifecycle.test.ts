import {
  AcquireError,
  createManualClock,
  createMemoryStore,
  createService,
  ErrorCode,
  SCRYPT_LOG_N_MIN,
  type ServiceHandler,
} from '@acquire/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SERVICE_PASSWORD, silentLogger } from '../../test/service-fixtures.js';
import { readServerEnvironment, resolveServicePassword } from './environment.js';
import { startServer } from './server.js';

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('startServer', () => {
  it('mounts several services by path, and answers other paths with ROUTE_NOT_FOUND', async () => {
    const clock = createManualClock();
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      env: {},
      createServices: async ({ url }) => {
        const make = (type: 'identity' | 'accounting', path: string) =>
          createService({
            type,
            url: `${url}${path}`,
            store: createMemoryStore(),
            servicePassword: SERVICE_PASSWORD,
            functions: [],
            clock,
            scryptLogN: SCRYPT_LOG_N_MIN,
          });
        return [
          { path: '/identity', handler: await make('identity', '/identity') },
          { path: '/accounting/', handler: await make('accounting', '/accounting') },
        ];
      },
    });

    try {
      const identity = await (await fetch(`${server.url}/identity`)).json();
      const accounting = await (await fetch(`${server.url}/accounting/`)).json();
      expect(identity).toMatchObject({ type: 'identity', url: `${server.url}/identity` });
      expect(accounting).toMatchObject({ type: 'accounting', url: `${server.url}/accounting` });

      for (const path of ['/', '/identityx', '/elsewhere/identity']) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status).toBe(404);
        expect(await response.json()).toMatchObject({ code: ErrorCode.ROUTE_NOT_FOUND });
      }
    } finally {
      await server.close();
    }
  });

  it('logs each request through pino without bodies, and turns handler crashes into a generic 500', async () => {
    const { logger, lines } = recordingLogger();
    const crashing: ServiceHandler = async () => {
      throw new Error('handler exploded with secret hunter2');
    };
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      env: {},
      services: crashing,
    });

    try {
      const response = await fetch(`${server.url}/?q=1`, {
        method: 'POST',
        body: 'password=hunter2',
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        status: 'error',
        code: ErrorCode.INTERNAL_ERROR,
        message: 'the server failed',
      });
    } finally {
      await server.close();
    }

    const request = lines.find((line) => line.msg === 'request');
    expect(request).toMatchObject({
      method: 'POST',
      path: '/',
      status: 500,
      remoteAddress: '127.0.0.1',
    });
    expect(typeof request?.durationMs).toBe('number');
    expect(lines.find((line) => line.msg === 'request failed')).toMatchObject({
      errorName: 'Error',
    });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('refuses an oversized streamed body and logs it with the caller address', async () => {
    const { logger, lines } = recordingLogger();
    const echoing: ServiceHandler = async (request) => new Response(await request.text());
    const bodyBytesMax = 1024;
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      env: {},
      bodyBytesMax,
      services: echoing,
    });

    try {
      const chunk = new Uint8Array(bodyBytesMax / 4);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let index = 0; index < 8; index++) {
            controller.enqueue(chunk);
          }
          controller.close();
        },
      });
      const init: RequestInit & { duplex: 'half' } = { method: 'POST', body, duplex: 'half' };
      const response = await fetch(`${server.url}/`, init);
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ code: ErrorCode.BODY_TOO_LARGE });

      await expect
        .poll(() => lines.find((line) => line.msg === 'request'))
        .toMatchObject({ status: 413, remoteAddress: '127.0.0.1' });
    } finally {
      await server.close();
    }
  });

  it('waits for in-flight requests when closing, and refuses new connections', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow: ServiceHandler = async () => {
      started();
      await gate;
      return new Response('done');
    };
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
      env: {},
      services: slow,
    });

    const inFlight = fetch(server.url).then((response) => response.text());
    await arrived;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    await expect(fetch(server.url)).rejects.toThrow();

    release();
    expect(await inFlight).toBe('done');
    await closing;
    expect(closed).toBe(true);
  });

  it('cuts in-flight requests at the shutdown deadline', async () => {
    const never: ServiceHandler = () => new Promise(() => {});
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
      env: {},
      services: never,
      shutdownDeadlineMs: 50,
    });
    const abandoned = fetch(server.url).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));

    await server.close();
    expect(await abandoned).toBeInstanceOf(Error);
  });

  it('reads host, port, log level and service password from the environment', async () => {
    expect(readServerEnvironment({})).toEqual({});
    expect(
      readServerEnvironment({
        ACQUIRE_HOST: '0.0.0.0',
        ACQUIRE_PORT: '9090',
        ACQUIRE_SERVICE_PASSWORD: 's3cret',
        ACQUIRE_LOG_LEVEL: 'warn',
      }),
    ).toEqual({ host: '0.0.0.0', port: 9090, servicePassword: 's3cret', logLevel: 'warn' });
    for (const env of [
      { ACQUIRE_PORT: '70000' },
      { ACQUIRE_PORT: '80a' },
      { ACQUIRE_LOG_LEVEL: 'loud' },
    ]) {
      expect(() => readServerEnvironment(env)).toThrow(AcquireError);
    }

    expect(resolveServicePassword('given', { ACQUIRE_SERVICE_PASSWORD: 'env' })).toBe('given');
    expect(resolveServicePassword(undefined, { ACQUIRE_SERVICE_PASSWORD: 'env' })).toBe('env');
    expect(() => resolveServicePassword(undefined, {})).toThrow(/ACQUIRE_SERVICE_PASSWORD/);

    const server = await startServer({
      logger: silentLogger,
      env: { ACQUIRE_HOST: '127.0.0.1', ACQUIRE_PORT: '0' },
      services: async () => new Response('hi'),
    });
    try {
      expect(server.host).toBe('127.0.0.1');
      expect(server.port).toBeGreaterThan(0);
      expect(await (await fetch(server.url)).text()).toBe('hi');
    } finally {
      await server.close();
    }
  });
});
