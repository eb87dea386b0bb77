/**
 * `acquire serve`: a local deployment of all three services on a directory store.
 *
 * @module
 */

import { resolve } from 'node:path';
import { AcquireError, ErrorCode } from '@acquire/core';
import type { Command } from 'commander';
import { pino } from 'pino';
import { readServerEnvironment } from '../../node/environment.js';
import { startLocalDeployment } from '../../node/local-deployment.js';
import { environmentHelp } from '../cli-environment.js';
import { type CliIo, readSecret } from '../cli-io.js';
import type { GlobalOptions } from '../cli-session.js';
import { SERVE_HOST, SERVE_LOG_LEVEL_DEFAULT, SERVE_PORTS } from '../serve-defaults.js';

interface ServeOptions extends GlobalOptions {
  readonly data: string;
  readonly host: string;
  readonly identityPort: string;
  readonly accountingPort: string;
  readonly accessPort: string;
}

/**
 * Fields that hold secrets, censored by the logger should any log line carry one: the services
 * log none, and the admin authenticator URIs are printed apart from the log, once.
 */
const LOG_REDACTED_PATHS: readonly string[] = [
  'password',
  'adminPassword',
  'servicePassword',
  'provisioningUri',
  'secret',
  '*.password',
  '*.adminPassword',
  '*.servicePassword',
  '*.provisioningUri',
  '*.secret',
];

const SERVE_HELP = `${environmentHelp([
  'ACQUIRE_SERVICE_PASSWORD',
  'ACQUIRE_ADMIN_PASSWORD',
  'ACQUIRE_LOG_LEVEL',
])}

Logs go to stderr as JSON lines; ACQUIRE_LOG_LEVEL=info shows every request. The admin password
is asked for (else read from ACQUIRE_ADMIN_PASSWORD) only when a service in --data is first set
up: a restart on the same --data does not need it.`;

/**
 * Adds `serve` to the program. It runs until the process gets SIGINT or SIGTERM, then shuts
 * down gracefully.
 *
 * @param program - the `acquire` program
 * @param io - the command line's I/O
 * @param setExitCode - records a failure
 */
export function addServeCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  program
    .command('serve')
    .description('run identity, accounting and access services on this machine')
    .option('--data <dir>', 'where the services keep their state', 'acquire-data')
    .option('--host <host>', 'the address to listen on', SERVE_HOST)
    .option('--identity-port <port>', 'identity port (0 picks one)', String(SERVE_PORTS.identity))
    .option(
      '--accounting-port <port>',
      'accounting port (0 picks one)',
      String(SERVE_PORTS.accounting),
    )
    .option('--access-port <port>', 'access port (0 picks one)', String(SERVE_PORTS.access))
    .addHelpText('after', SERVE_HELP)
    .action(async (options: ServeOptions) => {
      const logger = pino(
        {
          level: readServerEnvironment(io.env).logLevel ?? SERVE_LOG_LEVEL_DEFAULT,
          redact: { paths: [...LOG_REDACTED_PATHS], censor: '[secret]' },
        },
        pino.destination(2),
      );
      const deployment = await startLocalDeployment({
        dataDirectory: resolve(options.data),
        host: options.host,
        ports: {
          identity: Number(options.identityPort),
          accounting: Number(options.accountingPort),
          access: Number(options.accessPort),
        },
        servicePassword: await readSecret(io, 'ACQUIRE_SERVICE_PASSWORD', 'Service password'),
        adminPassword: () => readSecret(io, 'ACQUIRE_ADMIN_PASSWORD', 'Admin password'),
        logger,
      }).catch((error: unknown) => {
        setExitCode(1);
        throw sayingServicePassword(error, options.data);
      });

      // Listen for signals before printing the URLs: whoever reads them may stop us at once.
      const stopped = new Promise<void>((done) => {
        const stop = () => {
          deployment.close().then(done, done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      for (const [type, url] of Object.entries(deployment.urls)) {
        io.out(`${type} ${url}`);
      }
      for (const [type, uri] of Object.entries(deployment.adminProvisioningUris)) {
        io.err(`${type} admin authenticator (shown once): ${uri}`);
      }
      await stopped;
    });
}

/** The same code comes from the wallet for its own password, so say whose password it is. */
function sayingServicePassword(error: unknown, dataDirectory: string): unknown {
  if (!AcquireError.is(error, ErrorCode.WRONG_PASSWORD)) {
    return error;
  }
  return new AcquireError(
    ErrorCode.WRONG_PASSWORD,
    `the service password does not open the services' keys in ${dataDirectory}`,
    { cause: error },
  );
}
