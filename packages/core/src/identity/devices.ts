/**
 * Remembered devices: a device the user chose to remember gets its own TOTP secret, sealed to
 * the user's public key like the account's, so later logins from it use the device's codes.
 * A device record names the public key it was sealed to; after a password change (which makes
 * a new key pair) old devices no longer open and must be remembered again.
 *
 * @module
 */

import * as v from 'valibot';
import { decodePublicKey } from '../crypto/public-key.js';
import type { EncryptionKeyPair } from '../crypto/sealed-box.js';
import { generateTotpSecret, totpProvisioningUri } from '../crypto/totp.js';
import { readJson, writeJsonIfAbsent } from '../store/json.js';
import { listKeys } from '../store/listing.js';
import type { ObjectStore } from '../store/object-store.js';
import { deviceKey, devicesPrefix } from './store-layout.js';
import { createUid, shortUidOf, UID_PATTERN } from './uids.js';
import { openSecret, sealSecretTo, type UserAccount } from './user-account.js';

/** A user keeps at most 20 remembered devices; remembering one more forgets the oldest. */
export const DEVICES_REMEMBERED_MAX = 20;

/** The current layout of a device record. */
const DEVICE_RECORD_VERSION = 1;

/** A remembered device as stored at `devices/<name>/<device uid>`. */
interface DeviceRecord {
  readonly v: 1;
  readonly deviceUid: string;
  /** The user public key the secret was sealed to. */
  readonly publicKey: string;
  readonly sealedTotpSecret: string;
  readonly createdMs: number;
}

const DEVICE_RECORD_SCHEMA = v.object({
  v: v.literal(DEVICE_RECORD_VERSION),
  deviceUid: v.pipe(v.string(), v.regex(UID_PATTERN)),
  publicKey: v.pipe(v.string(), v.startsWith('x25519:')),
  sealedTotpSecret: v.string(),
  createdMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
});

const parseDeviceRecord = (value: unknown): DeviceRecord => v.parse(DEVICE_RECORD_SCHEMA, value);

/** A newly remembered device, to hand to the user once. */
export interface RememberedDevice {
  /** The device uid to send with later logins. */
  readonly deviceUid: string;
  /** The secret of the device's codes, for its authenticator. */
  readonly totpSecret: string;
  /** The `otpauth://` URI of that secret. */
  readonly provisioningUri: string;
}

/**
 * Remembers a new device for a user, forgetting the oldest beyond {@link DEVICES_REMEMBERED_MAX}.
 *
 * @param store - the identity store
 * @param name - the username key segment
 * @param account - the user's account, whose public key seals the secret
 * @param nowMs - now
 * @returns the device uid and its provisioning URI
 */
export async function rememberDevice(
  store: ObjectStore,
  name: string,
  account: UserAccount,
  nowMs: number,
): Promise<RememberedDevice> {
  await forgetOldestDevices(store, name, DEVICES_REMEMBERED_MAX - 1);

  const deviceUid = createUid();
  const totpSecret = generateTotpSecret();
  const record: DeviceRecord = {
    v: DEVICE_RECORD_VERSION,
    deviceUid,
    publicKey: account.publicKey,
    sealedTotpSecret: sealSecretTo(totpSecret, decodePublicKey('x25519', account.publicKey)),
    createdMs: nowMs,
  };
  await writeJsonIfAbsent(store, deviceKey(name, deviceUid), record);

  const label = `${account.username} (device ${shortUidOf(deviceUid)})`;
  return { deviceUid, totpSecret, provisioningUri: totpProvisioningUri(totpSecret, label) };
}

/**
 * Opens a remembered device's TOTP secret.
 *
 * @param store - the identity store
 * @param name - the username key segment
 * @param deviceUid - the device uid the client sent
 * @param account - the user's account
 * @param keyPair - the user's opened key pair
 * @returns the secret, or `undefined` when the device is unknown or was sealed to an old key
 */
export async function openDeviceSecret(
  store: ObjectStore,
  name: string,
  deviceUid: string,
  account: UserAccount,
  keyPair: EncryptionKeyPair,
): Promise<string | undefined> {
  const device = await readJson(store, deviceKey(name, deviceUid), parseDeviceRecord);
  if (device === undefined || device.value.publicKey !== account.publicKey) {
    return undefined;
  }
  return openSecret(device.value.sealedTotpSecret, keyPair);
}

/**
 * Forgets every remembered device of a user (after a password change).
 *
 * @param store - the identity store
 * @param name - the username key segment
 */
export async function forgetDevices(store: ObjectStore, name: string): Promise<void> {
  await forgetOldestDevices(store, name, 0);
}

/** Keeps the newest `keep` devices. The scan is bounded by twice the cap. */
async function forgetOldestDevices(store: ObjectStore, name: string, keep: number): Promise<void> {
  const devices: { key: string; createdMs: number }[] = [];
  for await (const key of listKeys(store, devicesPrefix(name))) {
    if (devices.length >= DEVICES_REMEMBERED_MAX * 2) {
      break;
    }
    const device = await readJson(store, key, parseDeviceRecord);
    if (device !== undefined) {
      devices.push({ key, createdMs: device.value.createdMs });
    }
  }

  devices.sort((left, right) => right.createdMs - left.createdMs);
  for (const device of devices.slice(keep)) {
    await store.delete(device.key);
  }
}
