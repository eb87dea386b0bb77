/**
 * The options of {@link createS3Store}, their checks, and the S3 client the store builds when the
 * caller does not pass one.
 *
 * @module
 */

import { AcquireError, ErrorCode, type Logger, parseInput, silentLogger } from '@acquire/core';
import { S3Client } from '@aws-sdk/client-s3';
import * as v from 'valibot';
import { assertValidStorePrefix } from './object-keys.js';

/** Most S3-compatible servers name buckets in 3 to 63 characters; 255 leaves room for the rest. */
export const BUCKET_NAME_LENGTH_MAX_CHARS = 255;

/** A request that has not finished after 30 seconds is failed, so a hung server cannot hang us. */
export const S3_REQUEST_TIMEOUT_MS = 30_000;

/** Connecting takes milliseconds on a healthy network; 5 seconds means the server is away. */
export const S3_CONNECTION_TIMEOUT_MS = 5000;

/** S3-compatible servers mostly ignore the region, but SigV4 signatures need one. */
export const S3_REGION_DEFAULT = 'us-east-1';

/** Static credentials for an S3-compatible server. */
export interface S3Credentials {
  /** The access key id. */
  accessKeyId: string;
  /** The secret access key. Never logged or put in an error message. */
  secretAccessKey: string;
  /** A session token, for temporary credentials. */
  sessionToken?: string;
}

/** Options for {@link createS3Store}. */
export interface S3StoreOptions {
  /** The bucket. It must exist; the store never creates buckets. */
  bucket: string;
  /**
   * Keys are stored under `${prefix}/`. Stores sharing a bucket must use prefixes that do not
   * nest (`a` and `b`, not `a` and `a/b`). At most {@link STORE_PREFIX_LENGTH_MAX_BYTES} bytes.
   * @default ''
   */
  prefix?: string;
  /**
   * A ready S3 client. When given, `endpoint`, `region`, `credentials` and `forcePathStyle` must be
   * left out, and the client is used as it is.
   */
  client?: S3Client;
  /** The server's URL, for S3-compatible services (`http://127.0.0.1:9000` for a local MinIO). */
  endpoint?: string;
  /**
   * The region to sign for.
   * @default the SDK's default chain (`AWS_REGION`, profiles), or `us-east-1` with an `endpoint`
   */
  region?: string;
  /** Static credentials. @default the SDK's default credential chain */
  credentials?: S3Credentials;
  /** Address buckets in the path instead of the host name (MinIO, s3rver). @default false */
  forcePathStyle?: boolean;
  /**
   * Run even on a server that ignores conditional writes. The store then checks conditions by
   * reading before writing, which is racy: two processes (or two concurrent calls) can both
   * "create" the same key, both win a compare-and-swap, and silently lose each other's writes.
   * Only for a single writer, or for test servers.
   * @default false
   */
  unsafeAllowNonConditionalServer?: boolean;
  /** Receives a warning when the store runs without atomic conditional writes. @default silent */
  logger?: Logger;
}

/** Options after checking, with defaults applied. */
export interface ResolvedS3StoreOptions {
  /** The bucket. */
  readonly bucket: string;
  /** The store prefix, `''` for none. */
  readonly prefix: string;
  /** The client to use. */
  readonly client: S3Client;
  /** Whether to run on a server without conditional writes. */
  readonly unsafeAllowNonConditionalServer: boolean;
  /** Where warnings go. */
  readonly logger: Logger;
}

const nonEmptyString = v.pipe(v.string(), v.minLength(1));

const OptionsSchema = v.strictObject({
  bucket: v.pipe(
    v.string(),
    v.minLength(1),
    v.maxLength(BUCKET_NAME_LENGTH_MAX_CHARS),
    v.regex(/^[^/]+$/, 'a name without "/"'),
  ),
  prefix: v.optional(v.string(), ''),
  client: v.optional(v.custom<S3Client>(isS3Client, 'an S3Client')),
  endpoint: v.optional(v.pipe(v.string(), v.url())),
  region: v.optional(nonEmptyString),
  credentials: v.optional(
    v.object({
      accessKeyId: nonEmptyString,
      secretAccessKey: nonEmptyString,
      sessionToken: v.optional(nonEmptyString),
    }),
  ),
  forcePathStyle: v.optional(v.boolean()),
  unsafeAllowNonConditionalServer: v.optional(v.boolean(), false),
  logger: v.optional(v.custom<Logger>(isLogger, 'a logger with debug, info, warn and error')),
});

/**
 * Checks the options and builds the client when none was passed.
 *
 * @param options - what the caller passed
 * @returns the options to run with
 * @throws AcquireError `INVALID_ARGUMENT` for malformed options (the message names the fields,
 *   never their values), `INVALID_KEY` for a malformed prefix
 */
export function resolveS3StoreOptions(options: S3StoreOptions): ResolvedS3StoreOptions {
  const parsed = parseInput(OptionsSchema, options, 'S3 store options');
  assertValidStorePrefix(parsed.prefix);
  const connection = [parsed.endpoint, parsed.region, parsed.credentials, parsed.forcePathStyle];
  if (parsed.client !== undefined && connection.some((option) => option !== undefined)) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'S3 store options are invalid: pass either client or endpoint, region, credentials and ' +
        'forcePathStyle, not both',
    );
  }

  return {
    bucket: parsed.bucket,
    prefix: parsed.prefix,
    client: parsed.client ?? createS3Client(parsed),
    unsafeAllowNonConditionalServer: parsed.unsafeAllowNonConditionalServer,
    logger: parsed.logger ?? silentLogger,
  };
}

function createS3Client(options: v.InferOutput<typeof OptionsSchema>): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region ?? (options.endpoint === undefined ? undefined : S3_REGION_DEFAULT),
    credentials: options.credentials,
    forcePathStyle: options.forcePathStyle,
    // Since early 2025 the SDK adds CRC checksums to every upload by default; servers that predate
    // them (s3rver, older MinIO and Ceph releases) reject such uploads. The store checks bodies
    // with its own SHA-256 instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      requestTimeout: S3_REQUEST_TIMEOUT_MS,
      connectionTimeout: S3_CONNECTION_TIMEOUT_MS,
    },
  });
}

function isS3Client(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && typeof Reflect.get(value, 'send') === 'function'
  );
}

function isLogger(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error'].every(
      (level) => typeof Reflect.get(value, level) === 'function',
    )
  );
}
