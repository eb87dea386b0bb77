/**
 * JSON and UTF-8 helpers on top of an {@link ObjectStore}, and a bounded compare-and-swap loop.
 *
 * @module
 */

import { utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/random.js';
import { AcquireError, ErrorCode } from '../errors.js';
import type { ObjectStore } from './object-store.js';

/** A JSON value read from a store with its version. */
export interface VersionedJson<T> {
  /** The parsed value. */
  readonly value: T;
  /** The version tag to pass to a conditional write. */
  readonly version: string;
}

/**
 * Checks the shape of a parsed record and returns it typed; throws when it does not fit.
 * A valibot `parse` bound to a schema is a good fit.
 */
export type RecordParser<T> = (value: unknown) => T;

/**
 * Turns a value into JSON bytes.
 *
 * @param value - any JSON-serialisable value
 * @returns its UTF-8 JSON bytes
 */
export function encodeJson(value: unknown): Uint8Array {
  return utf8Encode(JSON.stringify(value));
}

/**
 * Parses JSON bytes read from a store.
 *
 * @param bytes - UTF-8 JSON
 * @param key - the key they came from, named in errors
 * @param parse - an optional shape check
 * @returns the parsed value
 * @throws AcquireError `CORRUPT_RECORD` when the bytes are not JSON or fail the shape check
 */
export function decodeJson<T = unknown>(
  bytes: Uint8Array,
  key: string,
  parse?: RecordParser<T>,
): T {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes));
  } catch (cause) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, `record ${key} is not valid JSON`, { cause });
  }
  if (parse === undefined) {
    return value as T;
  }
  try {
    return parse(value);
  } catch (cause) {
    throw new AcquireError(ErrorCode.CORRUPT_RECORD, `record ${key} has an unexpected shape`, {
      cause,
    });
  }
}

/**
 * Reads and parses a JSON record.
 *
 * @param store - the store
 * @param key - the key
 * @param parse - an optional shape check
 * @returns the value and version, or `undefined` when absent
 * @throws AcquireError `CORRUPT_RECORD` when the record is not valid
 */
export async function readJson<T = unknown>(
  store: ObjectStore,
  key: string,
  parse?: RecordParser<T>,
): Promise<VersionedJson<T> | undefined> {
  const stored = await store.read(key);
  if (stored === undefined) {
    return undefined;
  }
  return { value: decodeJson(stored.value, key, parse), version: stored.version };
}

/**
 * Writes a JSON record unconditionally.
 *
 * @param store - the store
 * @param key - the key
 * @param value - any JSON-serialisable value
 * @returns the new version
 */
export function writeJson(store: ObjectStore, key: string, value: unknown): Promise<string> {
  return store.write(key, encodeJson(value));
}

/**
 * Writes a JSON record only when the key is empty.
 *
 * @param store - the store
 * @param key - the key
 * @param value - any JSON-serialisable value
 * @returns the new version
 * @throws AcquireError `PRECONDITION_FAILED` when the key holds an object
 */
export function writeJsonIfAbsent(
  store: ObjectStore,
  key: string,
  value: unknown,
): Promise<string> {
  return store.writeIfAbsent(key, encodeJson(value));
}

/**
 * Writes a JSON record only when the stored version matches.
 *
 * @param store - the store
 * @param key - the key
 * @param value - any JSON-serialisable value
 * @param version - the version that was read
 * @returns the new version
 * @throws AcquireError `PRECONDITION_FAILED` when the version differs
 */
export function writeJsonIfVersion(
  store: ObjectStore,
  key: string,
  value: unknown,
  version: string,
): Promise<string> {
  return store.writeIfVersion(key, encodeJson(value), version);
}

/**
 * Reads a UTF-8 text object.
 *
 * @param store - the store
 * @param key - the key
 * @returns the text and version, or `undefined` when absent
 */
export async function readText(
  store: ObjectStore,
  key: string,
): Promise<VersionedJson<string> | undefined> {
  const stored = await store.read(key);
  return stored === undefined
    ? undefined
    : { value: utf8Decode(stored.value), version: stored.version };
}

/**
 * Writes a UTF-8 text object.
 *
 * @param store - the store
 * @param key - the key
 * @param text - the text
 * @returns the new version
 */
export function writeText(store: ObjectStore, key: string, text: string): Promise<string> {
  return store.write(key, utf8Encode(text));
}

/**
 * Compare-and-swap retries are bounded: under heavy contention each round has one winner, so
 * 200 rounds let far more racing writers than a real deployment has all make progress.
 */
export const CAS_ATTEMPTS_MAX = 200;

/** The back-off between attempts grows to this cap, with jitter, so racers spread out. */
export const CAS_BACKOFF_MS_MAX = 20;

/** Options for {@link updateJson}. */
export interface UpdateJsonOptions<T> {
  /** An optional shape check for the stored record. */
  parse?: RecordParser<T>;
  /** The most attempts before giving up. @default CAS_ATTEMPTS_MAX */
  attemptsMax?: number;
}

/**
 * Reads a JSON record, computes a new value and writes it back only if nobody wrote in between,
 * retrying on conflict. `change` receives `undefined` when the record is absent, and may return
 * `undefined` to leave the record as it is.
 *
 * @param store - the store
 * @param key - the key
 * @param change - a pure function from the current value to the next one
 * @param options - shape check and attempt limit
 * @returns the value now stored (or left as is), or `undefined` when absent and left so
 * @throws AcquireError `PRECONDITION_FAILED` when every attempt lost a race
 */
export async function updateJson<T>(
  store: ObjectStore,
  key: string,
  change: (current: T | undefined) => T | undefined,
  options: UpdateJsonOptions<T> = {},
): Promise<T | undefined> {
  const attemptsMax = options.attemptsMax ?? CAS_ATTEMPTS_MAX;

  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const current = await readJson(store, key, options.parse);
    const next = change(current?.value);
    if (next === undefined) {
      return current?.value;
    }

    try {
      if (current === undefined) {
        await writeJsonIfAbsent(store, key, next);
      } else {
        await writeJsonIfVersion(store, key, next, current.version);
      }
      return next;
    } catch (error) {
      if (!AcquireError.is(error, ErrorCode.PRECONDITION_FAILED)) {
        throw error;
      }
      await backOff(attempt);
    }
  }

  throw new AcquireError(
    ErrorCode.PRECONDITION_FAILED,
    `record ${key} kept changing; gave up after ${attemptsMax} attempts`,
    { details: { key } },
  );
}

/**
 * Waits a random time that grows with the attempt number, up to {@link CAS_BACKOFF_MS_MAX}.
 *
 * @param attempt - how many attempts have failed so far, from 0
 * @returns a promise that settles after the wait
 */
export function backOff(attempt: number): Promise<void> {
  const ceilingMs = Math.min(CAS_BACKOFF_MS_MAX, 2 ** attempt);
  const delayMs = ((randomBytes(1)[0] as number) / 255) * ceilingMs;
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}
