/**
 * Where `acquire serve` listens unless told otherwise, so that the other commands find a local
 * deployment without being given its URLs.
 *
 * @module
 */

import type { ServiceType } from '@acquire/core';
import { DEFAULT_HOST } from '../node/environment.js';

/** One fixed port per service, side by side, so their URLs stay the same across restarts. */
export const SERVE_PORTS: Readonly<Record<ServiceType, number>> = {
  identity: 8001,
  accounting: 8002,
  access: 8003,
};

/** The host `acquire serve` binds: loopback only. */
export const SERVE_HOST: string = DEFAULT_HOST;

/** `serve` logs only what needs attention; a terminal shows its URLs, not every request. */
export const SERVE_LOG_LEVEL_DEFAULT = 'warn';

/**
 * The URL of a service of `acquire serve` run with its defaults.
 *
 * @param type - the service
 * @returns its base URL, for example `http://127.0.0.1:8001`
 */
export function defaultServeUrl(type: ServiceType): string {
  return `http://${SERVE_HOST}:${SERVE_PORTS[type]}`;
}
