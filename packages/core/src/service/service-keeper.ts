/**
 * Keeps a running service's identity in memory: reads the record, opens its secret keys with the
 * service password (costly, so done once per key set), and rereads the record now and then so
 * that a rotation or set-up made by another instance sharing the store is picked up.
 *
 * Before set-up the service holds candidate key pairs in memory only; `setup` stores them with a
 * write-if-absent, so of two racing set-ups exactly one wins and the other instance adopts the
 * winner's keys on its next read.
 *
 * @module
 */

import { base64UrlEncode } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/random.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { readJson, writeJsonIfAbsent, writeJsonIfVersion } from '../store/json.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import {
  buildPublicInfo,
  generateServiceKeyPairs,
  openServiceKeys,
  parseServiceIdentityRecord,
  SERVICE_IDENTITY_KEY,
  SERVICE_IDENTITY_VERSION,
  type ServiceIdentityRecord,
  type ServiceKeyPairs,
  type StoredAdmin,
  type StoredServiceKeys,
  sealServiceKeys,
} from './service-identity.js';
import type { ServicePublicInfo } from './service-info.js';
import type { ServiceType } from './service-url.js';

/**
 * How often a running service rereads its identity record. Short enough that a key rotation
 * made by another instance is served within a minute, long enough to cost one read a minute.
 */
export const SERVICE_IDENTITY_REFRESH_MS = 60_000;

/** Random bytes in a service uid: 128 bits, so uids never collide. */
const SERVICE_UID_BYTES = 16;

/** A service's identity as held in memory. */
export interface ServiceState {
  /** The stored record; absent before set-up. */
  readonly record: ServiceIdentityRecord | undefined;
  /** The record's version tag for conditional writes; absent before set-up. */
  readonly version: string | undefined;
  /** The current key pairs (candidate pairs before set-up). */
  readonly keys: ServiceKeyPairs;
  /** Retired key pairs still in their grace time, for opening arguments sealed to them. */
  readonly retiredKeys: readonly ServiceKeyPairs[];
  /** What `GET /` serves. */
  readonly info: ServicePublicInfo;
}

/** Options for {@link createServiceKeeper}. */
export interface ServiceKeeperOptions {
  /** The kind of service. */
  readonly type: ServiceType;
  /** The canonical URL. */
  readonly url: string;
  /** Where the record lives. */
  readonly store: ObjectStore;
  /** The time source. */
  readonly clock: Clock;
  /** Unlocks the sealed secret keys. */
  readonly servicePassword: string;
  /** scrypt cost for sealing new keys. */
  readonly scryptLogN: number;
}

/** Holds and updates a service's identity. */
export interface ServiceKeeper {
  /** The kind of service. */
  readonly type: ServiceType;
  /** The canonical URL. */
  readonly url: string;
  /** scrypt cost for new seals. */
  readonly scryptLogN: number;
  /**
   * Seals key pairs under the service password for storage.
   *
   * @param keys - the key pairs
   * @returns the stored form
   */
  sealKeys(keys: ServiceKeyPairs): Promise<StoredServiceKeys>;
  /**
   * The identity, reread when {@link SERVICE_IDENTITY_REFRESH_MS} has passed (always before
   * set-up).
   */
  state(): Promise<ServiceState>;
  /** The identity, reread now. */
  refresh(): Promise<ServiceState>;
  /**
   * Stores the candidate keys with the admin credentials, once.
   *
   * @throws AcquireError `SERVICE_ALREADY_SET_UP` when a record already exists
   */
  create(admin: StoredAdmin): Promise<ServiceState>;
  /**
   * Replaces the record if nobody changed it since `state` was read.
   *
   * @throws AcquireError `PRECONDITION_FAILED` when the record changed in between
   */
  replace(state: ServiceState, next: ServiceIdentityRecord): Promise<ServiceState>;
}

/**
 * Opens a service's identity from the store, or prepares candidate keys when there is none yet.
 *
 * @param options - type, URL, store, clock, service password and scrypt cost
 * @returns the keeper, with the identity loaded
 * @throws AcquireError `SERVICE_IDENTITY_MISMATCH` when the stored service has another type or
 *   URL, `WRONG_PASSWORD` when the service password does not open its keys
 */
