/**
 * The `setup` wire function every service has. On an empty store it creates the service with
 * the caller as admin and returns the admin's TOTP provisioning URI, once. Afterwards it needs
 * the admin password and a fresh one-time code, and can add or remove trusted services and
 * rotate the service's keys.
 *
 * Before set-up anyone who reaches the service can set it up: set a service up before exposing
 * it, as with any first-run admin account. Failed admin attempts are counted per instance, in
 * memory: instances sharing a store each allow {@link ADMIN_FAILURES_MAX} per window.
 *
 * @module
 */

import * as v from 'valibot';
import { PASSWORD_LENGTH_MAX_CHARS } from '../crypto/password-seal.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { writeJson } from '../store/json.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import type { FetchFunction } from './http-fetch.js';
import { rotatedRecord } from './key-rotation.js';
import { createAdminCredentials, verifyAdminCredentials } from './service-admin.js';
import { defineServiceFunction, type ServiceFunction } from './service-function.js';
import { generateServiceKeyPairs } from './service-identity.js';
import { fetchServicePublicInfo } from './service-info-client.js';
import type { ServiceKeeper, ServiceState } from './service-keeper.js';
import { canonicalServiceUrl, SERVICE_URL_LENGTH_MAX_CHARS } from './service-url.js';
import {
  listTrustedServices,
  readTrustedService,
  type TrustedServiceRecord,
  trustedServiceKey,
  trustedServiceRecord,
} from './trusted-services.js';

/** The wire name of the set-up function. */
export const SETUP_FUNCTION_NAME = 'setup';

/** An admin password must be at least this long: it guards the whole service. */
export const ADMIN_PASSWORD_LENGTH_MIN_CHARS = 12;

/**
 * After this many failed admin attempts within {@link ADMIN_FAILURE_WINDOW_MS}, an instance
 * refuses admin attempts without running scrypt, so guessing is slow and cannot tie up the CPU.
 */
export const ADMIN_FAILURES_MAX = 5;

/** The window in which failed admin attempts are counted. */
export const ADMIN_FAILURE_WINDOW_MS: number = 5 * 60_000;

const URL_SCHEMA = v.pipe(v.string(), v.maxLength(SERVICE_URL_LENGTH_MAX_CHARS));

const SETUP_ARGS = v.strictObject({
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(PASSWORD_LENGTH_MAX_CHARS)),
  code: v.optional(v.pipe(v.string(), v.regex(/^\d{6}$/))),
  addTrustedService: v.optional(URL_SCHEMA),
  removeTrustedService: v.optional(URL_SCHEMA),
  rotateKeys: v.optional(v.boolean()),
});

/** Arguments of `setup`. */
export interface SetupArgs {
  /** The admin password; at the first set-up, the password to set. */
  readonly password: string;
  /** A current one-time code from the admin's authenticator; required after the first set-up. */
  readonly code?: string;
  /** The URL of a service to trust: its public info is fetched and its keys pinned. */
  readonly addTrustedService?: string;
  /** The URL of a service to stop trusting. */
  readonly removeTrustedService?: string;
  /** Replace the service's keys; the old ones stay valid for the rotation grace time. */
  readonly rotateKeys?: boolean;
}

/** A trusted service as `setup` reports it. */
export interface TrustedServiceSummary {
  /** The canonical URL. */
  readonly url: string;
  /** The kind of service. */
  readonly type: string;
  /** The service uid. */
  readonly uid: string;
  /** The pinned signing-key fingerprint. */
  readonly signingKeyFingerprint: string;
  /** The pinned encryption-key fingerprint. */
  readonly encryptionKeyFingerprint: string;
}

/** The service's keys after a rotation. */
export interface RotatedKeys {
  /** Fingerprint of the new signing key. */
  readonly signingKeyFingerprint: string;
  /** Fingerprint of the new encryption key. */
  readonly encryptionKeyFingerprint: string;
  /** When the retired keys stop being honoured, in ms since the epoch. */
  readonly graceEndsMs: number;
}

/** The result of `setup`. */
export interface SetupResult {
  /** The service uid. */
  readonly serviceUid: string;
  /** The service's canonical URL. */
  readonly serviceUrl: string;
  /** The admin's TOTP provisioning URI: only from the first set-up, never again. */
  readonly provisioningUri?: string;
  /** The service just trusted. */
  readonly addedTrustedService?: TrustedServiceSummary;
  /** Whether a trusted service was removed (false when it was not trusted). */
  readonly removedTrustedService?: boolean;
  /** The new keys after a rotation, and when the old ones stop being honoured. */
  readonly rotatedKeys?: RotatedKeys;
  /** The URLs of all trusted services after the change. */
  readonly trustedServices: readonly string[];
}

/** What the set-up function needs from the runtime. */
export interface SetupFunctionOptions {
  /** The service's identity holder. */
  readonly keeper: ServiceKeeper;
  /** Fetches other services' public info. */
  readonly fetchImpl: FetchFunction;
  /** How long retired keys stay valid after a rotation. */
  readonly keyRotationGraceMs: number;
  /** The time source for counting failed attempts. */
  readonly clock: Clock;
}

/**
 * Makes the `setup` function of one service.
 *
 * @param options - the keeper, fetch and rotation grace time
 * @returns the service function
 */
