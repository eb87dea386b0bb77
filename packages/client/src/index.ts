/**
 * Acquire client: a wallet for a user's login sessions and service keys, runnable in browsers
 * and Node alike. Node-only parts (the file wallet, the HTTP server) live in
 * `@acquire/client/node`.
 *
 * @example
 * ```ts
 * import { createMemoryWalletStorage, createWallet } from '@acquire/client';
 *
 * const wallet = createWallet({ storage: createMemoryWalletStorage(), password: 'wallet pw' });
 * ```
 *
 * @module
 */

export {
  createServiceClient,
  type FunctionCaller,
  type ServiceClient,
  type ServiceFunctionMap,
} from './clients/service-client.js';
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
