/**
 * Named accounts in groups. A group is normally a user uid. Creating an account writes its
 * fixed facts and its head under a fresh uid, then claims the name with write-if-absent: of
 * racing creators exactly one claim wins, and the losers delete what they wrote.
 *
 * @module
 */

import * as v from 'valibot';
import { utf8Encode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { decodeJson, encodeJson, readJson } from '../store/json.js';
import { listAllKeys } from '../store/listing.js';
import { type AccountHead, encodeAccountHead, newAccountHead } from './account-head.js';
import { readHead, tidyMarkers, updateHead } from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { createLedgerUid } from './ledger-uids.js';
import { Money, type MoneyInput, toMoney } from './money.js';
import {
  accountGroupPrefix,
  accountHeadKey,
  accountInfoKey,
  accountNameKey,
  decodeSegment,
} from './store-layout.js';

/** Names and groups fit in 64 bytes of UTF-8, so their encoded key segment stays under 200. */
export const ACCOUNT_NAME_LENGTH_MAX_BYTES = 64;

/** A description is a line or two for people. */
export const ACCOUNT_DESCRIPTION_LENGTH_MAX_CHARS = 500;

/** Every group has this account from its first use. */
export const MAIN_ACCOUNT_NAME = 'main';

/** An account as callers see it. */
export interface Account {
  /** The account's uid. */
  readonly uid: string;
  /** The group it belongs to, normally its owner's user uid. */
  readonly group: string;
  /** Its name, unique in the group. */
  readonly name: string;
  /** What it is for. */
  readonly description: string;
  /** When it was created, in ms since the epoch. */
  readonly createdMs: number;
  /** How far below zero its available balance may go. */
  readonly overdraftLimit: Money;
  /** The most it may spend in one UTC day, if limited. */
  readonly dailyLimit?: Money;
}

/** A name and uid in a group's listing. */
export interface AccountName {
  /** The account name. */
  readonly name: string;
  /** The account uid. */
  readonly uid: string;
}

/** Options for creating an account. */
export interface CreateAccountOptions {
  /** The group, normally the owner's user uid. */
  readonly group: string;
  /**
   * The name, unique in the group: 1 to 64 bytes of UTF-8 without control characters or white
   * space at either end.
   */
  readonly name: string;
  /** What it is for. @default '' */
  readonly description?: string;
  /** How far below zero the available balance may go (≥ 0). @default '0' */
  readonly overdraftLimit?: MoneyInput;
  /** The most it may spend in one UTC day; unlimited when left out. */
  readonly dailyLimit?: MoneyInput;
}

const INFO_SCHEMA = v.object({
  uid: v.string(),
  group: v.string(),
  name: v.string(),
  description: v.string(),
  createdMs: v.number(),
});

const CLAIM_SCHEMA = v.object({ uid: v.string() });

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const CONTROL_CHARACTER_PATTERN = /[\u0000-\u001f\u007f-\u009f]/;

/** White space at either end: `"spending "` and `" "` are not names. */
const PADDED_PATTERN = /^\s|\s$/u;

/**
 * Creates an account.
 *
 * @param runtime - the ledger runtime
 * @param options - group, name, description and limits
 * @returns the account
 * @throws AcquireError `ACCOUNT_EXISTS` when the group already has the name,
 *   `INVALID_ARGUMENT` or `INVALID_MONEY` for bad options
 */
export async function createAccount(
  runtime: LedgerRuntime,
  options: CreateAccountOptions,
): Promise<Account> {
  const info = {
    uid: createLedgerUid(),
    group: checkName(options.group, 'group'),
    name: checkName(options.name, 'name'),
    description: checkDescription(options.description ?? ''),
    createdMs: runtime.clock.now(),
  };
  const overdraftLimit = toMoney(options.overdraftLimit ?? Money.ZERO, { label: 'overdraftLimit' });
  const dailyLimit =
    options.dailyLimit === undefined
      ? undefined
      : toMoney(options.dailyLimit, { label: 'dailyLimit' });
  const head = newAccountHead(
    info.uid,
    {
      overdraftLimit: overdraftLimit.micro,
      ...(dailyLimit === undefined ? {} : { dailyLimit: dailyLimit.micro }),
    },
    info.createdMs,
  );

  const { store } = runtime;
  const infoVersion = await store.writeIfAbsent(accountInfoKey(info.uid), encodeJson(info));
  const headVersion = await store.writeIfAbsent(accountHeadKey(info.uid), encodeAccountHead(head));
  try {
    await store.writeIfAbsent(accountNameKey(info.group, info.name), encodeJson({ uid: info.uid }));
  } catch (error) {
    if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw error;
    }
    await store.delete(accountHeadKey(info.uid), { ifVersion: headVersion });
    await store.delete(accountInfoKey(info.uid), { ifVersion: infoVersion });
    throw new AcquireError(
      ErrorCode.ACCOUNT_EXISTS,
      `group already has an account named ${JSON.stringify(info.name)}`,
      {
        details: { name: info.name },
      },
    );
  }
  return accountOf(info, head);
}

