/**
 * `startServer`: serves one or more Acquire service handlers on `node:http`, with a body-size
 * cap, request logging through pino, and a graceful `close()` that lets in-flight requests
 * finish before a deadline.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AcquireError,
  ErrorCode,
  httpStatusForCode,
  type Logger,
  REQUEST_BODY_BYTES_MAX,
  type ServiceHandler,
} from '@acquire/core';
import { pino } from 'pino';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  type Environment,
  readServerEnvironment,
} from './environment.js';
import { readNodeBody, toWebRequest, writeWebResponse } from './http-bridge.js';

/**
 * `close()` waits this long for in-flight requests before cutting connections: long enough for
 * any call within its own time limit to finish, short enough for a deploy to move on.
 */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/** A handler mounted under a path prefix. */
export interface ServiceMount {
  /** The path prefix, for example `/identity`; the root when absent. */
  readonly path?: string;
  /** The handler; it sees the full request path, prefix included. */
  readonly handler: ServiceHandler;
}

/** One handler for everything, or handlers by path prefix. */
export type ServiceMounts = ServiceHandler | readonly ServiceMount[];

/** Options for {@link startServer}. */
export interface StartServerOptions {
  /** The host to bind. @default ACQUIRE_HOST, else DEFAULT_HOST */
  readonly host?: string;
  /** The port; 0 picks a free one. @default ACQUIRE_PORT, else DEFAULT_PORT */
  readonly port?: number;
  /** The handlers. Give this or {@link StartServerOptions.createServices}. */
  readonly services?: ServiceMounts;
  /**
   * Makes the handlers once the server knows its own URL: useful with port 0, since a service
   * must know its canonical URL. Give this or {@link StartServerOptions.services}.
   */
  readonly createServices?: (server: {
    readonly url: string;
  }) => ServiceMounts | Promise<ServiceMounts>;
  /** The request logger; a pino logger fits. @default pino at ACQUIRE_LOG_LEVEL, else `info` */
  readonly logger?: Logger;
  /** The largest request body read. @default REQUEST_BODY_BYTES_MAX */
  readonly bodyBytesMax?: number;
  /** How long `close()` waits for in-flight requests. @default SHUTDOWN_DEADLINE_MS */
  readonly shutdownDeadlineMs?: number;
  /** Where configuration is read from. @default process.env */
  readonly env?: Environment;
}

/** A running server. */
export interface RunningServer {
  /** The server's base URL, for example `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The bound host. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /**
   * Stops accepting connections, waits for in-flight requests (up to the shutdown deadline),
   * then closes every connection.
   */
  close(): Promise<void>;
}

interface ServerState {
  mounts: readonly (ServiceMount & { readonly path: string })[];
  closing: boolean;
  readonly inFlight: Set<Promise<void>>;
}

