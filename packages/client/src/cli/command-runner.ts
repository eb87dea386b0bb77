/**
 * Runs a command's body: prints its result as text or JSON, and turns a failure into one line
 * on stderr with its code (a JSON object under `--json`) and a non-zero exit, with the stack only
 * under `--debug`: after the line as text, or inside the object under `--json`.
 *
 * @module
 */

import type { Command } from 'commander';
import { type CliIo, describeFailure, describeFailureAsJson } from './cli-io.js';
import type { GlobalOptions } from './cli-session.js';

/** What a command body returns: the result for `--json` and the text for people. */
export interface CommandOutput {
  /** The machine-readable result. */
  readonly result: unknown;
  /** What a person reads. */
  readonly text: string;
}

/** Wraps a command body into a commander action. */
export type CommandRunner = <TOptions>(
  body: (options: TOptions & GlobalOptions, ...args: string[]) => Promise<CommandOutput>,
) => (...commanderArgs: unknown[]) => Promise<void>;

/** The exit code of a failed command. */
export const EXIT_FAILURE = 1;

/**
 * Makes the runner for a program.
 *
 * @param io - the command line's I/O
 * @param setExitCode - records the process's exit code
 * @returns the runner
 */
export function createCommandRunner(io: CliIo, setExitCode: (code: number) => void): CommandRunner {
  return (body) =>
    async (...commanderArgs) => {
      const command = commanderArgs[commanderArgs.length - 1] as Command;
      const options = command.optsWithGlobals();
      const positional = commanderArgs.slice(0, -2).map(String);

      try {
        const output = await body(options as never, ...positional);
        io.out(options.json === true ? JSON.stringify(output.result, null, 2) : output.text);
      } catch (error) {
        reportFailure(io, error, options);
        setExitCode(EXIT_FAILURE);
      }
    };
}

/**
 * Prints a failure on stderr: one line with its code, a JSON object under `--json`, and its
 * stack under `--debug`, after the line as text or inside the object under `--json`.
 *
 * @param io - the command line's I/O
 * @param error - what was thrown
 * @param options - the global options given
 */
export function reportFailure(io: CliIo, error: unknown, options: GlobalOptions): void {
  const stack = options.debug === true && error instanceof Error ? error.stack : undefined;
  if (options.json === true) {
    io.err(describeFailureAsJson(error, stack));
    return;
  }
  io.err(stack === undefined ? describeFailure(error) : `${describeFailure(error)}\n${stack}`);
}