/**
 * Finds an account by name, creating it when the group has none of that name yet.
 *
 * @param runtime - the ledger runtime
 * @param options - as for {@link createAccount}; description and limits apply only when created
 * @returns the account
 */
export async function ensureAccount(
  runtime: LedgerRuntime,
  options: CreateAccountOptions,
): Promise<Account> {
  const existing = await findAccount(runtime, options.group, options.name);
  if (existing !== undefined) {
    return existing;
  }
  try {
    return await createAccount(runtime, options);
  } catch (error) {
    if (!AcquireError.is(error, ErrorCode.ACCOUNT_EXISTS)) {
      throw error;
    }
    return (await findAccount(runtime, options.group, options.name)) as Account;
  }
}

/**
 * Finds an account by group and name.
 *
 * @param runtime - the ledger runtime
 * @param group - the group
 * @param name - the name
 * @returns the account, or undefined when the group has no such name
 * @throws AcquireError `INVALID_ARGUMENT` when the group or name could never be a name
 */
export async function findAccount(
  runtime: LedgerRuntime,
  group: string,
  name: string,
): Promise<Account | undefined> {
  const key = accountNameKey(checkName(group, 'group'), checkName(name, 'name'));
  const claim = await readJson(runtime.store, key, (value) => v.parse(CLAIM_SCHEMA, value));
  return claim === undefined ? undefined : getAccount(runtime, claim.value.uid);
}

/**
 * Gets an account by uid.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @returns the account
 * @throws AcquireError `ACCOUNT_NOT_FOUND` when there is none
 */
export async function getAccount(runtime: LedgerRuntime, uid: string): Promise<Account> {
  const key = accountInfoKey(uid);
  const [stored, { head }] = await Promise.all([runtime.store.read(key), readHead(runtime, uid)]);
  if (stored === undefined) {
    throw new AcquireError(ErrorCode.ACCOUNT_NOT_FOUND, `no account has uid ${uid}`);
  }
  return accountOf(
    decodeJson(stored.value, key, (value) => v.parse(INFO_SCHEMA, value)),
    head,
  );
}

/**
 * Lists the accounts of a group, in name-key order.
 *
 * @param runtime - the ledger runtime
 * @param group - the group
 * @returns names and uids
 * @throws AcquireError `INVALID_ARGUMENT` when the group could never be a name
 */
export async function listAccounts(runtime: LedgerRuntime, group: string): Promise<AccountName[]> {
  const prefix = accountGroupPrefix(checkName(group, 'group'));
  const keys = await listAllKeys(runtime.store, prefix);
  const claims = await Promise.all(
    keys.map((key) => readJson(runtime.store, key, (value) => v.parse(CLAIM_SCHEMA, value))),
  );
  return keys.flatMap((key, index) => {
    const claim = claims[index];
    return claim === undefined
      ? []
      : [{ name: decodeSegment(key.slice(prefix.length + 1)), uid: claim.value.uid }];
  });
}

