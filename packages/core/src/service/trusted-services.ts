/**
 * The services this service trusts, pinned by key fingerprint. An admin adds one by URL: its
 * public info is fetched once and the fingerprints are kept, so later calls can tell the real
 * service from an impostor answering at the same address.
 *
 * Object-store layout: `service/trusted/<encoded url>` holds one {@link TrustedServiceRecord};
 * the URL is encoded by escaping `%` and `/` so that it stays one readable key segment.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import { readJson } from '../store/json.js';
import { isValidKey } from '../store/keys.js';
import { listKeys } from '../store/listing.js';
import type { ObjectStore } from '../store/object-store.js';
import type { PinnedServiceKeys, ServicePublicInfo } from './service-info.js';
import { canonicalServiceUrl, SERVICE_TYPES, type ServiceType } from './service-url.js';

/** The object-store prefix of the trusted-service records. */
export const TRUSTED_SERVICES_PREFIX = 'service/trusted';

/** At most this many trusted services are listed; a deployment has a handful. */
export const TRUSTED_SERVICES_MAX = 1000;

/** A trusted service as pinned in the store. */
export interface TrustedServiceRecord extends PinnedServiceKeys {
  /** Layout version. */
  readonly v: 1;
  /** The canonical URL. */
  readonly url: string;
  /** The kind of service. */
  readonly type: ServiceType;
  /** The service uid. */
  readonly uid: string;
  /** The pinned X25519 key. */
  readonly encryptionKey: string;
  /** The pinned Ed25519 key. */
  readonly signingKey: string;
  /** When the admin added it, in ms since the epoch. */
  readonly addedMs: number;
}

const RECORD_SCHEMA = v.object({
  v: v.literal(1),
  url: v.string(),
  type: v.picklist(SERVICE_TYPES),
  uid: v.string(),
  encryptionKey: v.string(),
  signingKey: v.string(),
  signingKeyFingerprint: v.string(),
  encryptionKeyFingerprint: v.string(),
  addedMs: v.number(),
});

/**
 * The store key of a trusted service's record.
 *
 * @param url - the service URL, in any spelling {@link canonicalServiceUrl} accepts
 * @returns the key under {@link TRUSTED_SERVICES_PREFIX}
 * @throws AcquireError `INVALID_ARGUMENT` when the URL is invalid or too long to be a key segment
 */
export function trustedServiceKey(url: string): string {
  const encoded = canonicalServiceUrl(url).replace(/%/g, '%25').replace(/\//g, '%2F');
  const key = `${TRUSTED_SERVICES_PREFIX}/${encoded}`;
  if (!isValidKey(key)) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'service URL is too long to be trusted');
  }
  return key;
}

/**
 * Builds the record that pins a service's current keys.
 *
 * @param info - the service's public info, already checked
 * @param addedMs - the time of adding
 * @returns the record to store
 * @throws AcquireError `SERVICE_NOT_SET_UP` when the service has no uid yet
 */
export function trustedServiceRecord(
  info: ServicePublicInfo,
  addedMs: number,
): TrustedServiceRecord {
  if (!info.setUp || info.uid === undefined) {
    throw new AcquireError(ErrorCode.SERVICE_NOT_SET_UP, `service ${info.url} is not set up yet`);
  }
  return {
    v: 1,
    url: info.url,
    type: info.type,
    uid: info.uid,
    encryptionKey: info.encryptionKey,
    signingKey: info.signingKey,
    signingKeyFingerprint: info.signingKeyFingerprint,
    encryptionKeyFingerprint: info.encryptionKeyFingerprint,
    addedMs,
  };
}

/**
 * Reads a trusted service's record.
 *
 * @param store - the trusting service's store
 * @param url - the service URL
 * @returns the record, or `undefined` when the service is not trusted or the URL is invalid
 * @throws AcquireError `CORRUPT_RECORD` when the stored record is malformed
 */
export async function readTrustedService(
  store: ObjectStore,
  url: string,
): Promise<TrustedServiceRecord | undefined> {
  let key: string;
  try {
    key = trustedServiceKey(url);
  } catch {
    return undefined;
  }
  const stored = await readJson(store, key, (value) => v.parse(RECORD_SCHEMA, value));
  return stored?.value;
}

/**
 * Lists the trusted services, sorted by key.
 *
 * @param store - the trusting service's store
 * @returns up to {@link TRUSTED_SERVICES_MAX} records
 */
export async function listTrustedServices(store: ObjectStore): Promise<TrustedServiceRecord[]> {
  const records: TrustedServiceRecord[] = [];
  for await (const key of listKeys(store, TRUSTED_SERVICES_PREFIX)) {
    const stored = await readJson(store, key, (value) => v.parse(RECORD_SCHEMA, value));
    if (stored !== undefined) {
      records.push(stored.value);
    }
    if (records.length >= TRUSTED_SERVICES_MAX) {
      break;
    }
  }
  return records;
}

/**
 * Builds the `isTrustedIdentity` check an authorisation verifier needs: true when the URL names
 * a service in the trusted list, of the given type. Each call reads one record from the store.
 *
 * @param store - the trusting service's store
 * @param type - the type the service must have
 * @default type 'identity'
 * @returns the check
 * @example
 * ```ts
 * import { createTrustedServiceCheck } from '@acquire/core';
 *
 * const isTrustedIdentity = createTrustedServiceCheck(store);
 * if (!(await isTrustedIdentity('https://id.example.com'))) {
 *   // refuse the authorisation
 * }
 * ```
 */
export function createTrustedServiceCheck(
  store: ObjectStore,
  type: ServiceType = 'identity',
): (url: string) => Promise<boolean> {
  return async (url) => (await readTrustedService(store, url))?.type === type;
}
