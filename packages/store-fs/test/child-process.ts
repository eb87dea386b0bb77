/**
 * Child Node processes for the tests, talking in lines of text. A child script is TypeScript in
 * this directory; it runs either through tsx with the source conditions (no build needed), or,
 * where a test starts many children, bundled once into a plain `.mjs` file with tsup, which starts
 * several times faster. Neither needs `pnpm build` first.
 *
 * @module
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { temporaryRoot } from './temporary-root.js';

/** The package directory: tsx resolves from here up to the workspace root. */
const PACKAGE_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));

/** Workspace packages resolve to their TypeScript sources, as in the tests themselves. */
const SOURCE_CONDITION = '@acquire/source';

/** A running child. */
export interface LineChild {
  /** The process. */
  readonly process: ChildProcess;
  /** Resolves with the child's next line on stdout; rejects when it exits first. */
  nextLine(): Promise<string>;
  /** Sends one line to the child's stdin. */
  send(line: string): void;
  /** Resolves once the child has exited and its output has been read, with its signal or code. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

/**
 * Starts `node --import tsx --conditions=@acquire/source <script> ...args`.
 *
 * @param script - a path relative to this directory
 * @param args - arguments for the script
 * @returns the child
 */
export function spawnTypeScriptChild(script: string, args: readonly string[]): LineChild {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return spawnNodeChild(['--import', 'tsx', `--conditions=${SOURCE_CONDITION}`, path, ...args]);
}

/**
 * Bundles a child script with everything it imports into one plain ES module.
 *
 * @param script - a path relative to this directory
 * @returns the bundle's path, in a directory that `removeTemporaryRoots` removes
 */
export async function bundleChild(script: string): Promise<string> {
  const entry = fileURLToPath(new URL(script, import.meta.url));
  const name = basename(entry, '.ts');
  const outDir = await temporaryRoot();
  await build({
    entry: { [name]: entry },
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
    esbuildOptions: (options) => {
      options.conditions = [SOURCE_CONDITION];
    },
  });
  return join(outDir, `${name}.mjs`);
}

/**
 * Starts `node <bundle> ...args`.
 *
 * @param bundle - from {@link bundleChild}
 * @param args - arguments for the script
 * @returns the child
 */
export function spawnBundledChild(bundle: string, args: readonly string[]): LineChild {
  return spawnNodeChild([bundle, ...args]);
}

function spawnNodeChild(nodeArgs: readonly string[]): LineChild {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: PACKAGE_DIRECTORY,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const buffered: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let ended = false;

  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter === undefined) {
      buffered.push(line);
    } else {
      waiter.resolve(line);
    }
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      for (const waiter of waiting.splice(0)) {
        waiter.reject(new Error(`child exited (${signal ?? code}) before sending a line`));
      }
      resolve(signal ?? code);
    });
  });

  return {
    process: child,
    exited,
    send: (line) => {
      child.stdin?.write(`${line}\n`);
    },
    nextLine: () => {
      const line = buffered.shift();
      if (line !== undefined) {
        return Promise.resolve(line);
      }
      if (ended) {
        return Promise.reject(new Error('child has exited'));
      }
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
