/**
 * Acquire client: typed clients of the identity, accounting and access services, the user's
 * login flow, and a wallet for login sessions and service keys, runnable in browsers and Node
 * alike. Node-only parts (the file wallet, the HTTP server, the local deployment) live in
 * `@acquire/client/node`.
 *
 * @example
 * ```ts
 * import { createAccountingClient, createUser } from '@acquire/client';
 *
 * const alice = createUser({ identityUrl: 'http://127.0.0.1:8001', username: 'alice' });
 * const session = await alice.requestLogin();
 * console.log('approve at', session.loginUrl);
 * await alice.waitForApproval();
 *
 * const accounting = createAccountingClient('http://127.0.0.1:8002');
 * const call = alice.authoriseCall('get_account_uids', {});
 * const { accounts } = await accounting.getAccountUids(call);
 * ```
 *
 * @module
 */

export {
  ACCESS_CLIENT_FUNCTIONS,
  type AccessClient,
  createAccessClient,
} from './clients/access-client.js';
export {
  ACCOUNTING_CLIENT_FUNCTIONS,
  type AccountingClient,
  createAccountingClient,
} from './clients/accounting-client.js';
export {
  type AdminClient,
  type AdminCredentials,
  createAdminClient,
  type FirstSetUpResult,
} from './clients/admin-client.js';
export { createFunctionCaller, type FunctionCallerOptions } from './clients/function-caller.js';
export {
  createIdentityClient,
  IDENTITY_CLIENT_FUNCTIONS,
  type IdentityClient,
} from './clients/identity-client.js';
export {
  downloadThroughPresignedUrl,
  PRESIGNED_DOWNLOAD_BYTES_MAX_DEFAULT,
  PRESIGNED_TRANSFER_TIMEOUT_MS_DEFAULT,
  type PresignedDownload,
  type PresignedDownloadOptions,
  type PresignedTransferOptions,
  uploadThroughPresignedUrl,
} from './clients/presigned-transfer.js';
export {
  createServiceClient,
  type FunctionCaller,
  type ServiceClient,
  type ServiceFunctionMap,
} from './clients/service-client.js';
export {
  APPROVAL_POLL_MS_MAX,
  APPROVAL_POLL_MS_MIN,
  APPROVAL_POLLS_MAX,
  APPROVAL_WAIT_MS_DEFAULT,
  LOGIN_REFUSED,
  LOGIN_TIMEOUT,
  type WaitForApprovalOptions,
} from './user/approval-wait.js';
export {
  createUser,
  type LoginRequestDetails,
  NOT_LOGGED_IN,
  type Registration,
  type User,
  type UserOptions,
} from './user/user.js';
export {
  createWallet,
  type Wallet,
  type WalletOptions,
  type WalletSession,
  type WalletSessionInfo,
} from './wallet/wallet.js';
export {
  createMemoryWalletStorage,
  createWebWalletStorage,
  type WalletStorage,
  type WebStorageLike,
} from './wallet/wallet-storage.js';
