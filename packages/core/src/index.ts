/**
 * Acquire core: the object-store contract, the memory store, the clock, cryptography and TOTP
 * that every Acquire package builds on. It runs unchanged in Node 20+, browsers, Deno, Bun and
 * edge workers: no `node:` imports, randomness from Web Crypto only.
 *
 * @example
 * ```ts
 * import { createManualClock, createMemoryStore, generateTotpSecret, totpCode } from '@acquire/core';
 *
 * const store = createMemoryStore();
 * const clock = createManualClock();
 * const secret = generateTotpSecret();
 * const code = totpCode(secret, clock);
 * ```
 *
 * @module
 */

export type { AccountingContext } from './accounting/accounting-access.js';
export type {
  AuthorisationArgument,
  CreateAccountArgs,
  DepositArgs,
  GetAccountUidsArgs,
  GetInfoArgs,
  GetTransactionsArgs,
  PerformArgs,
  ReceiptArgs,
  RefundArgs,
  TransactionArgs,
} from './accounting/accounting-arguments.js';
export {
  ACCOUNTING_FUNCTIONS,
  BILLING_ACCOUNT_NAME,
  createAccount,
  DEPOSIT_BILLING_OVERDRAFT_LIMIT,
  DEPOSIT_INVOICE_THRESHOLD,
  DEPOSIT_VALUE_MAX,
  DEPOSITS_ACCOUNT_NAME,
  deposit,
  getAccountUids,
  getInfo,
  getTransactions,
  perform,
  receipt,
  refund,
} from './accounting/accounting-functions.js';
export type {
  AccountView,
  BalanceView,
  CreateAccountResult,
  DepositResult,
  GetAccountUidsResult,
  GetInfoResult,
  GetTransactionsResult,
  PerformResult,
  SettleResult,
  StatementItemView,
  TransactionView,
} from './accounting/accounting-views.js';
export {
  ACCOUNT_DESCRIPTION_LENGTH_MAX_CHARS,
  ACCOUNT_NAME_LENGTH_MAX_BYTES,
  type Account,
  type AccountName,
  type CreateAccountOptions,
  MAIN_ACCOUNT_NAME,
} from './accounting/accounts.js';
export {
  type BalanceStatus,
  type PastBalance,
  STATEMENT_PAGE_SIZE_DEFAULT,
  type StatementItem,
  type StatementOptions,
  type StatementPage,
  type StatementPageOptions,
} from './accounting/balances.js';
export {
  createLedger,
  type Ledger,
  type LedgerOptions,
} from './accounting/ledger.js';
export {
  IDEMPOTENCY_KEY_LENGTH_MAX_CHARS,
  PERFORM_TRANSACTIONS_MAX,
  type PerformOptions,
  type ReceiptOptions,
  type RefundOptions,
  TRANSACTION_DESCRIPTION_LENGTH_MAX_CHARS,
  type TransactionInput,
} from './accounting/ledger-inputs.js';
export type { TransactionRecord, TransactionSettlement } from './accounting/ledger-records.js';
export { LEDGER_INFLIGHT_TIMEOUT_MS_DEFAULT } from './accounting/ledger-runtime.js';
export { LINE_ITEM_KINDS, type LineItemKind } from './accounting/line-items.js';
export {
  MICRO_UNITS_PER_UNIT,
  MONEY_DECIMALS,
  MONEY_TEXT_LENGTH_MAX_CHARS,
  MONEY_VALUE_MAX,
  Money,
  type MoneyInput,
  type MoneyParseOptions,
  type MoneySign,
  splitValue,
  TRANSACTION_VALUE_MAX,
  toMoney,
  toTransactionValue,
} from './accounting/money.js';
export type { ReconcileReport } from './accounting/reconcile.js';
export {
  type SettlementKind,
  TRANSACTION_STATES,
  type TransactionState,
} from './accounting/transaction-records.js';
export {
  base64UrlDecode,
  base64UrlEncode,
  bytesEqual,
  concatBytes,
  utf8Decode,
  utf8Encode,
} from './crypto/encoding.js';
export {
  needsReseal,
  openWithPassword,
  PASSWORD_LENGTH_MAX_CHARS,
  PASSWORD_SEAL_VERSION,
  type PasswordSealed,
  type PasswordSealOptions,
  SCRYPT_LOG_N_DEFAULT,
  SCRYPT_LOG_N_MAX,
  SCRYPT_LOG_N_MIN,
  sealWithPassword,
} from './crypto/password-seal.js';
export {
  decodePublicKey,
  encodePublicKey,
  fingerprint,
  type KeyAlgorithm,
  PUBLIC_KEY_BYTES,
} from './crypto/public-key.js';
export {
  createSeededRandomSource,
  type RandomSource,
  randomBytes,
  setRandomSource,
} from './crypto/random.js';
export {
  type EncryptionKeyPair,
  encryptionPublicKey,
  generateEncryptionKeyPair,
  openSealedBox,
  SEALED_BOX_OVERHEAD_BYTES,
  sealToPublicKey,
} from './crypto/sealed-box.js';
export {
  assertValidSignature,
  generateSigningKeyPair,
  isValidSignature,
  SIGNATURE_BYTES,
  SIGNING_SECRET_BYTES,
  type SigningKeyPair,
  sign,
  signingPublicKey,
} from './crypto/signing.js';
export {
  generateTotpSecret,
  TOTP_DIGITS,
  TOTP_ISSUER,
  TOTP_PERIOD_S,
  TOTP_SECRET_BYTES,
  TOTP_WINDOW_STEPS,
  type TotpParameters,
  totpCode,
  totpProvisioningUri,
  verifyTotpCode,
} from './crypto/totp.js';
export { AcquireError, type AcquireErrorOptions, ErrorCode } from './errors.js';
export {
  backOff,
  CAS_ATTEMPTS_MAX,
  CAS_BACKOFF_MS_MAX,
  decodeJson,
  encodeJson,
  type RecordParser,
  readJson,
  readText,
  type UpdateJsonOptions,
  updateJson,
  type VersionedJson,
  writeJson,
  writeJsonIfAbsent,
  writeJsonIfVersion,
  writeText,
} from './store/json.js';
export {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  isKeyUnderPrefix,
  isValidKey,
  KEY_LENGTH_MAX_BYTES,
  KEY_SEGMENT_LENGTH_MAX_BYTES,
} from './store/keys.js';
export {
  type ListKeysOptions,
  listAllKeys,
  listKeys,
  pageOfSortedKeys,
  resolvePageLimit,
} from './store/listing.js';
export { createMemoryStore, type MemoryStoreOptions } from './store/memory-store.js';
export {
  type DeleteOptions,
  LIST_PAGE_SIZE_MAX,
  type ListPage,
  type ListPageOptions,
  type ObjectStore,
  type StoreCapabilities,
  type StoredObject,
} from './store/object-store.js';
export {
  type Clock,
  createManualClock,
  MANUAL_CLOCK_START_MS,
  type ManualClock,
  systemClock,
} from './time/clock.js';
