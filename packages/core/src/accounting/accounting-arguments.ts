/**
 * Argument types and schemas of the accounting service functions. Every object is strict
 * (unknown fields are refused), every string is length-limited, money is decimal text checked
 * exactly by {@link Money.parse}, and `authorisation` is checked by the verifier.
 *
 * @module
 */

import * as v from 'valibot';
import type { Authorisation } from '../identity/authorisation.js';
import { LIST_PAGE_SIZE_MAX } from '../store/object-store.js';
import { ACCOUNT_DESCRIPTION_LENGTH_MAX_CHARS, ACCOUNT_NAME_LENGTH_MAX_BYTES } from './accounts.js';
import {
  IDEMPOTENCY_KEY_LENGTH_MAX_CHARS,
  PERFORM_TRANSACTIONS_MAX,
  TRANSACTION_DESCRIPTION_LENGTH_MAX_CHARS,
} from './ledger-inputs.js';
import { MONEY_TEXT_LENGTH_MAX_CHARS } from './money.js';

/** Page tokens are base64url of a line item key, well under 2,048 characters. */
export const PAGE_TOKEN_LENGTH_MAX_CHARS = 2048;

/**
 * A signed authorisation, its fields checked by the verifier: an {@link Authorisation} made by
 * the client, or any JSON object, which the verifier refuses unless it is one.
 */
export type AuthorisationArgument = Authorisation | Readonly<Record<string, unknown>>;

/** Arguments of `create_account`. */
export interface CreateAccountArgs {
  /** The caller's authorisation for these arguments. */
  readonly authorisation: AuthorisationArgument;
  /** The new account's name, unique among the caller's accounts. */
  readonly name: string;
  /** What it is for. */
  readonly description?: string;
  /** How far below zero it may go, as decimal text. @default '0' */
  readonly overdraftLimit?: string;
  /** Its daily spending limit, as decimal text; unlimited when left out. */
  readonly dailyLimit?: string;
}

/** Arguments of `get_account_uids`. */
export interface GetAccountUidsArgs {
  /** The caller's authorisation for these arguments. */
  readonly authorisation: AuthorisationArgument;
}

/** Arguments of `get_info`. */
export interface GetInfoArgs {
  /** The caller's authorisation for these arguments. */
  readonly authorisation: AuthorisationArgument;
  /** One of the caller's accounts, by uid or name. */
  readonly account: string;
}

/** Arguments of `deposit`. */
export interface DepositArgs {
  /** The caller's authorisation for these arguments. */
  readonly authorisation: AuthorisationArgument;
  /** The value to deposit, as decimal text. */
  readonly value: string;
}

/** One transfer in the arguments of `perform`. */
export interface TransactionArgs {
  /** The paying account's uid; the caller must own it. */
  readonly debitAccountUid: string;
  /** The paid account's uid. */
  readonly creditAccountUid: string;
  /** The value, as decimal text. */
  readonly value: string;
  /** What it is for. */
  readonly description: string;
}

/** Arguments of `perform`. */
export interface PerformArgs {
  /** The caller's authorisation for these arguments. */
  readonly authorisation: AuthorisationArgument;
  /** The transfers: all happen or none. */
  readonly transactions: readonly TransactionArgs[];
  /** Hold the values to be receipted later, rather than paying them. */
  readonly provisional?: boolean;
  /** Repeating the call with the same key returns the first result and moves nothing more. */
  readonly idempotencyKey?: string;
  /** For provisional transfers: when unreceipted values are released, in ms since the epoch. */
  readonly expiresAtMs?: number;
}

/** Arguments of `receipt`. */
export interface ReceiptArgs {
  /** The caller's authorisation for these arguments; the caller must own the paid account. */
  readonly authorisation: AuthorisationArgument;
  /** The provisional transaction. */
  readonly transactionUid: string;
  /** The value to take, as decimal text, up to the provisional value. @default all of it */
  readonly value?: string;
  /** Repeating the call with the same key returns the first result. */
  readonly idempotencyKey?: string;
}

/** Arguments of `refund`. */
export interface RefundArgs {
  /** The caller's authorisation for these arguments; the caller must own the paid account. */
  readonly authorisation: AuthorisationArgument;
  /** The direct transaction to reverse. */
  readonly transactionUid: string;
  /** Repeating the call with the same key returns the first result. */
  readonly idempotencyKey?: string;
}