/**
 * Sets an account's overdraft limit, refusing one lower than its balance and liabilities need.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @param limit - the new limit (≥ 0)
 * @returns the account
 * @throws AcquireError `OVERDRAFT_LIMIT_TOO_LOW` when balance − liability + limit would be < 0
 */
export async function setOverdraftLimit(
  runtime: LedgerRuntime,
  uid: string,
  limit: MoneyInput,
): Promise<Account> {
  const overdraftLimit = toMoney(limit, { label: 'overdraftLimit' }).micro;
  await changeLimits(runtime, uid, (head) => {
    if (head.totals.balance - head.totals.liability + overdraftLimit < 0n) {
      throw new AcquireError(
        ErrorCode.OVERDRAFT_LIMIT_TOO_LOW,
        `account ${uid} needs an overdraft limit of at least ` +
          `${Money.fromMicro(head.totals.liability - head.totals.balance)}`,
      );
    }
    return { ...head, overdraftLimit };
  });
  return getAccount(runtime, uid);
}

/**
 * Sets or removes an account's daily spending limit.
 *
 * @param runtime - the ledger runtime
 * @param uid - the account uid
 * @param limit - the new limit (≥ 0), or undefined for none
 * @returns the account
 */
export async function setDailyLimit(
  runtime: LedgerRuntime,
  uid: string,
  limit: MoneyInput | undefined,
): Promise<Account> {
  const dailyLimit =
    limit === undefined ? undefined : toMoney(limit, { label: 'dailyLimit' }).micro;
  await changeLimits(runtime, uid, ({ dailyLimit: _old, ...head }) =>
    dailyLimit === undefined ? head : { ...head, dailyLimit },
  );
  return getAccount(runtime, uid);
}

/**
 * Checks an account or group name.
 *
 * @param name - the name
 * @param label - names it in errors
 * @returns the name
 * @throws AcquireError `INVALID_ARGUMENT` unless it is 1 to 64 bytes of UTF-8 without control
 *   characters, lone surrogates or white space at either end
 */
export function checkName(name: unknown, label: string): string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    !name.isWellFormed() ||
    CONTROL_CHARACTER_PATTERN.test(name) ||
    PADDED_PATTERN.test(name) ||
    utf8Encode(name).length > ACCOUNT_NAME_LENGTH_MAX_BYTES
  ) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `${label} must be 1 to ${ACCOUNT_NAME_LENGTH_MAX_BYTES} bytes of text, ` +
        'without control characters or white space at either end',
    );
  }
  return name;
}

function checkDescription(description: unknown): string {
  if (
    typeof description !== 'string' ||
    description.length > ACCOUNT_DESCRIPTION_LENGTH_MAX_CHARS
  ) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `description must be text of at most ${ACCOUNT_DESCRIPTION_LENGTH_MAX_CHARS} characters`,
    );
  }
  return description;
}

async function changeLimits(
  runtime: LedgerRuntime,
  uid: string,
  change: (head: AccountHead) => AccountHead,
): Promise<void> {
  const release = await runtime.lockAccounts([uid]);
  try {
    await updateHead(runtime, uid, undefined, async (head) => {
      const tidy = await tidyMarkers(runtime, head);
      return { next: change(tidy.head), result: undefined };
    });
  } finally {
    release();
  }
}

function accountOf(info: v.InferOutput<typeof INFO_SCHEMA>, head: AccountHead): Account {
  return {
    ...info,
    overdraftLimit: Money.fromMicro(head.overdraftLimit),
    ...(head.dailyLimit === undefined ? {} : { dailyLimit: Money.fromMicro(head.dailyLimit) }),
  };
}
