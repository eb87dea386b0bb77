/**
 * The identity commands: register, login, whoami, logout.
 *
 * @module
 */

import { hostname } from 'node:os';
import type { ServiceType } from '@acquire/core';
import type { Command } from 'commander';
import QRCode from 'qrcode';
import { createUser } from '../../user/user.js';
import { type CliVariable, environmentHelp, readVariable } from '../cli-environment.js';
import { type CliIo, readSecret } from '../cli-io.js';
import { removeProfile, writeProfile } from '../cli-profile.js';
import { cliWallet, type GlobalOptions, loggedInUser, WALLET_VARIABLES } from '../cli-session.js';
import type { CommandRunner } from '../command-runner.js';
import { defaultServeUrl } from '../serve-defaults.js';

interface UserOptions {
  readonly identity: string;
  readonly username: string;
}

/** The services' URLs default to the environment, else to what `acquire serve` listens on. */
const SERVICE_URL_VARIABLES = {
  identity: 'ACQUIRE_IDENTITY_URL',
  accounting: 'ACQUIRE_ACCOUNTING_URL',
  access: 'ACQUIRE_ACCESS_URL',
} as const satisfies Record<ServiceType, CliVariable>;

function serviceUrl(io: CliIo, type: ServiceType): string {
  return readVariable(io, SERVICE_URL_VARIABLES[type]) ?? defaultServeUrl(type);
}

interface LoginOptions extends UserOptions {
  readonly accounting: string;
  readonly access: string;
  readonly code?: string;
  readonly timeout: string;
}

/**
 * Adds the identity commands to the program.
 *
 * @param program - the `acquire` program
 * @param run - runs a command body with error handling and output
 * @param io - the command line's I/O
 */
export function addIdentityCommands(program: Command, run: CommandRunner, io: CliIo): void {
  program
    .command('register')
    .description('create a user and show the authenticator QR code')
    .option('--identity <url>', 'identity service URL', serviceUrl(io, 'identity'))
    .requiredOption('--username <name>', 'the new user name')
    .addHelpText('after', environmentHelp(['ACQUIRE_IDENTITY_URL', 'ACQUIRE_PASSWORD']))
    .action(
      run(async (options: UserOptions & GlobalOptions) => {
        const user = createUser({ identityUrl: options.identity, username: options.username });
        const password = await readSecret(io, 'ACQUIRE_PASSWORD', 'New password');
        const registration = await user.register(password);
        const qrCode = await QRCode.toString(registration.provisioningUri, {
          type: 'terminal',
          small: true,
        });

        return {
          result: registration,
          text:
            `${qrCode}\nregistered ${options.username} (${registration.userUid})\n` +
            `add this to your authenticator app: ${registration.provisioningUri}`,
        };
      }),
    );

  program
    .command('login')
    .description('ask for a login session and wait for its approval (or approve it with --code)')
    .option('--identity <url>', 'identity service URL', serviceUrl(io, 'identity'))
    .requiredOption('--username <name>', 'the user to log in')
    .option('--accounting <url>', 'accounting service URL', serviceUrl(io, 'accounting'))
    .option('--access <url>', 'access service URL', serviceUrl(io, 'access'))
    .option('--code <code>', 'approve here with this one-time code and ACQUIRE_PASSWORD')
    .option('--timeout <seconds>', 'how long to wait for approval', '300')
    .addHelpText(
      'after',
      environmentHelp([
        'ACQUIRE_IDENTITY_URL',
        'ACQUIRE_ACCOUNTING_URL',
        'ACQUIRE_ACCESS_URL',
        'ACQUIRE_PASSWORD',
        ...WALLET_VARIABLES,
      ]),
    )
    .action(run(async (options: LoginOptions & GlobalOptions) => login(io, options)));

  program
    .command('whoami')
    .description('show the logged-in user and the session status')
    .addHelpText('after', environmentHelp(WALLET_VARIABLES))
    .action(
      run(async (options: GlobalOptions) => {
        const { profile, user } = await loggedInUser(io, options);
        const session = user.session();
        const { status } = await user.identity.getStatus({
          username: profile.username,
          sessionUid: session?.sessionUid ?? '',
        });
        const result = {
          ...profile,
          userUid: session?.userUid,
          sessionUid: session?.sessionUid,
          status,
        };

        return {
          result,
          text: `${profile.username} (${result.userUid}) at ${profile.identityUrl}: ${status}`,
        };
      }),
    );

  program
    .command('logout')
    .description('log the session out and forget it')
    .addHelpText('after', environmentHelp(WALLET_VARIABLES))
    .action(
      run(async (options: GlobalOptions) => {
        const { profile, user } = await loggedInUser(io, options);
        await user.logout();
        await removeProfile(cliWallet(io, options).storage);
        return { result: { username: profile.username, status: 'logged_out' }, text: 'logged out' };
      }),
    );
}

async function login(io: CliIo, options: LoginOptions & GlobalOptions) {
  const wallet = cliWallet(io, options);
  const user = createUser({
    identityUrl: options.identity,
    username: options.username,
    wallet: await wallet.open(),
  });
  const session = await user.requestLogin({
    hostname: hostname(),
    message: 'acquire command line',
  });

  if (options.code === undefined) {
    io.err(`approve this login at ${session.loginUrl}`);
    await user.waitForApproval({ timeoutMs: Number(options.timeout) * 1000 });
  } else {
    await user.approve(await readSecret(io, 'ACQUIRE_PASSWORD', 'Password'), options.code);
  }

  await writeProfile(wallet.storage, {
    identityUrl: options.identity,
    username: options.username,
    accountingUrl: options.accounting,
    accessUrl: options.access,
  });
  const result = {
    username: options.username,
    userUid: session.userUid,
    sessionUid: session.sessionUid,
  };
  return { result, text: `logged in as ${options.username}` };
}
