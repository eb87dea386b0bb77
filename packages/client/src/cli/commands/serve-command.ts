/**
 * `acquire serve`: a local deployment of all three services on a directory store.
 *
 * @module
 */

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { startLocalDeployment } from '../../node/local-deployment.js';
import { type CliIo, readSecret } from '../cli-io.js';
import type { GlobalOptions } from '../cli-session.js';

interface ServeOptions extends GlobalOptions {
  readonly data: string;
  readonly host: string;
  readonly identityPort: string;
  readonly accountingPort: string;
  readonly accessPort: string;
}

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
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--identity-port <port>', 'identity service port (0 picks one)', '8001')
    .option('--accounting-port <port>', 'accounting service port (0 picks one)', '8002')
    .option('--access-port <port>', 'access service port (0 picks one)', '8003')
    .action(async (options: ServeOptions) => {
      const logger = pino({ level: io.env.ACQUIRE_LOG_LEVEL ?? 'info' }, pino.destination(2));
      const deployment = await startLocalDeployment({
        dataDirectory: resolve(options.data),
        host: options.host,
        ports: {
          identity: Number(options.identityPort),
          accounting: Number(options.accountingPort),
          access: Number(options.accessPort),
        },
        servicePassword: await readSecret(io, 'ACQUIRE_SERVICE_PASSWORD', 'Service password'),
        adminPassword: await readSecret(io, 'ACQUIRE_ADMIN_PASSWORD', 'Admin password'),
        logger,
      }).catch((error: unknown) => {
        setExitCode(1);
        throw error;
      });

      for (const [type, url] of Object.entries(deployment.urls)) {
        io.out(`${type} ${url}`);
      }
      for (const [type, uri] of Object.entries(deployment.adminProvisioningUris)) {
        io.err(`${type} admin authenticator (shown once): ${uri}`);
      }

      await new Promise<void>((done) => {
        const stop = () => {
          deployment.close().then(done, done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
