/**
 * Starts s3rver, a real S3-protocol HTTP server, on 127.0.0.1 in a child process, with a fresh
 * temporary directory and one bucket.
 *
 * s3rver signs listing continuation tokens with DES, which OpenSSL 3 (Node 17+) only offers
 * through its legacy provider; without it every truncated listing fails with HTTP 500. A child
 * process can enable that provider for s3rver alone.
 *
 * @module
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

/** s3rver accepts these credentials by default. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Starting takes well under a second; a slow shared machine gets twenty. */
const STARTUP_TIMEOUT_MS = 20_000;

/** A running s3rver. */
export interface S3rverServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The bucket created at start-up. */
  readonly bucket: string;
  /** A client for the server, for checks that go around the store. */
  readonly client: S3Client;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver on a free port.
 *
 * @param bucket - the bucket to create
 * @returns the running server
 */
export async function startS3rver(bucket = 'acquire-test'): Promise<S3rverServer> {
  const directory = await mkdtemp(join(tmpdir(), 'acquire-s3rver-'));
  const bin = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin');
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      join(bin, 's3rver.js'),
      ...['--directory', directory, '--address', '127.0.0.1', '--port', '0', '--silent'],
      ...['--configure-bucket', bucket],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );

  const port = await listeningPort(child).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw error;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    client: createS3rverClient(endpoint),
    async stop() {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Makes a client for an s3rver endpoint (or a proxy in front of one).
 *
 * @param endpoint - the server's URL
 * @returns the client
 */
export function createS3rverClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`s3rver did not start within ${STARTUP_TIMEOUT_MS} ms: ${output}`)),
      STARTUP_TIMEOUT_MS,
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [^\s:]+:(\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code}: ${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
