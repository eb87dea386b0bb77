/**
 * Acquire core: the object-store contract, the memory store, the clock, cryptography and TOTP
 * that every Acquire package builds on. It runs unchanged in Node 20+, browsers, Deno, Bun and
 * edge workers: no `node:` imports, randomness from Web Crypto only.
 *
 * @example
 * ```ts
 * import {
 *   createManualClock,
 *   createMemoryStore,
 *   generateTotpSecret,
 *   totpCode,
 * } from '@acquire/core';
 *
 * const store = createMemoryStore();
 * const clock = createManualClock();
 * const secret = generateTotpSecret();
 * const code = totpCode(secret, clock);
 * ```
 *
 * @module
 */

export type { AccessContext } from './access/access-context.js';
export { ACCESS_FUNCTIONS } from './access/access-functions.js';
export {
  ACCESS_MODES,
  ACCESS_PERMISSIONS_DEFAULT,
  type AccessMode,
  type AccessPermissions,
  type AccessRule,
  ANY_USER,
  accessRuleFor,
  GRANT_LIFETIME_MS_DEFAULT,
  GRANT_LIFETIME_MS_MAX,
  GRANT_LIFETIME_MS_MIN,
  PERMISSION_RULES_MAX,
  PERMISSIONS_LIFETIME_MS_MAX_DEFAULT,
  parseAccessPermissions,
  permittedLifetimeMs,
} from './access/access-permissions.js';
export {
  BUCKET_MARKER_NAME,
  BUCKETS_PREFIX,
  type BucketRecord,
  bucketMarkerKey,
  bucketPrefix,
  type EnsuredBucket,
  ensureBucket,
} from './access/bucket.js';
export { ACCESS_ERROR_CODES } from './access/error-codes.js';
export {
  type GrantPresigner,
  PRESIGN_METHODS,
  PRESIGNED_URL_LENGTH_MAX_CHARS,
  type PresignedGrantUrls,
  type PresignedObjectUrl,
  type PresignMethod,
  type PresignObjectRequest,
  type PresignRequest,
  presignGrant,
  presignGrantObject,
} from './access/grant-presigner.js';
export {
  assertGrantMode,
  type GrantUse,
  relativeGrantKey,
  resolveGrantKey,
  resolveGrantPrefix,
} from './access/grant-scope.js';
export {
  GRANT_ID_LENGTH_MAX_CHARS,
  GRANT_TOKEN_LENGTH_MAX_CHARS,
  GRANT_TOKEN_VERSION,
  type GrantClaims,
  signGrant,
  type VerifyGrantOptions,
  verifyGrant,
} from './access/grant-token.js';
export {
  ACCESS_OBJECT_SIZE_MAX_BYTES,
  deleteObject,
  type FoundObject,
  type ListObjectsArgs,
  type ListObjectsResult,
  listObjects,
  type MissingObject,
  type ObjectChangeResult,
  type ObjectKeyArgs,
  type ReadObjectResult,
  readObject,
  type WriteObjectArgs,
  writeObject,
} from './access/object-functions.js';
export {
  type PresignObjectArgs,
  type PresignObjectResult,
  presignObject,
} from './access/presign-object.js';
export {
  type RequestBucketArgs,
  type RequestBucketResult,
  requestBucket,
} from './access/request-bucket.js';
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
export { LEDGER_UID_PATTERN } from './accounting/ledger-uids.js';
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
export { createUniqueIdGenerator, type UniqueIdGenerator } from './crypto/unique-ids.js';
export {
  type AccessServiceOptions,
  createAccessService,
} from './deployment/access-service.js';
export {
  type AccountingServiceOptions,
  createAccountingService,
} from './deployment/accounting-service.js';
export { GRANT_SIGNING_KEY_KEY, openGrantSigningKey } from './deployment/grant-signing-key.js';
export {
  createIdentityService,
  type IdentityServiceOptions,
} from './deployment/identity-service.js';
export { createTrustingVerifier, type ReadyServiceOptions } from './deployment/service-options.js';
export { AcquireError, type AcquireErrorOptions, ErrorCode } from './errors.js';
export {
  HOSTNAME_LENGTH_MAX_CHARS,
  IP_ADDRESS_LENGTH_MAX_CHARS,
  LOGIN_MESSAGE_LENGTH_MAX_CHARS,
  PUBLIC_KEY_TEXT_LENGTH_MAX_CHARS,
} from './identity/argument-schemas.js';
export {
  AUTHORISATION_ARGUMENT_SCHEMA,
  AUTHORISATION_NONCE_BYTES,
  type Authorisation,
  authorisationMessage,
  type CreateAuthorisationOptions,
  createAuthorisation,
  IDENTITY_URL_LENGTH_MAX_CHARS,
  parseAuthorisation,
  RESOURCE_LENGTH_MAX_CHARS,
} from './identity/authorisation.js';
export {
  AUTHORISATION_CLOCK_SKEW_MS,
  AUTHORISATION_STALE_MS,
  type AuthorisationVerifierOptions,
  CERTIFICATE_CACHE_ENTRIES_MAX,
  CERTIFICATE_CACHE_TTL_MS,
  createAuthorisationVerifier,
  NONCE_BUCKET_MS,
  NONCE_PRUNE_DELETIONS_MAX,
  pruneSpentNonces,
} from './identity/authorisation-verifier.js';
export { DEVICES_REMEMBERED_MAX } from './identity/devices.js';
export { type GetKeysArgs, type GetKeysResult, getKeys } from './identity/get-keys.js';
export { type GetStatusArgs, type GetStatusResult, getStatus } from './identity/get-status.js';
export type { IdentityContext } from './identity/identity-context.js';
export { IDENTITY_FUNCTIONS } from './identity/identity-functions.js';
export {
  createLocalSessionResolver,
  type LocalSessionResolverContext,
} from './identity/local-session-resolver.js';
export { type LoginArgs, type LoginResult, login } from './identity/login.js';
export {
  approveSession,
  createLoginSession,
  denySession,
  effectiveSession,
  isLiveSession,
  LOGIN_SESSION_VERSION,
  type LoginSession,
  type LoginSessionStatus,
  logOutSession,
  markSuspicious,
  type NewLoginSession,
  parseLoginSession,
  SESSION_REQUEST_TTL_MS,
  SESSION_TTL_MS,
  SESSIONS_OPEN_MAX,
} from './identity/login-session.js';
export { type LogoutArgs, type LogoutResult, logout } from './identity/logout.js';
export { type RegisterArgs, type RegisterResult, register } from './identity/register.js';
export {
  type RequestLoginArgs,
  type RequestLoginResult,
  requestLogin,
} from './identity/request-login.js';
export type {
  ApprovedSessionKeys,
  LoggedOutSessionKeys,
  SessionKeys,
} from './identity/session-certificate.js';
export { SPENT_CODE_RETENTION_MS } from './identity/spent-codes.js';
export {
  LOGIN_BACKOFF_BASE_MS,
  LOGIN_BACKOFF_MAX_MS,
  LOGIN_FAILURES_FORGET_MS,
  LOGIN_FAILURES_FREE,
} from './identity/throttle.js';
export {
  parseUserAccount,
  USER_ACCOUNT_VERSION,
  type UserAccount,
  type UserAccountStatus,
} from './identity/user-account.js';
export type { UserKeys } from './identity/user-keys.js';
export {
  parseUsername,
  USERNAME_INPUT_LENGTH_MAX_CHARS,
  USERNAME_LENGTH_MAX_CHARS,
  USERNAME_LENGTH_MIN_CHARS,
  type Username,
} from './identity/usernames.js';
export { type WhoisArgs, type WhoisResult, whois } from './identity/whois.js';
export { type LogFields, type Logger, silentLogger } from './logging.js';
export type {
  AuthorisationRequirements,
  AuthorisationVerifier,
  SessionCertificate,
  SessionCertificateResolver,
  VerifiedAuthorisation,
} from './service/authorisation-verifier.js';
export { readBodyWithLimit } from './service/body-reader.js';
export {
  CALL_NONCE_BYTES,
  type CallEnvelope,
  FUNCTION_NAME_LENGTH_MAX_CHARS,
  openCallArguments,
  type ParsedCall,
  parseCallEnvelope,
  REQUEST_BODY_BYTES_MAX,
  type SealCallOptions,
  sealCall,
} from './service/call-envelope.js';
export {
  CALL_RETRIES_MAX,
  CALL_RETRY_BACKOFF_MS,
  CALL_TIMEOUT_MS,
  type CallFunctionOptions,
  type CallResult,
  callFunction,
  REPLY_BYTES_MAX,
} from './service/call-function.js';
export { OK_MESSAGE } from './service/call-handler.js';
export {
  type CreateServiceOptions,
  createService,
  type ServiceContextExtension,
  type ServiceContextExtras,
  type ServiceHandler,
  type ServiceRequestInfo,
  type ServiceRuntime,
} from './service/create-service.js';
export {
  type FetchedResponse,
  type FetchFunction,
  type FetchLimits,
  fetchWithLimits,
  globalFetch,
} from './service/http-fetch.js';
export { HttpStatus, httpStatusForCode } from './service/http-status.js';
export { KEY_ROTATION_GRACE_MS_DEFAULT } from './service/key-rotation.js';
export { escapeHtml, LOGIN_PAGE_CSP } from './service/login-page.js';
export {
  LOGIN_FORM_BYTES_MAX,
  LOGIN_FUNCTION_NAME,
  type LoginSubmission,
} from './service/login-route.js';
export {
  createRemoteSessionResolver,
  GET_KEYS_FUNCTION_NAME,
  type RemoteSessionResolverOptions,
  SESSION_CERTIFICATE_CACHE_ENTRIES_MAX,
  SESSION_CERTIFICATE_CACHE_TTL_MS,
  SESSION_CERTIFICATE_REFRESH_AHEAD_SHARE,
} from './service/remote-session-resolver.js';
export {
  type ErrorReply,
  type OkReply,
  type PlainReply,
  REPLY_MESSAGE_LENGTH_MAX_CHARS,
  type ReplyExpectation,
  type ReplySignatureInput,
  type ReplySigningKey,
  replySignatureMessage,
  unpackReply,
  type WrappedReply,
} from './service/reply-envelope.js';
export {
  AUTHORISATION_ARGUMENT,
  canonicalJson,
  requestResource,
} from './service/request-resource.js';
export {
  defineServiceFunction,
  type ServiceContext,
  type ServiceFunction,
  type ServiceFunctionArgs,
  type ServiceFunctionResult,
} from './service/service-function.js';
export {
  SERVICE_IDENTITY_KEY,
  type ServiceKeyPairs,
} from './service/service-identity.js';
export {
  assertInfoMatchesPins,
  type PinnedServiceKeys,
  PROTOCOL_VERSION,
  parseServicePublicInfo,
  RETIRED_KEYS_MAX,
  type RetiredServiceKeys,
  rotationEndorsementMessage,
  type ServicePublicInfo,
} from './service/service-info.js';
export {
  createServiceInfoCache,
  type FetchServiceInfoOptions,
  fetchServicePublicInfo,
  SERVICE_INFO_BYTES_MAX,
  SERVICE_INFO_CACHE_ENTRIES_MAX,
  SERVICE_INFO_CACHE_TTL_MS,
  SERVICE_INFO_TIMEOUT_MS,
  type ServiceInfoCache,
  type ServiceInfoCacheOptions,
} from './service/service-info-client.js';
export { SERVICE_IDENTITY_REFRESH_MS } from './service/service-keeper.js';
export {
  canonicalServiceUrl,
  SERVICE_TYPES,
  SERVICE_URL_LENGTH_MAX_CHARS,
  type ServiceType,
} from './service/service-url.js';
export {
  ADMIN_FAILURE_WINDOW_MS,
  ADMIN_FAILURES_MAX,
  ADMIN_PASSWORD_LENGTH_MIN_CHARS,
  type RotatedKeys,
  SETUP_FUNCTION_NAME,
  type SetupArgs,
  type SetupResult,
  type TrustedServiceSummary,
} from './service/setup-function.js';
export {
  createTrustedServiceCheck,
  listTrustedServices,
  readTrustedService,
  TRUSTED_SERVICES_MAX,
  TRUSTED_SERVICES_PREFIX,
  type TrustedServiceRecord,
  trustedServiceKey,
} from './service/trusted-services.js';
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
  type DecodedObjectFrame,
  decodeObjectFrame,
  type EncodedObjectFrame,
  encodeTombstoneFrame,
  encodeValueFrame,
  OBJECT_FRAME_HEADER_BYTES,
  OBJECT_FRAME_PEEK_BYTES,
  OBJECT_FRAME_TOMBSTONE_BYTES,
  type ObjectFrameHeader,
  peekObjectFrame,
} from './store/object-frame.js';
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
  assertDeleteOptions,
  assertListPageOptions,
  assertStoreValue,
  assertStoreVersion,
} from './store/store-arguments.js';
export {
  type Clock,
  createManualClock,
  MANUAL_CLOCK_START_MS,
  type ManualClock,
  systemClock,
} from './time/clock.js';
export { parseInput } from './validation.js';
