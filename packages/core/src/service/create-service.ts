/**
 * `createService`: one Acquire service as a web-standard handler,
 * `(request: Request) => Promise<Response>`, that mounts unchanged in Node's `http` (see
 * `@acquire/client/node`), Hono, Deno, Bun or a worker.
 *
 * Routes, relative to the path of the service URL:
 * - `POST /` calls a function (see the call envelope and reply envelope modules);
 * - `GET /` returns the public info;
 * - `OPTIONS /` answers CORS pre-flights, so browser code can call services directly;
 * - `GET /s?id=<short uid>` and `POST /s`: the login page, on identity services that have a
 *   `login` function.
 *
 * @module
 */

import type * as v from 'valibot';
import { base64UrlEncode } from '../crypto/encoding.js';
import { SCRYPT_LOG_N_DEFAULT } from '../crypto/password-seal.js';
import { randomBytes } from '../crypto/random.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { type Logger, silentLogger } from '../logging.js';
import type { ObjectStore } from '../store/object-store.js';
import { type Clock, systemClock } from '../time/clock.js';
import { REQUEST_BODY_BYTES_MAX } from './call-envelope.js';
import { handleCall, WIRE_HEADERS } from './call-handler.js';
import { type FetchFunction, globalFetch } from './http-fetch.js';
import { HttpStatus, httpStatusForCode } from './http-status.js';
import { KEY_ROTATION_GRACE_MS_DEFAULT } from './key-rotation.js';
import { handleLoginRoute, LOGIN_FUNCTION_NAME } from './login-route.js';
import type { ServiceContext, ServiceFunction } from './service-function.js';
import type { ServiceKeyPairs } from './service-identity.js';
import type { ServicePublicInfo } from './service-info.js';
import { createServiceKeeper, type ServiceKeeper } from './service-keeper.js';
import { canonicalServiceUrl, type ServiceType, serviceBasePath } from './service-url.js';
import { createSetupFunction, SETUP_FUNCTION_NAME } from './setup-function.js';

/** Facts about one request that only the host knows. */
export interface ServiceRequestInfo {
  /** The caller's network address, for throttling. */
  readonly remoteAddress?: string;
  /** An id for log lines; made up when absent. Only `[A-Za-z0-9_-]` up to 64 characters is kept. */
  readonly requestId?: string;
}

/**
 * A web-standard request handler; `info` is optional, so it is also a plain
 * `(Request) => Promise<Response>`.
 */
export type ServiceHandler = (request: Request, info?: ServiceRequestInfo) => Promise<Response>;

/** What a context factory is given: the base context plus access to the service's keys. */
export interface ServiceRuntime extends Omit<ServiceContext, 'remoteAddress'> {
  /** The fetch the service uses to reach others. */
  readonly fetchImpl: FetchFunction;
  /**
   * The service's current key pairs, for example to sign grants.
   *
   * @throws AcquireError `SERVICE_NOT_SET_UP` before set-up
   */
  currentKeys(): Promise<ServiceKeyPairs>;
  /** The service's current public info. */
  publicInfo(): Promise<ServicePublicInfo>;
}

/** The context fields a service's functions need beyond {@link ServiceContext}. */
export type ServiceContextExtras<TContext extends ServiceContext> = Omit<
  TContext,
  keyof ServiceContext
>;

/** Extra context fields, or a factory that builds them once from the runtime. */
export type ServiceContextExtension<TContext extends ServiceContext> =
  | ServiceContextExtras<TContext>
  | ((runtime: ServiceRuntime) => ServiceContextExtras<TContext>);

/** Options for {@link createService}. */
export interface CreateServiceOptions<TContext extends ServiceContext = ServiceContext> {
  /** The kind of service. */
  readonly type: ServiceType;
  /** The canonical URL callers use; it is bound into every signed reply. */
  readonly url: string;
  /** Where all state lives; the identity is at `service/identity.json`. */
  readonly store: ObjectStore;
  /**
   * Seals the service's secret keys at rest; the Node entry reads it from
   * `ACQUIRE_SERVICE_PASSWORD`.
   */
  readonly servicePassword: string;
  /** The wire functions; `setup` is built in and may not be given. */
  readonly functions: readonly ServiceFunction<v.GenericSchema, unknown, TContext>[];
  /** Extra context fields for the functions (for example `verifyAuthorisation`), or a factory. */
  readonly context?: ServiceContextExtension<TContext>;
  /** The time source. @default systemClock */
  readonly clock?: Clock;
  /** Where to log; never given secrets. @default silentLogger */
  readonly logger?: Logger;
  /** How to reach other services. @default globalThis.fetch */
  readonly fetchImpl?: FetchFunction;
  /** scrypt cost (log2 N) for sealing keys and the admin secret. @default SCRYPT_LOG_N_DEFAULT */
  readonly scryptLogN?: number;
  /** The largest request body read. @default REQUEST_BODY_BYTES_MAX */
  readonly bodyBytesMax?: number;
  /** How long keys stay valid after a rotation. @default KEY_ROTATION_GRACE_MS_DEFAULT */
  readonly keyRotationGraceMs?: number;
  /**
   * Functions that answer only with a sealed reply, because their result holds a secret.
   * @default ['setup']
   */
  readonly replyKeyRequired?: readonly string[];
}

