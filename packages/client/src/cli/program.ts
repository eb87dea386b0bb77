/**
 * The `acquire` command line: its global options and commands.
 *
 * @module
 */

import { Command } from 'commander';
import { CLI_VARIABLES, environmentHelp } from './cli-environment.js';
import type { CliIo } from './cli-io.js';
import { createCommandRunner } from './command-runner.js';
import { addAccountingCommands } from './commands/accounting-commands.js';
import { addIdentityCommands } from './commands/identity-commands.js';
import { addServeCommand } from './commands/serve-command.js';
import { unmarkDashLedUids } from './dash-led-uids.js';

/**
 * Builds the `acquire` program. Parse `markDashLedUids(process.argv)` with it, so that account
 * uids beginning with `-` are read as arguments.
 *
 * @param io - the command line's I/O
 * @param setExitCode - records the process's exit code
 * @returns the commander program, ready to parse
 */
export function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('acquire')
    .description('Acquire: identity, login sessions and accounting on an object store')
    .option('--json', 'print results as JSON')
    .option('--debug', 'print stack traces of failures')
    .option('--wallet <dir>', 'wallet directory (default: ACQUIRE_WALLET_DIR or the config dir)')
    .addHelpText('after', environmentHelp(CLI_VARIABLES))
    .showHelpAfterError()
    .hook('preAction', unmarkDashLedUids)
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    });

  const run = createCommandRunner(io, setExitCode);
  addIdentityCommands(program, run, io);
  addAccountingCommands(program, run, io);
  addServeCommand(program, io, setExitCode);
  return program;
}
