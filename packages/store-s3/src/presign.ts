/**
 * Pre-signed URLs: time-limited links that let someone without credentials GET or PUT one object
 * directly on the S3 server (AWS Signature Version 4 in the query string).
 *
 * @module
 */

import { AcquireError, ErrorCode } from '@acquire/core';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Target } from './s3-objects.js';

/**
 * SigV4 query-string signatures are valid for at most seven days (AWS S3 API reference,
 * "Authenticating Requests: Using Query Parameters").
 */
export const PRESIGNED_URL_EXPIRY_S_MAX = 604_800;

/** Fifteen minutes: long enough to start a transfer, short enough that a leaked link soon dies. */
export const PRESIGNED_URL_EXPIRY_S_DEFAULT = 900;

/** Options for a pre-signed URL. */
export interface PresignedUrlOptions {
  /** `GET` to download the object, `PUT` to upload it. */
  method: 'GET' | 'PUT';
  /**
   * Seconds the URL stays valid, a whole number from 1 to {@link PRESIGNED_URL_EXPIRY_S_MAX}.
   * @default PRESIGNED_URL_EXPIRY_S_DEFAULT
   */
  expiresInS?: number;
  /**
   * The time the signature is dated, in ms since the Unix epoch. SigV4 dates it to the whole
   * second (`X-Amz-Date`), and the URL works until that second plus `expiresInS`, so an earlier
   * date makes the URL stop at an exact time.
   * @default now
   */
  signedAtMs?: number;
}

/**
 * Signs a URL for one object.
 *
 * @param target - client and bucket
 * @param objectKey - the full object key, store prefix included
 * @param options - method and lifetime
 * @returns the URL
 * @throws AcquireError `INVALID_ARGUMENT` for a bad method, lifetime or signing time;
 *   `STORE_UNAVAILABLE` when the client cannot sign (for example, it has no credentials)
 */
export async function presignObjectUrl(
  target: S3Target,
  objectKey: string,
  options: PresignedUrlOptions,
): Promise<string> {
  const expiresIn = options.expiresInS ?? PRESIGNED_URL_EXPIRY_S_DEFAULT;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > PRESIGNED_URL_EXPIRY_S_MAX) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      `expiresInS must be a whole number from 1 to ${PRESIGNED_URL_EXPIRY_S_MAX}`,
    );
  }

  const signedAtMs = options.signedAtMs;
  if (signedAtMs !== undefined && !(Number.isSafeInteger(signedAtMs) && signedAtMs >= 0)) {
    throw new AcquireError(
      ErrorCode.INVALID_ARGUMENT,
      'signedAtMs must be a whole number of ms since the Unix epoch',
    );
  }

  const input = { Bucket: target.bucket, Key: objectKey };
  const command = presignedCommand(options.method, input);
  const signingDate = signedAtMs === undefined ? undefined : new Date(signedAtMs);
  try {
    return await getSignedUrl(target.client, command, { expiresIn, signingDate });
  } catch (error) {
    throw new AcquireError(ErrorCode.STORE_UNAVAILABLE, 'could not sign an S3 URL', {
      cause: error,
    });
  }
}

function presignedCommand(
  method: unknown,
  input: { Bucket: string; Key: string },
): GetObjectCommand | PutObjectCommand {
  switch (method) {
    case 'GET':
      return new GetObjectCommand(input);
    case 'PUT':
      return new PutObjectCommand(input);
    default:
      throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'method must be "GET" or "PUT"');
  }
}
