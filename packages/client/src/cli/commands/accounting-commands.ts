/**
 * The accounting commands: accounts, create-account, balance, deposit, pay, statement.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';
import type { Command } from 'commander';
import { type AccountingClient, createAccountingClient } from '../../clients/accounting-client.js';
import type { User } from '../../user/user.js';
import { environmentHelp } from '../cli-environment.js';
import { type CliIo, formatTable } from '../cli-io.js';
import { type GlobalOptions, loggedInUser, WALLET_VARIABLES } from '../cli-session.js';
import type { CommandRunner } from '../command-runner.js';
import { resolvePaymentAccounts } from '../payment-accounts.js';

/** Statements show this many items unless asked for more. */
const STATEMENT_ITEMS_DEFAULT = 100;

/** Every accounting command opens the wallet for the logged-in user's session. */
const ACCOUNTING_HELP = environmentHelp(WALLET_VARIABLES);

interface CreateAccountOptions extends GlobalOptions {
  readonly description?: string;
  readonly overdraft?: string;
  readonly dailyLimit?: string;
}

interface AccountingSession {
  readonly user: User;
  readonly accounting: AccountingClient;
}

async function accountingSession(io: CliIo, options: GlobalOptions): Promise<AccountingSession> {
  const { profile, user } = await loggedInUser(io, options);
  if (profile.accountingUrl === undefined) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'no accounting service is known: log in again with --accounting <url>',
    );
  }
  return { user, accounting: createAccountingClient(profile.accountingUrl) };
}

/**
 * Adds the accounting commands to the program.
 *
 * @param program - the `acquire` program
 * @param run - runs a command body with error handling and output
 * @param io - the command line's I/O
 */
export function addAccountingCommands(program: Command, run: CommandRunner, io: CliIo): void {
  program
    .command('accounts')
    .description('list your accounts with their balances')
    .addHelpText('after', ACCOUNTING_HELP)
    .action(
      run(async (options: GlobalOptions) => {
        const { user, accounting } = await accountingSession(io, options);
        const { accounts } = await accounting.getAccountUids(
          user.authoriseCall('get_account_uids', {}),
        );
        const infos = await Promise.all(
          accounts.map((account) =>
            accounting.getInfo(user.authoriseCall('get_info', { account: account.uid })),
          ),
        );
        const rows = infos.map((info) => [
          info.account.name,
          info.account.uid,
          info.balance.balance,
          info.balance.available,
        ]);

        return {
          result: infos,
          text: formatTable(['account', 'uid', 'balance', 'available'], rows),
        };
      }),
    );

  program
    .command('balance')
    .description('show the balance of one account')
    .argument('[account]', 'account name or uid', 'main')
    .addHelpText('after', ACCOUNTING_HELP)
    .action(
      run(async (options: GlobalOptions, account = 'main') => {
        const { user, accounting } = await accountingSession(io, options);
        const info = await accounting.getInfo(user.authoriseCall('get_info', { account }));
        const { balance } = info;
        const head = ['balance', 'liability', 'receivable', 'spent today', 'available'];
        const rows = [
          [
            balance.balance,
            balance.liability,
            balance.receivable,
            balance.spentToday,
            balance.available,
          ],
        ];

        return {
          result: info,
          text: `${info.account.name} (${info.account.uid})\n${formatTable(head, rows)}`,
        };
      }),
    );

  program
    .command('deposit')
    .description('deposit money from your billing account')
    .argument('<value>', 'the amount, for example 25.50')
    .addHelpText('after', ACCOUNTING_HELP)
    .action(
      run(async (options: GlobalOptions, value = '') => {
        const { user, accounting } = await accountingSession(io, options);
        const result = await accounting.deposit(user.authoriseCall('deposit', { value }));
        return { result, text: `deposited ${value}` };
      }),
    );

  program
    .command('create-account')
    .description('create another account of yours')
    .argument('<name>', 'its name, unique among your accounts')
    .option('--description <text>', 'what it is for')
    .option('--overdraft <value>', 'how far below zero it may go, for example 50 (default: 0)')
    .option('--daily-limit <value>', 'most it may spend in a day (default: unlimited)')
    .addHelpText('after', ACCOUNTING_HELP)
    .action(
      run(async (options: CreateAccountOptions, name = '') => {
        const { user, accounting } = await accountingSession(io, options);
        const args = {
          name,
          ...(options.description === undefined ? {} : { description: options.description }),
          ...(options.overdraft === undefined ? {} : { overdraftLimit: options.overdraft }),
          ...(options.dailyLimit === undefined ? {} : { dailyLimit: options.dailyLimit }),
        };
        const result = await accounting.createAccount(user.authoriseCall('create_account', args));
        return { result, text: `created account ${name} (${result.account.uid})` };
      }),
    );

  program
    .command('pay')
    .description("pay from one of your accounts to another of yours or to any account's uid")
    .argument('<from>', 'your account, by name or uid')
    .argument('<to>', "your account by name or uid, or another user's account by uid")
    .argument('<value>', 'the amount, for example 12.50')
    .argument('<description>', 'what the payment is for')
    .addHelpText('after', ACCOUNTING_HELP)
    .action(
      run(async (options: GlobalOptions, from = '', to = '', value = '', description = '') => {
        const { user, accounting } = await accountingSession(io, options);
        const { accounts } = await accounting.getAccountUids(
          user.authoriseCall('get_account_uids', {}),
        );
        const { debit, creditUid, creditLabel } = resolvePaymentAccounts(accounts, from, to);
        const transactions = [
          { debitAccountUid: debit.uid, creditAccountUid: creditUid, value, description },
        ];
        const result = await accounting.perform(user.authoriseCall('perform', { transactions }));
        const transactionUid = result.transactions[0]?.uid;

        return {
          result,
          text: `paid ${value} from ${debit.name} to ${creditLabel} (${transactionUid})`,
        };
      }),
    );

  program
    .command('statement')
    .description('list the line items of one account')
    .argument('[account]', 'account name or uid', 'main')
    .option('--limit <count>', 'most items shown', String(STATEMENT_ITEMS_DEFAULT))
    .addHelpText('after', ACCOUNTING_HELP)
    .action(
      run(async (options: GlobalOptions & { limit: string }, account = 'main') => {
        const { user, accounting } = await accountingSession(io, options);
        const statement = await accounting.getTransactions(
          user.authoriseCall('get_transactions', { account, limit: Number(options.limit) }),
        );
        const rows = statement.items.map((item) => [
          new Date(item.timeMs).toISOString(),
          item.kind,
          item.value,
          item.transactionUid,
        ]);

        return {
          result: statement,
          text: formatTable(['time', 'kind', 'value', 'transaction'], rows),
        };
      }),
    );
}
