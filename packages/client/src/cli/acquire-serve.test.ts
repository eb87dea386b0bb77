import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, startServe } from '../../test/cli-process.js';
import { SERVE_PORTS } from './serve-defaults.js';

const SERVICE_ENV = {
  ACQUIRE_SERVICE_PASSWORD: 'service password for the serve test',
  ACQUIRE_ADMIN_PASSWORD: 'admin password for the serve test',
};

/** A line `acquire serve` prints for each service it set up. */
const ADMIN_LINE = /^\w+ admin authenticator \(shown once\): otpauth:\/\/\S+$/;

let bundle: string;
let directory: string;

beforeAll(async () => {
  bundle = await bundleCli();
  directory = await mkdtemp(join(tmpdir(), 'acquire-serve-test-'));
}, 120_000);

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Lets `acquire serve` pick free ports. */
const FREE_PORTS = ['--identity-port', '0', '--accounting-port', '0', '--access-port', '0'];

interface ServeRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `acquire serve` until it printed its three URLs, then stops it. */
function serveOnce(args: readonly string[], env: Readonly<Record<string, string>>) {
  const child = spawn(process.execPath, [bundle, 'serve', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (stdout.split('\n').length > 3) {
      child.kill('SIGTERM');
    }
  });
  return new Promise<ServeRun>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Ports that a restart can bind again. They lie below the ephemeral ranges of Linux (from 32768)
 * and macOS (from 49152), so no port-0 listener or outgoing connection of another test can take
 * one while `acquire serve` is stopped.
 */
const FIXED_PORT_MIN = 20_000;

/** How many ports from `FIXED_PORT_MIN` up are tried. */
const FIXED_PORT_SPAN = 10_000;

/** Probes before giving up on finding free fixed ports. */
const FIXED_PORT_PROBES_MAX = 100;

/** Whether nothing listens on a loopback port now. */
function isPortFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** `--<type>-port` options naming a free fixed port for each service, for a restarted run. */
async function fixedPorts(): Promise<string[]> {
  const types = Object.keys(SERVE_PORTS);
  const ports = new Set<number>();
  for (let probe = 0; probe < FIXED_PORT_PROBES_MAX && ports.size < types.length; probe++) {
    const port = FIXED_PORT_MIN + Math.floor(Math.random() * FIXED_PORT_SPAN);
    if (!ports.has(port) && (await isPortFree(port))) {
      ports.add(port);
    }
  }
  if (ports.size < types.length) {
    const range = `${FIXED_PORT_MIN}–${FIXED_PORT_MIN + FIXED_PORT_SPAN - 1}`;
    throw new Error(`found no ${types.length} free loopback ports in ${range}`);
  }
  const chosen = [...ports];
  return types.flatMap((type, index) => [`--${type}-port`, String(chosen[index])]);
}

describe('acquire serve', () => {
  it('logs no secret even at trace, and restarts quietly without the admin password', async () => {
    const data = join(directory, 'restarted');

    const ports = await fixedPorts();
    const first = await serveOnce([...ports, '--data', data], {
      ...SERVICE_ENV,
      ACQUIRE_LOG_LEVEL: 'trace',
    });
    const logLines = first.stderr.split('\n').filter((line) => line.startsWith('{'));
    const adminUris = first.stderr.split('\n').filter((line) => ADMIN_LINE.test(line));
    const secrets = [
      SERVICE_ENV.ACQUIRE_SERVICE_PASSWORD,
      SERVICE_ENV.ACQUIRE_ADMIN_PASSWORD,
      ...adminUris.map((line) => new URL(line.split(' ').at(-1) ?? '').searchParams.get('secret')),
    ];
    const { ACQUIRE_ADMIN_PASSWORD: _unset, ...restartEnv } = SERVICE_ENV;
    const restarted = await serveOnce([...ports, '--data', data], restartEnv);

    expect(first.code).toBe(0);
    expect(adminUris).toHaveLength(3);
    expect(logLines.some((line) => line.includes('"msg":"request"'))).toBe(true);
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(logLines.filter((line) => line.includes(secret ?? ''))).toEqual([]);
    }
    expect(restarted.code).toBe(0);
    expect(restarted.stdout.split('\n')).toHaveLength(4);
    expect(restarted.stdout).toBe(first.stdout);
    expect(restarted.stderr).toBe('');
  }, 60_000);

  it('reports a wrong service password as one line of JSON under --json', async () => {
    const data = join(directory, 'reopened');
    const ports = await fixedPorts();
    await serveOnce([...ports, '--data', data], SERVICE_ENV);
    const { ACQUIRE_ADMIN_PASSWORD: _unset, ...restartEnv } = SERVICE_ENV;

    const refused = await serveOnce(['--json', ...ports, '--data', data], {
      ...restartEnv,
      ACQUIRE_SERVICE_PASSWORD: 'not the service password',
    });

    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const lines = refused.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '').error).toEqual({
      code: 'WRONG_PASSWORD',
      message: expect.stringContaining("the service password does not open the services' keys"),
    });
    expect(refused.stderr).not.toContain('not the service password');
  }, 60_000);

  it('prints only the URLs and the admin authenticators by default', async () => {
    const run = await serveOnce([...FREE_PORTS, '--data', join(directory, 'quiet')], SERVICE_ENV);
    const stderrLines = run.stderr.trimEnd().split('\n');

    expect(run.code).toBe(0);
    expect(stderrLines).toHaveLength(3);
    for (const line of stderrLines) {
      expect(line).toMatch(ADMIN_LINE);
    }
  }, 60_000);

  it('refuses a short admin password and exits with 1', async () => {
    const started = startServe(bundle, ['--data', join(directory, 'refused')], {
      ...SERVICE_ENV,
      ACQUIRE_ADMIN_PASSWORD: 'short',
    });

    await expect(started).rejects.toThrow(/exited with 1/);
  }, 60_000);
});
