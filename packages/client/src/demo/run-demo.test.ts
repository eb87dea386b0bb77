import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCRYPT_LOG_N_MIN } from '@acquire/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDemo } from './run-demo.js';

describe('the demo', () => {
  let dataDirectory: string;

  beforeEach(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'acquire-demo-test-'));
  });

  afterEach(async () => {
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('moves money between two logged-in users and ends with balanced books', async () => {
    const lines: string[] = [];

    const outcome = await runDemo({
      dataDirectory,
      write: (line) => lines.push(line),
      scryptLogN: SCRYPT_LOG_N_MIN,
    });

    expect(outcome.balances).toEqual({
      'alice/billing': '-100',
      'alice/deposits': '20',
      'alice/everyday': '60',
      'alice/main': '0',
      'bob/main': '0',
      'bob/shop': '20',
    });
    expect(outcome.overdraftRefusal).toBe('INSUFFICIENT_FUNDS');
    expect(lines.join('\n')).toContain('sum of all balances: 0');
    expect((await readdir(dataDirectory)).sort()).toEqual(['access', 'accounting', 'identity']);
  });

  it('leaves no password or authenticator secret in its report', async () => {
    const lines: string[] = [];

    await runDemo({
      dataDirectory,
      write: (line) => lines.push(line),
      scryptLogN: SCRYPT_LOG_N_MIN,
    });

    const report = lines.join('\n');
    expect(report).not.toMatch(/secret=/);
    expect(report).not.toMatch(/otpauth:/);
  });
});