export async function createServiceKeeper(options: ServiceKeeperOptions): Promise<ServiceKeeper> {
  const candidate = generateServiceKeyPairs();
  const opened = new Map<string, ServiceKeyPairs>();
  let current: ServiceState | undefined;
  let loadedMs = Number.NEGATIVE_INFINITY;
  let loading: Promise<ServiceState> | undefined;

  const openKeys = async (stored: StoredServiceKeys): Promise<ServiceKeyPairs> => {
    const cached = opened.get(stored.sealedSecrets.data);
    if (cached !== undefined) {
      return cached;
    }
    const keys = await openServiceKeys(stored, options.servicePassword);
    opened.set(stored.sealedSecrets.data, keys);
    return keys;
  };

  const load = async (): Promise<ServiceState> => {
    const nowMs = options.clock.now();
    const stored = await readJson(options.store, SERVICE_IDENTITY_KEY, parseServiceIdentityRecord);
    current = await buildState(options, stored, candidate, openKeys, nowMs);
    loadedMs = nowMs;
    forgetUnusedKeys(opened, stored?.value);
    return current;
  };

  const refresh = (): Promise<ServiceState> => {
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  };

  await refresh();

  return {
    type: options.type,
    url: options.url,
    scryptLogN: options.scryptLogN,
    sealKeys: (keys) => sealServiceKeys(keys, options.servicePassword, options.scryptLogN),
    state: () => {
      const fresh =
        current?.record !== undefined &&
        options.clock.now() - loadedMs < SERVICE_IDENTITY_REFRESH_MS;
      return fresh && current !== undefined ? Promise.resolve(current) : refresh();
    },
    refresh,
    create: async (admin) => {
      const record = await newRecord(options, candidate, admin);
      try {
        await writeJsonIfAbsent(options.store, SERVICE_IDENTITY_KEY, record);
      } catch (error) {
        if (AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
          await refresh();
          throw new AcquireError(ErrorCode.SERVICE_ALREADY_SET_UP, 'service is already set up');
        }
        throw error;
      }
      return refresh();
    },
    replace: async (state, next) => {
      if (state.version === undefined) {
        throw new AcquireError(ErrorCode.SERVICE_NOT_SET_UP, 'service is not set up');
      }
      await writeJsonIfVersion(options.store, SERVICE_IDENTITY_KEY, next, state.version);
      return refresh();
    },
  };
}

async function buildState(
  options: ServiceKeeperOptions,
  stored: { value: ServiceIdentityRecord; version: string } | undefined,
  candidate: ServiceKeyPairs,
  openKeys: (stored: StoredServiceKeys) => Promise<ServiceKeyPairs>,
  nowMs: number,
): Promise<ServiceState> {
  if (stored === undefined) {
    const info = buildPublicInfo(options.type, options.url, candidate, undefined, nowMs);
    return { record: undefined, version: undefined, keys: candidate, retiredKeys: [], info };
  }

  const record = stored.value;
  if (record.type !== options.type || record.url !== options.url) {
    throw new AcquireError(
      ErrorCode.SERVICE_IDENTITY_MISMATCH,
      `the store holds the ${record.type} service at ${record.url}, ` +
        `not the ${options.type} service at ${options.url}`,
    );
  }

  const keys = await openKeys(record.keys);
  const retiredKeys: ServiceKeyPairs[] = [];
  for (const retired of record.previousKeys) {
    if (retired.graceEndsMs > nowMs) {
      retiredKeys.push(await openKeys(retired));
    }
  }

  const info = buildPublicInfo(options.type, options.url, keys, record, nowMs);
  return { record, version: stored.version, keys, retiredKeys, info };
}

async function newRecord(
  options: ServiceKeeperOptions,
  candidate: ServiceKeyPairs,
  admin: StoredAdmin,
): Promise<ServiceIdentityRecord> {
  return {
    v: SERVICE_IDENTITY_VERSION,
    type: options.type,
    url: options.url,
    uid: base64UrlEncode(randomBytes(SERVICE_UID_BYTES)),
    createdMs: options.clock.now(),
    keys: await sealServiceKeys(candidate, options.servicePassword, options.scryptLogN),
    previousKeys: [],
    admin,
  };
}

function forgetUnusedKeys(
  opened: Map<string, ServiceKeyPairs>,
  record: ServiceIdentityRecord | undefined,
): void {
  const inUse = new Set(
    [record?.keys, ...(record?.previousKeys ?? [])].map((keys) => keys?.sealedSecrets.data),
  );
  for (const sealed of opened.keys()) {
    if (!inUse.has(sealed)) {
      opened.delete(sealed);
    }
  }
}
