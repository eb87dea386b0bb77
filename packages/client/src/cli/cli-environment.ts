/**
 * The environment variables the command line reads, and the help text that lists them.
 *
 * @module
 */

import type { CliIo } from './cli-io.js';

/** What each environment variable the command line reads holds. */
const VARIABLE_DESCRIPTIONS = {
  ACQUIRE_WALLET_DIR: 'the wallet directory, when --wallet is not given',
  ACQUIRE_WALLET_PASSWORD: 'seals the login sessions kept in the wallet (else asked)',
  ACQUIRE_PASSWORD: "the user's password, for register and login --code (else asked)",
  ACQUIRE_IDENTITY_URL: "the identity URL without --identity (else acquire serve's)",
  ACQUIRE_ACCOUNTING_URL: "the accounting URL without --accounting (else acquire serve's)",
  ACQUIRE_ACCESS_URL: "the access URL without --access (else acquire serve's)",
  ACQUIRE_SERVICE_PASSWORD: "serve: seals each service's keys at rest (else asked)",
  ACQUIRE_ADMIN_PASSWORD: 'serve: the admin password, needed only when a service is first set up',
  ACQUIRE_LOG_LEVEL: 'serve: trace, debug, info, warn (the default), error, fatal or silent',
} as const;

/** An environment variable the command line reads. */
export type CliVariable = keyof typeof VARIABLE_DESCRIPTIONS;

/** Every variable, for the program's own help. */
export const CLI_VARIABLES: readonly CliVariable[] = Object.keys(
  VARIABLE_DESCRIPTIONS,
) as CliVariable[];

/**
 * Reads an environment variable; an empty one counts as unset.
 *
 * @param io - the command line's I/O
 * @param variable - the variable
 * @returns its value, or `undefined`
 */
export function readVariable(io: CliIo, variable: CliVariable): string | undefined {
  const value = io.env[variable];
  return value === '' ? undefined : value;
}

/**
 * Lists variables with one line each, for commander's `addHelpText`.
 *
 * @param variables - the variables a command reads
 * @returns the help section
 */
export function environmentHelp(variables: readonly CliVariable[]): string {
  const width = Math.max(...variables.map((variable) => variable.length));
  const lines = variables.map(
    (variable) => `  ${variable.padEnd(width)}  ${VARIABLE_DESCRIPTIONS[variable]}`,
  );
  return `\nEnvironment variables:\n${lines.join('\n')}`;
}
