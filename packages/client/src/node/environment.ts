/**
 * Server configuration from the environment: `ACQUIRE_HOST`, `ACQUIRE_PORT`,
 * `ACQUIRE_SERVICE_PASSWORD` and `ACQUIRE_LOG_LEVEL`. Options given in code win over the
 * environment; the environment wins over the defaults.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';

/** The host a server binds to by default: loopback only, so nothing is exposed by accident. */
export const DEFAULT_HOST = '127.0.0.1';

/** The port a server listens on by default. */
export const DEFAULT_PORT = 8080;

/** The highest TCP port number. */
const PORT_MAX = 65_535;

/** The log levels pino knows, from most to least verbose, plus `silent`. */
const LOG_LEVELS: readonly string[] = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
];

/** The environment variables a server reads. */
export interface ServerEnvironment {
  /** `ACQUIRE_HOST`. */
  readonly host?: string;
  /** `ACQUIRE_PORT`, checked to be a port number. */
  readonly port?: number;
  /** `ACQUIRE_SERVICE_PASSWORD`. */
  readonly servicePassword?: string;
  /** `ACQUIRE_LOG_LEVEL`, checked to be a pino level. */
  readonly logLevel?: string;
}

/** Environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks the server's environment variables. Empty variables count as unset.
 *
 * @param env - the environment
 * @default env process.env
 * @returns the values that are set
 * @throws AcquireError `INVALID_ARGUMENT` when `ACQUIRE_PORT` is not a port number or
 *   `ACQUIRE_LOG_LEVEL` is not a level
 */
export function readServerEnvironment(env: Environment = process.env): ServerEnvironment {
  const host = nonEmpty(env.ACQUIRE_HOST);
  const portText = nonEmpty(env.ACQUIRE_PORT);
  const servicePassword = nonEmpty(env.ACQUIRE_SERVICE_PASSWORD);
  const logLevel = nonEmpty(env.ACQUIRE_LOG_LEVEL);

  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port > PORT_MAX) {
      throw new AcquireError(
        ErrorCode.INVALID_ARGUMENT,
        `ACQUIRE_PORT must be a port number from 0 to ${PORT_MAX}`,
      );
    }
  }
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `ACQUIRE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`,
    );
  }

  return {
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(servicePassword === undefined ? {} : { servicePassword }),
    ...(logLevel === undefined ? {} : { logLevel }),
  };
}

/**
 * The service password: the option when given, else `ACQUIRE_SERVICE_PASSWORD`.
 *
 * @param servicePassword - the password given in code, if any
 * @param env - the environment
 * @default env process.env
 * @returns the password
 * @throws AcquireError `INVALID_ARGUMENT` when neither is set
 */
export function resolveServicePassword(
  servicePassword?: string,
  env: Environment = process.env,
): string {
  const password = nonEmpty(servicePassword) ?? readServerEnvironment(env).servicePassword;
  if (password === undefined) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'a service password is needed: pass servicePassword or set ACQUIRE_SERVICE_PASSWORD',
    );
  }
  return password;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
