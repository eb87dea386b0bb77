/**
 * The Node-only entry of the Acquire client: serves Acquire services on `node:http`, reading
 * configuration from options or the environment (`ACQUIRE_HOST`, `ACQUIRE_PORT`,
 * `ACQUIRE_SERVICE_PASSWORD`, `ACQUIRE_LOG_LEVEL`).
 *
 * @example
 * ```ts
 * import { createIdentityService, createMemoryStore } from '@acquire/core';
 * import { resolveServicePassword, startServer } from '@acquire/client/node';
 *
 * const server = await startServer({
 *   createServices: ({ url }) =>
 *     createIdentityService({
 *       url,
 *       store: createMemoryStore(),
 *       servicePassword: resolveServicePassword(),
 *     }),
 * });
 * ```
 *
 * @module
 */

export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  type Environment,
  readServerEnvironment,
  resolveServicePassword,
  type ServerEnvironment,
} from './node/environment.js';
export { createFileWalletStorage, defaultWalletDirectory } from './node/file-wallet-storage.js';
export { readNodeBody, toWebRequest, writeWebResponse } from './node/http-bridge.js';
export {
  LOCAL_SERVICE_TYPES,
  type LocalDeployment,
  type LocalDeploymentOptions,
  startLocalDeployment,
} from './node/local-deployment.js';
export {
  type RunningServer,
  type ServiceMount,
  type ServiceMounts,
  SHUTDOWN_DEADLINE_MS,
  type StartServerOptions,
  startServer,
} from './node/server.js';
