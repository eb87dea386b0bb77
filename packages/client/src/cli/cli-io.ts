/**
 * What the command line reads and writes: environment, output streams, prompts, and the
 * one-line error format.
 *
 * @module
 */

import { AcquireError } from '@acquire/core';
import password from '@inquirer/password';
import Table from 'cli-table3';
import { type CliVariable, readVariable } from './cli-environment.js';

/** The command line's view of the outside world, injectable for tests. */
export interface CliIo {
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes a line of normal output. */
  out(line: string): void;
  /** Writes a line of diagnostics or progress. */
  err(line: string): void;
  /** Whether a person can answer prompts. */
  readonly interactive: boolean;
}

/** The process's own streams and environment. */
export const processIo: CliIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
};

/** A secret was needed, no variable held it and nobody can be asked. */
export const SECRET_REQUIRED = 'SECRET_REQUIRED';

/**
 * Reads a secret from an environment variable, or asks for it without echo.
 *
 * @param io - the command line's I/O
 * @param variable - the environment variable, for example `ACQUIRE_PASSWORD`
 * @param prompt - the question asked
 * @returns the secret
 * @throws AcquireError `SECRET_REQUIRED` when the variable is unset and no one can answer
 */
export async function readSecret(
  io: CliIo,
  variable: CliVariable,
  prompt: string,
): Promise<string> {
  const fromEnvironment = readVariable(io, variable);
  if (fromEnvironment !== undefined) {
    return fromEnvironment;
  }
  if (!io.interactive) {
    throw new AcquireError(SECRET_REQUIRED, `set ${variable} or run in a terminal to be asked`);
  }
  return password({ message: prompt, mask: true });
}

/**
 * Formats rows as a table with a header row.
 *
 * @param head - column titles
 * @param rows - cells, as text
 * @returns the table as text
 */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  table.push(...rows.map((row) => [...row]));
  return table.toString();
}

/** A failure as its code and message, the same for people and for `--json`. */
export interface FailureRecord {
  /** The error code: an AcquireError's, `CANCELLED` or `INTERNAL_ERROR`. */
  readonly code: string;
  /** What went wrong. */
  readonly message: string;
}

/**
 * Gives a failure's code and message: those of an AcquireError, or generic ones.
 *
 * @param error - what was thrown
 * @returns the code and message
 */
export function failureRecord(error: unknown): FailureRecord {
  if (error instanceof AcquireError) {
    return { code: error.code, message: error.message };
  }
  if (error instanceof Error && error.name === 'ExitPromptError') {
    return { code: 'CANCELLED', message: 'the prompt was closed' };
  }
  return {
    code: 'INTERNAL_ERROR',
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Describes a failure in one line: `error <code>: <message>`.
 *
 * @param error - what was thrown
 * @returns the line to print
 */
export function describeFailure(error: unknown): string {
  const { code, message } = failureRecord(error);
  return `error ${code}: ${message}`;
}

/**
 * Describes a failure in one line of JSON, for `--json`: `{"error":{"code":…,"message":…}}`,
 * and with `"stack"` beside them when asked for and known.
 *
 * @param error - what was thrown
 * @param stack - the stack trace to include, if any
 * @returns the line to print
 */
export function describeFailureAsJson(error: unknown, stack?: string): string {
  const record = failureRecord(error);
  return JSON.stringify({ error: stack === undefined ? record : { ...record, stack } });
}
