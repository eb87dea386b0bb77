/**
 * The accounting commands: accounts, balance, deposit, pay, statement.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';
import type { Command } from 'commander';
import { type AccountingClient, createAccountingClient } from '../../clients/accounting-client.js';
import type { User } from '../../user/user.js';
import { type CliIo, formatTable } from '../cli-io.js';
import { type GlobalOptions, loggedInUser } from '../cli-session.js';
import type { CommandRunner } from '../command-runner.js';

/** Statements show this many items unless asked for more. */
const STATEMENT_ITEMS_DEFAULT = 100;

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
    .action(
      run(async (options: GlobalOptions, account = 'main') => {
        const { user, accounting } = await accountingSession(io, options);
        const info = await accounting.getInfo(user.authoriseCall('get_info', { account }));
        const { balance } = info;
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
          text: `${info.account.name} (${info.account.uid})\n${formatTable(['balance', 'liability', 'receivable', 'spent today', 'available'], rows)}`,
        };
      }),
    );

  program
    .command('deposit')
    .description('deposit money from your billing account')
    .argument('<value>', 'the amount, for example 25.50')
    .action(
      run(async (options: GlobalOptions, value = '') => {
        const { user, accounting } = await accountingSession(io, options);
        const result = await accounting.deposit(user.authoriseCall('deposit', { value }));
        return { result, text: `deposited ${value}` };
      }),
    );

  program
    .command('pay')
    .description('pay from one of your accounts to any account uid')
    .argument('<from>', 'your account name or uid')
    .argument('<to>', 'the receiving account uid')
    .argument('<value>', 'the amount, for example 12.50')
    .argument('<description>', 'what the payment is for')
    .action(
      run(async (options: GlobalOptions, from = '', to = '', value = '', description = '') => {
        const { user, accounting } = await accountingSession(io, options);
        const debit = await accounting.getInfo(user.authoriseCall('get_info', { account: from }));
        const transactions = [
          { debitAccountUid: debit.account.uid, creditAccountUid: to, value, description },
        ];
        const result = await accounting.perform(user.authoriseCall('perform', { transactions }));

        return {
          result,
          text: `paid ${value} from ${debit.account.name} to ${to} (${result.transactions[0]?.uid})`,
        };
      }),
    );

  program
    .command('statement')
    .description('list the line items of one account')
    .argument('[account]', 'account name or uid', 'main')
    .option('--limit <count>', 'most items shown', String(STATEMENT_ITEMS_DEFAULT))
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