/**
 * Starts an HTTP server for service handlers.
 *
 * @param options - host, port, handlers, logger and limits
 * @returns the running server
 * @throws AcquireError `INVALID_ARGUMENT` for a bad environment or mount path; the listen error
 *   when the port is taken
 * @example
 * ```ts
 * import { createIdentityService, createMemoryStore } from '@acquire/core';
 * import { resolveServicePassword, startServer } from '@acquire/client/node';
 *
 * const server = await startServer({
 *   port: 8080,
 *   createServices: ({ url }) =>
 *     createIdentityService({
 *       url,
 *       store: createMemoryStore(),
 *       servicePassword: resolveServicePassword(),
 *     }),
 * });
 * process.on('SIGTERM', () => server.close());
 * ```
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  if ((options.services === undefined) === (options.createServices === undefined)) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'startServer needs exactly one of services and createServices',
    );
  }
  const env = readServerEnvironment(options.env ?? process.env);
  const logger = options.logger ?? pino({ level: env.logLevel ?? 'info' });
  const state: ServerState = { mounts: [], closing: false, inFlight: new Set() };
  const settings: RequestSettings = {
    bodyBytesMax: options.bodyBytesMax ?? REQUEST_BODY_BYTES_MAX,
    logger,
    baseUrl: '',
  };

  const server = createServer((request, response) => {
    const handled = handleRequest(request, response, state, settings);
    state.inFlight.add(handled);
    void handled.finally(() => state.inFlight.delete(handled));
  });
  const host = options.host ?? env.host ?? DEFAULT_HOST;
  const address = await listen(server, host, options.port ?? env.port ?? DEFAULT_PORT);
  const bracketed = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  settings.baseUrl = `http://${bracketed}:${address.port}`;

  try {
    const services =
      options.services ?? (await options.createServices?.({ url: settings.baseUrl }));
    state.mounts = normaliseMounts(services as ServiceMounts);
  } catch (error) {
    server.close();
    throw error;
  }
  logger.info(
    { url: settings.baseUrl, mounts: state.mounts.map((mount) => mount.path) },
    'server listening',
  );

  return {
    url: settings.baseUrl,
    host: address.address,
    port: address.port,
    close: () =>
      shutDown(server, state, options.shutdownDeadlineMs ?? SHUTDOWN_DEADLINE_MS, logger),
  };
}

interface RequestSettings {
  readonly bodyBytesMax: number;
  readonly logger: Logger;
  baseUrl: string;
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function normaliseMounts(services: ServiceMounts): ServerState['mounts'] {
  const mounts = typeof services === 'function' ? [{ handler: services }] : services;
  const normalised = mounts.map((mount) => {
    const path = (mount.path ?? '').replace(/\/+$/, '');
    if (path !== '' && !/^\/[A-Za-z0-9._~/-]*$/.test(path)) {
      throw new AcquireError(ErrorCode.INVALID_ARGUMENT, `mount path ${path} is not a plain path`);
    }
    return { path, handler: mount.handler };
  });
  // Longest prefix first, so /identity/admin wins over /identity.
  return normalised.sort((left, right) => right.path.length - left.path.length);
}

function findMount(mounts: ServerState['mounts'], pathname: string): ServiceHandler | undefined {
  return mounts.find(
    (mount) =>
      mount.path === '' || pathname === mount.path || pathname.startsWith(`${mount.path}/`),
  )?.handler;
}

async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  state: ServerState,
  settings: RequestSettings,
): Promise<void> {
  const requestId = randomUUID();
  const startedMs = performance.now();
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  // Read now: once a refused connection is destroyed, `request.socket` is null.
  const remoteAddress = request.socket.remoteAddress;
  response.on('finish', () => {
    settings.logger.info(
      {
        requestId,
        method: request.method,
        path,
        status: response.statusCode,
        durationMs: Math.round((performance.now() - startedMs) * 10) / 10,
        remoteAddress,
      },
      'request',
    );
  });
  if (state.closing) {
    response.setHeader('connection', 'close');
  }

  try {
    const handler = findMount(state.mounts, path);
    if (handler === undefined) {
      throw new AcquireError(ErrorCode.ROUTE_NOT_FOUND, 'no service at this path');
    }
    const body = await readNodeBody(request, settings.bodyBytesMax);
    const webRequest = toWebRequest(request, settings.baseUrl, body);
    const info = { requestId, ...(remoteAddress === undefined ? {} : { remoteAddress }) };
    const webResponse = await handler(webRequest, info);
    await writeWebResponse(webResponse, response, request.method === 'HEAD');
  } catch (error) {
    refuse(error, request, response, requestId, settings.logger);
  }
}

function refuse(
  error: unknown,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  logger: Logger,
): void {
  const known = AcquireError.is(error) && error.code !== ErrorCode.INTERNAL_ERROR;
  const code = known ? (error as AcquireError).code : ErrorCode.INTERNAL_ERROR;
  const message = known ? (error as AcquireError).message : 'the server failed';
  if (!known) {
    logger.error(
      { requestId, errorName: error instanceof Error ? error.name : typeof error },
      'request failed',
    );
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }

  const status = httpStatusForCode(code);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-request-id': requestId,
    // The rest of an oversized body is not read; close the connection rather than drain it.
    ...(code === ErrorCode.BODY_TOO_LARGE ? { connection: 'close' } : {}),
  });
  response.end(JSON.stringify({ status: 'error', code, message }));
  if (code === ErrorCode.BODY_TOO_LARGE) {
    request.resume();
  }
}

async function shutDown(
  server: Server,
  state: ServerState,
  deadlineMs: number,
  logger: Logger,
): Promise<void> {
  state.closing = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const outcome = await Promise.race([Promise.allSettled([...state.inFlight]), deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline') {
    logger.warn({ inFlight: state.inFlight.size }, 'shutdown deadline passed; closing connections');
  }

  server.closeAllConnections();
  await closed;
  logger.info({}, 'server closed');
}
