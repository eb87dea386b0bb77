/**
 * One accounting service instance in a process of its own, for the scale-out test:
 * `accounting-instance.ts <store root> <canonical URL | self> <scrypt log2 N>`. It serves on a
 * free loopback port with a directory store that other instances share, prints its own address
 * as one JSON line, and shuts down gracefully when its stdin closes.
 *
 * @module
 */

import { createAccountingService } from '@acquire/core';
import { createFsStore } from '@acquire/store-fs';
import { pino } from 'pino';
import { startServer } from '../../src/node.js';

/** The service password every instance of the test shares, as instances of one service do. */
const SERVICE_PASSWORD = 'service password for the scale-out test';

const [root, canonical, scryptLogN] = process.argv.slice(2);
if (root === undefined || canonical === undefined || scryptLogN === undefined) {
  throw new Error('usage: accounting-instance.ts <store root> <canonical URL | self> <log2 N>');
}

const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  env: {},
  logger: pino({ level: 'silent' }),
  createServices: ({ url }) =>
    createAccountingService({
      url: canonical === 'self' ? url : canonical,
      store: createFsStore({ root, fsync: false }),
      servicePassword: SERVICE_PASSWORD,
      scryptLogN: Number(scryptLogN),
    }),
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});
