/**
 * The object store on S3 and S3-compatible servers.
 *
 * @module
 */

import {
  AcquireError,
  assertDeleteOptions,
  assertStoreValue,
  assertValidKey,
  type DeleteOptions,
  decodeObjectFrame,
  ErrorCode,
  encodeValueFrame,
  type ListPage,
  type ListPageOptions,
  OBJECT_FRAME_HEADER_BYTES,
  type ObjectStore,
  type StoreCapabilities,
  type StoredObject,
} from '@acquire/core';
import { probeServer, type S3ServerSupport } from './capability-check.js';
import {
  deleteIfVersion,
  putIfAbsent,
  putIfVersion,
  type WriteMode,
} from './conditional-writes.js';
import { toObjectKey } from './object-keys.js';
import { type PresignedUrlOptions, presignObjectUrl } from './presign.js';
import { checkListArguments, listObjectPage } from './s3-listing.js';
import {
  type ConditionalOutcome,
  deleteObject,
  getObject,
  putObject,
  type S3Target,
} from './s3-objects.js';
import {
  type ResolvedS3StoreOptions,
  resolveS3StoreOptions,
  type S3StoreOptions,
} from './s3-store-options.js';

/** A single PutObject carries at most 5 GiB (S3 user guide, "Uploading objects"). */
export const S3_PUT_BYTES_MAX: number = 5 * 1024 ** 3;

/** The largest value: a single PutObject, less the store's header. */
export const S3_VALUE_BYTES_MAX: number = S3_PUT_BYTES_MAX - OBJECT_FRAME_HEADER_BYTES;

/** ETags are short quoted strings; anything longer than this is not a version the store gave. */
export const VERSION_LENGTH_MAX_CHARS = 256;

/** Versions travel in an HTTP header, so they must be visible ASCII (RFC 9110 §8.8.3). */
const VERSION_PATTERN = /^[\x21-\x7e]+$/;

/** An {@link ObjectStore} on S3, with its S3-specific extras. */
export interface S3Store extends ObjectStore {
  /** The bucket the store uses. */
  readonly bucket: string;
  /** The store prefix, `''` for none. */
  readonly prefix: string;

  /**
   * Runs the capability check now instead of on first use (it runs once per store). Call it at
   * start-up to fail fast; `capabilities` is exact only after it.
   *
   * @returns what the server supports
   * @throws AcquireError `STORE_UNSUPPORTED` when the server ignores conditional writes and the
   *   store was not created with `unsafeAllowNonConditionalServer`; `STORE_UNAVAILABLE` when the
   *   server cannot be reached (the check runs again next time)
   */
  checkCapabilities(): Promise<S3ServerSupport>;

  /**
   * Makes a pre-signed URL for one key, so that a client without credentials can GET or PUT the
   * object directly. The URL addresses the raw S3 object, which holds the object frame (a 53-byte
   * header, then the value; see `encodeValueFrame` in `@acquire/core`). Move bytes through it
   * with `uploadThroughPresignedUrl` and `downloadThroughPresignedUrl` from `@acquire/client`,
   * which frame and check them, and the store reads what went up the URL and the other way round;
   * unframed bytes PUT through the URL read as `CORRUPT_RECORD`.
   *
   * @param key - a valid key
   * @param options - `GET` or `PUT`, the lifetime in seconds, and optionally the signing time
   * @returns the URL
   * @throws AcquireError `INVALID_KEY`, `INVALID_ARGUMENT`, or `STORE_UNAVAILABLE` when the client
   *   cannot sign
   */
  presignUrl(key: string, options: PresignedUrlOptions): Promise<string>;
}

/**
 * Creates an object store on an S3 bucket, for deployments where several service instances share
 * state.
 *
 * On first use the store proves that the server honours conditional writes (`If-None-Match: *`
 * and `If-Match` on PutObject) by making probe writes that must fail. A server that ignores them
 * makes every operation throw `STORE_UNSUPPORTED`, unless `unsafeAllowNonConditionalServer` is
 * set. Supported: AWS S3 (`If-None-Match` since August 2024, `If-Match` since November 2024,
 * conditional deletes since September 2025), MinIO and Cloudflare R2 (conditional PutObject); on
 * servers without `If-Match` on DeleteObject, a conditional delete leaves a small tombstone object
 * that reads as absent.
 *
 * Each object holds a header with a random write id and the value's SHA-256 before the value, so
 * every write gets a fresh ETag (the version) and tampering is detected as `CORRUPT_RECORD`.
 *
 * @param options - bucket, prefix, and a client or connection settings
 * @returns the store
 * @throws AcquireError `INVALID_ARGUMENT` or `INVALID_KEY` for bad options
 * @example
 * ```ts
 * import { createS3Store } from '@acquire/store-s3';
 *
 * const store = createS3Store({
 *   bucket: 'acquire',
 *   prefix: 'production',
 *   endpoint: 'http://127.0.0.1:9000',
 *   forcePathStyle: true,
 *   credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
 * });
 * await store.checkCapabilities();
 * const version = await store.writeIfAbsent('names/alice', new TextEncoder().encode('claimed'));
 * ```
 */
export function createS3Store(options: S3StoreOptions): S3Store {
  return new S3ObjectStore(resolveS3StoreOptions(options));
}

class S3ObjectStore implements S3Store {
  readonly bucket: string;
  readonly prefix: string;
  readonly #options: ResolvedS3StoreOptions;
  readonly #target: S3Target;
  #support: S3ServerSupport | undefined;
  #probing: Promise<S3ServerSupport> | undefined;

  constructor(options: ResolvedS3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.#options = options;
    this.#target = { client: options.client, bucket: options.bucket };
  }