/** Longest request id kept from the host, and its alphabet, so ids cannot forge log lines. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Random bytes in a request id made up by the runtime. */
const REQUEST_ID_BYTES = 9;

/** How long browsers may reuse a CORS pre-flight answer. */
const CORS_MAX_AGE_S = 600;

/**
 * Opens (or prepares) a service's identity and returns its request handler.
 *
 * @param options - type, URL, store, service password, functions and the injected parts
 * @returns the handler
 * @throws AcquireError `INVALID_ARGUMENT` for a bad URL, an empty service password or duplicate
 *   function names,
 *   `SERVICE_IDENTITY_MISMATCH` when the store holds another service, `WRONG_PASSWORD` when the
 *   service password does not open the stored keys
 * @example
 * ```ts
 * import { createMemoryStore, createService } from '@acquire/core';
 *
 * const handler = await createService({
 *   type: 'identity',
 *   url: 'https://id.example.com',
 *   store: createMemoryStore(),
 *   servicePassword: 'a long secret from the host',
 *   functions: [],
 * });
 * const info = await (await handler(new Request('https://id.example.com/'))).json();
 * ```
 */
export async function createService<TContext extends ServiceContext = ServiceContext>(
  options: CreateServiceOptions<TContext>,
): Promise<ServiceHandler> {
  if (typeof options.servicePassword !== 'string' || options.servicePassword === '') {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'servicePassword must be a non-empty string: it seals the service keys at rest',
    );
  }
  const url = canonicalServiceUrl(options.url);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const fetchImpl = options.fetchImpl ?? globalFetch;
  const keeper = await createServiceKeeper({
    type: options.type,
    url,
    store: options.store,
    clock,
    servicePassword: options.servicePassword,
    scryptLogN: options.scryptLogN ?? SCRYPT_LOG_N_DEFAULT,
  });

  const runtime = createRuntime(keeper, {
    store: options.store,
    clock,
    logger,
    serviceUrl: url,
    fetchImpl,
  });
  const extras = resolveExtras(options.context, runtime);
  const setup = createSetupFunction({
    keeper,
    fetchImpl,
    keyRotationGraceMs: options.keyRotationGraceMs ?? KEY_ROTATION_GRACE_MS_DEFAULT,
    clock,
  });
  const functions = indexFunctions(options.functions);
  functions.set(SETUP_FUNCTION_NAME, setup);
  const contextFor = (info: ServiceRequestInfo): TContext =>
    ({
      store: options.store,
      clock,
      logger,
      serviceUrl: url,
      ...(info.remoteAddress === undefined ? {} : { remoteAddress: info.remoteAddress }),
      ...extras,
    }) as TContext;

  const routes: Routes = {
    keeper,
    logger,
    basePath: serviceBasePath(url),
    replyKeyRequired: new Set(options.replyKeyRequired ?? [SETUP_FUNCTION_NAME]),
    bodyBytesMax: options.bodyBytesMax ?? REQUEST_BODY_BYTES_MAX,
    hasLogin: options.type === 'identity' && functions.has(LOGIN_FUNCTION_NAME),
    runner: (name, info) => {
      const found = functions.get(name);
      return found === undefined ? undefined : (args) => found.run(args, contextFor(info));
    },
  };
  return (request, info = {}) => route(routes, request, info);
}

/** What the router needs, built once per service. */
interface Routes {
  readonly keeper: ServiceKeeper;
  readonly logger: Logger;
  readonly basePath: string;
  readonly replyKeyRequired: ReadonlySet<string>;
  readonly bodyBytesMax: number;
  readonly hasLogin: boolean;
  readonly runner: (
    name: string,
    info: ServiceRequestInfo,
  ) => ((args: unknown) => Promise<unknown>) | undefined;
}