export function createSetupFunction(
  options: SetupFunctionOptions,
): ServiceFunction<v.GenericSchema<SetupArgs>, SetupResult> {
  const throttle = createAdminThrottle(options.clock);
  return defineServiceFunction(SETUP_FUNCTION_NAME, SETUP_ARGS, async (args, context) => {
    const state = await options.keeper.refresh();
    if (state.record === undefined) {
      return firstSetUp(options.keeper, args);
    }

    if (args.code === undefined) {
      throw new AcquireError(
        ErrorCode.INVALID_ARGUMENT,
        'setup arguments are invalid: code is required',
      );
    }
    const { admin } = state.record;
    const code = args.code;
    const step = await throttle.verify(() =>
      verifyAdminCredentials(admin, args.password, code, context.clock),
    );
    const added =
      args.addTrustedService === undefined
        ? undefined
        : await fetchTrustable(
            args.addTrustedService,
            state,
            options.fetchImpl,
            context.clock.now(),
          );

    const acting =
      added !== undefined || args.removeTrustedService !== undefined || args.rotateKeys === true;
    let next = state;
    if (acting) {
      next = await spendAndRotate(
        options,
        state,
        step,
        args.rotateKeys === true,
        context.clock.now(),
      );
    }

    const removed =
      args.removeTrustedService === undefined
        ? undefined
        : await removeTrusted(context.store, args.removeTrustedService);
    if (added !== undefined) {
      await writeJson(context.store, trustedServiceKey(added.url), added);
    }

    return {
      serviceUid: state.record.uid,
      serviceUrl: state.record.url,
      ...(added === undefined ? {} : { addedTrustedService: summarise(added) }),
      ...(removed === undefined ? {} : { removedTrustedService: removed }),
      ...(args.rotateKeys === true ? { rotatedKeys: rotationSummary(next) } : {}),
      trustedServices: (await listTrustedServices(context.store)).map((record) => record.url),
    };
  });
}

/** Counts failed admin attempts and refuses more once there were too many. */
function createAdminThrottle(clock: Clock): {
  verify(check: () => Promise<number>): Promise<number>;
} {
  let failuresMs: number[] = [];
  return {
    verify: async (check) => {
      const nowMs = clock.now();
      failuresMs = failuresMs.filter((failedMs) => nowMs - failedMs < ADMIN_FAILURE_WINDOW_MS);
      if (failuresMs.length >= ADMIN_FAILURES_MAX) {
        throw new AcquireError(
          ErrorCode.ADMIN_THROTTLED,
          'too many failed admin attempts; wait a few minutes',
        );
      }
      try {
        return await check();
      } catch (error) {
        if (AcquireError.is(error, ErrorCode.ADMIN_AUTHENTICATION_FAILED)) {
          failuresMs.push(nowMs);
        }
        throw error;
      }
    },
  };
}

async function firstSetUp(keeper: ServiceKeeper, args: SetupArgs): Promise<SetupResult> {
  const acting =
    args.code !== undefined ||
    args.addTrustedService !== undefined ||
    args.removeTrustedService !== undefined ||
    args.rotateKeys !== undefined;
  if (acting) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'setup arguments are invalid: the first set-up takes only the admin password',
    );
  }
  if (args.password.length < ADMIN_PASSWORD_LENGTH_MIN_CHARS) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'setup arguments are invalid: the admin password needs at least ' +
        `${ADMIN_PASSWORD_LENGTH_MIN_CHARS} characters`,
    );
  }

  const credentials = await createAdminCredentials(args.password, keeper.url, keeper.scryptLogN);
  const state = await keeper.create(credentials.admin);
  return {
    serviceUid: (state.record as NonNullable<ServiceState['record']>).uid,
    serviceUrl: keeper.url,
    provisioningUri: credentials.provisioningUri,
    trustedServices: [],
  };
}

async function fetchTrustable(
  url: string,
  state: ServiceState,
  fetchImpl: FetchFunction,
  nowMs: number,
): Promise<TrustedServiceRecord> {
  const canonical = canonicalServiceUrl(url);
  if (canonical === state.info.url) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'a service does not need to trust itself');
  }
  const info = await fetchServicePublicInfo(canonical, { fetchImpl });
  return trustedServiceRecord(info, nowMs);
}

async function spendAndRotate(
  options: SetupFunctionOptions,
  state: ServiceState,
  step: number,
  rotate: boolean,
  nowMs: number,
): Promise<ServiceState> {
  const record = state.record as NonNullable<ServiceState['record']>;
  let next = { ...record, admin: { ...record.admin, lastCodeStep: step } };
  if (rotate) {
    const stored = await options.keeper.sealKeys(generateServiceKeyPairs());
    next = rotatedRecord(next, {
      retiring: state.keys,
      next: stored,
      nowMs,
      graceMs: options.keyRotationGraceMs,
    });
  }

  try {
    return await options.keeper.replace(state, next);
  } catch (error) {
    if (AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
      throw new AcquireError(
        ErrorCode.PRECONDITION_FAILED,
        'the service identity changed during set-up; try again with a new code',
      );
    }
    throw error;
  }
}

async function removeTrusted(store: ObjectStore, url: string): Promise<boolean> {
  const existing = await readTrustedService(store, url);
  if (existing === undefined) {
    return false;
  }
  await store.delete(trustedServiceKey(url));
  return true;
}

function summarise(record: TrustedServiceRecord): TrustedServiceSummary {
  return {
    url: record.url,
    type: record.type,
    uid: record.uid,
    signingKeyFingerprint: record.signingKeyFingerprint,
    encryptionKeyFingerprint: record.encryptionKeyFingerprint,
  };
}

function rotationSummary(state: ServiceState): RotatedKeys {
  return {
    signingKeyFingerprint: state.info.signingKeyFingerprint,
    encryptionKeyFingerprint: state.info.encryptionKeyFingerprint,
    graceEndsMs: state.info.previousKeys[0]?.graceEndsMs ?? 0,
  };
}