/** Arguments of `get_transactions`. */
export interface GetTransactionsArgs {
  /** The caller's authorisation for these arguments. */
  readonly authorisation: AuthorisationArgument;
  /** One of the caller's accounts, by uid or name. */
  readonly account: string;
  /** Items at or after this time, in ms since the epoch. @default 0 */
  readonly startMs?: number;
  /** Items before this time, in ms since the epoch. @default just after now */
  readonly endMs?: number;
  /** Items per page, 1 to 1,000. @default 100 */
  readonly limit?: number;
  /** The `nextPageToken` of the previous page. */
  readonly pageToken?: string;
}

const AUTHORISATION: v.GenericSchema<AuthorisationArgument> = v.record(v.string(), v.unknown());
const MONEY_TEXT = v.pipe(v.string(), v.maxLength(MONEY_TEXT_LENGTH_MAX_CHARS));
const WELL_FORMED = v.check((text: string) => text.isWellFormed(), 'must be well-formed Unicode');
const ACCOUNT_REFERENCE = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(ACCOUNT_NAME_LENGTH_MAX_BYTES),
  WELL_FORMED,
);
const TRANSACTION_UID = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(ACCOUNT_NAME_LENGTH_MAX_BYTES),
);
const IDEMPOTENCY_KEY = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(IDEMPOTENCY_KEY_LENGTH_MAX_CHARS),
  WELL_FORMED,
);
const TIME_MS = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** Schema of {@link CreateAccountArgs}. */
export const CREATE_ACCOUNT_ARGS: v.GenericSchema<CreateAccountArgs> = v.strictObject({
  authorisation: AUTHORISATION,
  name: ACCOUNT_REFERENCE,
  description: v.optional(
    v.pipe(v.string(), v.maxLength(ACCOUNT_DESCRIPTION_LENGTH_MAX_CHARS), WELL_FORMED),
  ),
  overdraftLimit: v.optional(MONEY_TEXT),
  dailyLimit: v.optional(MONEY_TEXT),
});

/** Schema of {@link GetAccountUidsArgs}. */
export const GET_ACCOUNT_UIDS_ARGS: v.GenericSchema<GetAccountUidsArgs> = v.strictObject({
  authorisation: AUTHORISATION,
});

/** Schema of {@link GetInfoArgs}. */
export const GET_INFO_ARGS: v.GenericSchema<GetInfoArgs> = v.strictObject({
  authorisation: AUTHORISATION,
  account: ACCOUNT_REFERENCE,
});

/** Schema of {@link DepositArgs}. */
export const DEPOSIT_ARGS: v.GenericSchema<DepositArgs> = v.strictObject({
  authorisation: AUTHORISATION,
  value: MONEY_TEXT,
});

/** Schema of {@link PerformArgs}. */
export const PERFORM_ARGS: v.GenericSchema<PerformArgs> = v.strictObject({
  authorisation: AUTHORISATION,
  transactions: v.pipe(
    v.array(
      v.strictObject({
        debitAccountUid: TRANSACTION_UID,
        creditAccountUid: TRANSACTION_UID,
        value: MONEY_TEXT,
        description: v.pipe(
          v.string(),
          v.maxLength(TRANSACTION_DESCRIPTION_LENGTH_MAX_CHARS),
          WELL_FORMED,
        ),
      }),
    ),
    v.minLength(1),
    v.maxLength(PERFORM_TRANSACTIONS_MAX),
  ),
  provisional: v.optional(v.boolean()),
  idempotencyKey: v.optional(IDEMPOTENCY_KEY),
  expiresAtMs: v.optional(TIME_MS),
});

/** Schema of {@link ReceiptArgs}. */
export const RECEIPT_ARGS: v.GenericSchema<ReceiptArgs> = v.strictObject({
  authorisation: AUTHORISATION,
  transactionUid: TRANSACTION_UID,
  value: v.optional(MONEY_TEXT),
  idempotencyKey: v.optional(IDEMPOTENCY_KEY),
});

/** Schema of {@link RefundArgs}. */
export const REFUND_ARGS: v.GenericSchema<RefundArgs> = v.strictObject({
  authorisation: AUTHORISATION,
  transactionUid: TRANSACTION_UID,
  idempotencyKey: v.optional(IDEMPOTENCY_KEY),
});

/** Schema of {@link GetTransactionsArgs}. */
export const GET_TRANSACTIONS_ARGS: v.GenericSchema<GetTransactionsArgs> = v.strictObject({
  authorisation: AUTHORISATION,
  account: ACCOUNT_REFERENCE,
  startMs: v.optional(TIME_MS),
  endMs: v.optional(TIME_MS),
  limit: v.optional(
    v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(LIST_PAGE_SIZE_MAX)),
  ),
  pageToken: v.optional(
    v.pipe(v.string(), v.minLength(1), v.maxLength(PAGE_TOKEN_LENGTH_MAX_CHARS)),
  ),
});