  get capabilities(): StoreCapabilities {
    const atomic =
      this.#support?.conditionalWrites ?? !this.#options.unsafeAllowNonConditionalServer;
    return { atomicConditionalWrites: atomic, durable: true, sharedAcrossProcesses: true };
  }

  async checkCapabilities(): Promise<S3ServerSupport> {
    await this.#ready();
    return this.#support as S3ServerSupport;
  }

  async read(key: string): Promise<StoredObject | undefined> {
    assertValidKey(key);
    await this.#ready();

    const found = await getObject(this.#target, this.#objectKey(key));
    if (found === undefined) {
      return undefined;
    }
    const decoded = await decodeObjectFrame(found.body, key);
    return decoded.kind === 'tombstone' ? undefined : { value: decoded.value, version: found.etag };
  }

  async write(key: string, value: Uint8Array): Promise<string> {
    assertValidKey(key);
    assertValidValue(value);
    const encoded = await encodeValueFrame(value);
    await this.#ready();

    const written = await putObject(this.#target, this.#objectKey(key), encoded.body);
    return versionOrThrow(written, key);
  }

  async writeIfAbsent(key: string, value: Uint8Array): Promise<string> {
    assertValidKey(key);
    assertValidValue(value);
    const encoded = await encodeValueFrame(value);
    const mode = await this.#ready();

    return versionOrThrow(
      await putIfAbsent(this.#target, mode, this.#objectKey(key), encoded),
      key,
    );
  }

  async writeIfVersion(key: string, value: Uint8Array, version: string): Promise<string> {
    assertValidKey(key);
    assertValidValue(value);
    assertValidVersion(version);
    const encoded = await encodeValueFrame(value);
    const mode = await this.#ready();

    const objectKey = this.#objectKey(key);
    return versionOrThrow(await putIfVersion(this.#target, mode, objectKey, encoded, version), key);
  }

  async delete(key: string, options?: DeleteOptions): Promise<void> {
    assertValidKey(key);
    assertDeleteOptions(options);
    const ifVersion = options?.ifVersion;
    if (ifVersion !== undefined) {
      assertValidVersion(ifVersion);
    }
    const mode = await this.#ready();

    const objectKey = this.#objectKey(key);
    const deleted =
      ifVersion === undefined
        ? await deleteObject(this.#target, objectKey)
        : await deleteIfVersion(this.#target, mode, objectKey, ifVersion);
    versionOrThrow(deleted, key);
  }

  async listPage(prefix: string, options: ListPageOptions = {}): Promise<ListPage> {
    checkListArguments(prefix, options);
    await this.#ready();
    return listObjectPage(this.#target, this.prefix, prefix, options);
  }

  async presignUrl(key: string, options: PresignedUrlOptions): Promise<string> {
    assertValidKey(key);
    return presignObjectUrl(this.#target, this.#objectKey(key), options);
  }

  #objectKey(key: string): string {
    return toObjectKey(this.prefix, key);
  }

  /** Runs the capability check once, then refuses or picks the write mode. */
  async #ready(): Promise<WriteMode> {
    const support = this.#support ?? (await this.#probe());
    if (!support.conditionalWrites && !this.#options.unsafeAllowNonConditionalServer) {
      throw unsupportedServer(this.bucket, support);
    }
    return {
      emulateConditions: !support.conditionalWrites,
      conditionalDeletes: support.conditionalDeletes,
    };
  }

  #probe(): Promise<S3ServerSupport> {
    this.#probing ??= probeServer(this.#target, this.prefix).then(
      (support) => {
        this.#support = support;
        this.#logSupport(support);
        return support;
      },
      (error: unknown) => {
        this.#probing = undefined;
        throw error;
      },
    );
    return this.#probing;
  }

  #logSupport(support: S3ServerSupport): void {
    const fields = { bucket: this.bucket, prefix: this.prefix, missing: support.missing };
    if (!support.conditionalWrites && this.#options.unsafeAllowNonConditionalServer) {
      this.#options.logger.warn(
        fields,
        'S3 server ignores conditional writes; running anyway with racy read-then-write checks',
      );
    } else if (!support.conditionalDeletes) {
      this.#options.logger.info(
        fields,
        'S3 server ignores If-Match on DeleteObject; conditional deletes write tombstones',
      );
    }
  }
}

function versionOrThrow(outcome: ConditionalOutcome, key: string): string {
  if (outcome.outcome === 'done') {
    return outcome.etag;
  }
  throw new AcquireError(
    ErrorCode.PRECONDITION_FAILED,
    `the condition on ${key} does not hold: it exists, is absent, or has another version`,
    { details: { key } },
  );
}

function unsupportedServer(bucket: string, support: S3ServerSupport): AcquireError {
  return new AcquireError(
    ErrorCode.STORE_UNSUPPORTED,
    `the S3 server of bucket ${bucket} does not honour conditional writes: ` +
      `${support.missing.join('; ')}. Without them concurrent writers can corrupt state, so ` +
      'the store refuses to run. Use a server that honours them (AWS S3, MinIO, Cloudflare R2), ' +
      'or set unsafeAllowNonConditionalServer only if a single writer ever uses this prefix.',
    { details: { bucket, missing: support.missing } },
  );
}

function assertValidValue(value: unknown): void {
  assertStoreValue(value);
  if (value.length > S3_VALUE_BYTES_MAX) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `value must be at most ${S3_VALUE_BYTES_MAX} bytes, the most one S3 PutObject carries`,
    );
  }
}

function assertValidVersion(version: unknown): void {
  if (
    typeof version !== 'string' ||
    version.length > VERSION_LENGTH_MAX_CHARS ||
    !VERSION_PATTERN.test(version)
  ) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `version must be 1 to ${VERSION_LENGTH_MAX_CHARS} visible ASCII characters, ` +
        'as the store returns',
    );
  }
}
