/**
 * The `acquire` command line as a real process: bundled once into a plain ES module with tsup
 * (from the TypeScript sources, no `pnpm build` needed), then run with `node` for every command,
 * which starts several times faster than tsx would.
 *
 * @module
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

/** Workspace packages resolve to their TypeScript sources, as in the tests themselves. */
const SOURCE_CONDITION = '@acquire/source';

/** Longest a single command may run before the test fails. */
const COMMAND_TIMEOUT_MS = 60_000;

/** What a finished command printed and how it exited. */
export interface CliResult {
  /** The exit code. */
  readonly code: number;
  /** Everything on stdout. */
  readonly stdout: string;
  /** Everything on stderr. */
  readonly stderr: string;
}

/**
 * Bundles the command line into one file in a fresh temporary directory.
 *
 * @returns the bundle's path
 */
export async function bundleCli(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'acquire-cli-'));
  await build({
    entry: { acquire: fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)) },
    outDir,
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    config: false,
    dts: false,
    sourcemap: false,
    splitting: false,
    silent: true,
    banner: {
      js:
        "import { createRequire as acquireRequire } from 'node:module';" +
        'const require = acquireRequire(import.meta.url);',
    },
    esbuildOptions: (options) => {
      options.conditions = [SOURCE_CONDITION];
    },
  });
  return join(outDir, 'acquire.mjs');
}

/**
 * Runs one command to its end.
 *
 * @param bundle - from {@link bundleCli}
 * @param args - the command line after `acquire`
 * @param env - the environment, on top of a minimal one
 * @returns its exit code and output
 */
export function runCli(
  bundle: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bundle, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: COMMAND_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A running `acquire serve`. */
export interface ServeProcess {
  /** The process. */
  readonly process: ChildProcess;
  /** Each service's URL, as `serve` printed them. */
  readonly urls: Readonly<Record<string, string>>;
  /** Admin authenticator URIs, as `serve` printed them. */
  readonly adminUris: Readonly<Record<string, string>>;
  /** Stops it with SIGTERM and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `acquire serve` on free ports and waits until it printed its three URLs.
 *
 * @param bundle - from {@link bundleCli}
 * @param args - more arguments for `serve`
 * @param env - the environment, on top of a minimal one
 * @returns the running process
 */
export async function startServe(
  bundle: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      bundle,
      'serve',
      '--identity-port',
      '0',
      '--accounting-port',
      '0',
      '--access-port',
      '0',
      ...args,
    ],
    { env: { PATH: process.env.PATH ?? '', ACQUIRE_LOG_LEVEL: 'warn', ...env } },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const urls: Record<string, string> = {};
  const adminUris: Record<string, string> = {};

  const stdout = createInterface({ input: child.stdout });
  const stderr = createInterface({ input: child.stderr });
  stderr.on('line', (line) => {
    const admin = /^(\w+) admin authenticator \(shown once\): (\S+)$/.exec(line);
    if (admin?.[1] !== undefined && admin[2] !== undefined) {
      adminUris[admin[1]] = admin[2];
    }
  });

  await new Promise<void>((resolve, reject) => {
    stdout.on('line', (line) => {
      const [type, url] = line.split(' ');
      if (type !== undefined && url !== undefined) {
        urls[type] = url;
      }
      if (Object.keys(urls).length === 3) {
        resolve();
      }
    });
    exited.then((code) => reject(new Error(`acquire serve exited with ${code}`)));
  });

  return {
    process: child,
    urls,
    adminUris,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
