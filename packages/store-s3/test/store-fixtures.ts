/**
 * Helpers shared by the S3 store tests: fresh prefixes, raw listings that go around the store,
 * and a logger that remembers what it was told.
 *
 * @module
 */

import { base64UrlEncode, type Logger, randomBytes } from '@acquire/core';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/**
 * A prefix no other test uses, so stores in one bucket never see each other's keys.
 *
 * @param label - names the test in the bucket
 * @returns the prefix
 */
export function freshPrefix(label: string): string {
  return `${label}/${base64UrlEncode(randomBytes(9))}`;
}

/**
 * Lists every object key and size under a prefix with the SDK, around the store.
 *
 * @param client - an S3 client
 * @param bucket - the bucket
 * @param prefix - an object-key prefix
 * @returns object keys and sizes in listing order
 */
export async function rawListing(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ key: string; size: number }[]> {
  const objects: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const entry of page.Contents ?? []) {
      objects.push({ key: entry.Key ?? '', size: entry.Size ?? -1 });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** A log line a {@link RecordingLogger} kept. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

/** A logger that keeps every line, for tests. */
export interface RecordingLogger extends Logger {
  /** Every line so far. */
  readonly lines: LogLine[];
}

/**
 * Makes a logger that keeps every line.
 *
 * @returns the logger
 */
export function createRecordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (fields: LogLine['fields'], message: string): void => {
      lines.push({ level, fields, message });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