function route(routes: Routes, request: Request, info: ServiceRequestInfo): Promise<Response> {
  const requestId = resolveRequestId(info.requestId);
  const path = relativePath(new URL(request.url).pathname, routes.basePath);
  const login = routes.hasLogin ? routes.runner(LOGIN_FUNCTION_NAME, info) : undefined;

  if (path === '/s' && login !== undefined) {
    return handleLoginRoute(request, { login, logger: routes.logger, requestId });
  }
  if (path !== '/') {
    return Promise.resolve(wireError(ErrorCode.ROUTE_NOT_FOUND, 'no such route', requestId));
  }
  switch (request.method) {
    case 'POST':
      return handleCall(request, {
        keeper: routes.keeper,
        run: (name) => routes.runner(name, info),
        replyKeyRequired: routes.replyKeyRequired,
        bodyBytesMax: routes.bodyBytesMax,
        logger: routes.logger,
        requestId,
      });
    case 'GET':
      return publicInfoResponse(routes.keeper, routes.logger, requestId);
    case 'OPTIONS':
      return Promise.resolve(preflight());
    default:
      return Promise.resolve(
        wireError(ErrorCode.METHOD_NOT_ALLOWED, 'this route takes GET and POST', requestId),
      );
  }
}

function createRuntime(
  keeper: ServiceKeeper,
  base: Omit<ServiceRuntime, 'currentKeys' | 'publicInfo'>,
): ServiceRuntime {
  return {
    ...base,
    currentKeys: async () => {
      const state = await keeper.state();
      if (state.record === undefined) {
        throw new AcquireError(ErrorCode.SERVICE_NOT_SET_UP, 'service is not set up yet');
      }
      return state.keys;
    },
    publicInfo: async () => (await keeper.state()).info,
  };
}

function resolveExtras<TContext extends ServiceContext>(
  extension: ServiceContextExtension<TContext> | undefined,
  runtime: ServiceRuntime,
): ServiceContextExtras<TContext> | Record<string, never> {
  if (extension === undefined) {
    return {};
  }
  return typeof extension === 'function' ? extension(runtime) : extension;
}

function indexFunctions<TContext extends ServiceContext>(
  functions: readonly ServiceFunction<v.GenericSchema, unknown, TContext>[],
): Map<string, ServiceFunction<v.GenericSchema, unknown, TContext>> {
  const byName = new Map<string, ServiceFunction<v.GenericSchema, unknown, TContext>>();
  for (const fn of functions) {
    if (fn.name === SETUP_FUNCTION_NAME || byName.has(fn.name)) {
      throw new AcquireError(
        ErrorCode.INVALID_ARGUMENT,
        `function ${fn.name} is given twice or clashes with the built-in setup`,
      );
    }
    byName.set(fn.name, fn);
  }
  return byName;
}

function relativePath(pathname: string, basePath: string): string {
  const rest =
    basePath !== '' && pathname.startsWith(basePath) ? pathname.slice(basePath.length) : pathname;
  return rest === '' ? '/' : rest;
}

function resolveRequestId(given: string | undefined): string {
  return given !== undefined && REQUEST_ID_PATTERN.test(given)
    ? given
    : base64UrlEncode(randomBytes(REQUEST_ID_BYTES));
}

async function publicInfoResponse(
  keeper: ServiceKeeper,
  logger: Logger,
  requestId: string,
): Promise<Response> {
  try {
    const state = await keeper.state();
    return new Response(JSON.stringify(state.info), {
      status: HttpStatus.OK,
      headers: { ...WIRE_HEADERS, 'x-request-id': requestId },
    });
  } catch (error) {
    logger.error(
      { requestId, code: AcquireError.is(error) ? error.code : undefined },
      'public info failed',
    );
    return wireError(ErrorCode.INTERNAL_ERROR, 'the service failed', requestId);
  }
}

function preflight(): Response {
  return new Response(null, {
    status: HttpStatus.NO_CONTENT,
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': String(CORS_MAX_AGE_S),
    },
  });
}

function wireError(code: string, message: string, requestId: string): Response {
  return new Response(JSON.stringify({ status: 'error', code, message }), {
    status: httpStatusForCode(code),
    headers: { ...WIRE_HEADERS, 'x-request-id': requestId },
  });
}
