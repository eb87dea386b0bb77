/**
 * Moving an object's bytes through a pre-signed URL from `presign_object`, in the object frame
 * the S3 store keeps (a header with a random write id and the value's SHA-256, then the value;
 * see `encodeValueFrame` in `@acquire/core`). An object uploaded here reads back through
 * `read_object`, and one written through `write_object` downloads here; raw bytes would not.
 *
 * @module
 */

import {
  AcquireError,
  assertStoreValue,
  decodeObjectFrame,
  ErrorCode,
  encodeValueFrame,
  type FetchFunction,
  type FetchLimits,
  fetchWithLimits,
  globalFetch,
  HttpStatus,
  OBJECT_FRAME_HEADER_BYTES,
} from '@acquire/core';

/**
 * Two minutes for one transfer, headers and body together: a large object over a slow link
 * takes a while, and a stalled one should still end.
 */
export const PRESIGNED_TRANSFER_TIMEOUT_MS_DEFAULT = 120_000;

/**
 * The largest value a download accepts unless told otherwise: 64 MiB, since the whole value is
 * held in memory.
 */
export const PRESIGNED_DOWNLOAD_BYTES_MAX_DEFAULT: number = 64 * 1024 * 1024;

/** An upload's answer is empty or a short S3 error document; anything longer is refused. */
const UPLOAD_ANSWER_BYTES_MAX = 64 * 1024;

/** Options for {@link uploadThroughPresignedUrl}. */
export interface PresignedTransferOptions {
  /** How to reach the storage. @default globalThis.fetch */
  readonly fetchImpl?: FetchFunction;
  /** Give up after this long. @default PRESIGNED_TRANSFER_TIMEOUT_MS_DEFAULT */
  readonly timeoutMs?: number;
  /** Abort when this signal aborts. */
  readonly signal?: AbortSignal;
}

/** Options for {@link downloadThroughPresignedUrl}. */
export interface PresignedDownloadOptions extends PresignedTransferOptions {
  /** Refuse a larger value. @default PRESIGNED_DOWNLOAD_BYTES_MAX_DEFAULT */
  readonly valueBytesMax?: number;
}

/** What a download found: the value, or nothing under the URL's key. */
export type PresignedDownload =
  | {
      /** The object is there. */
      readonly found: true;
      /** Its value, checked against its SHA-256. */
      readonly value: Uint8Array;
    }
  | {
      /** No object, or only a tombstone, under the URL's key. */
      readonly found: false;
    };

/**
 * Frames a value with a fresh write id and uploads it through a pre-signed `PUT` URL, replacing
 * any earlier object under the URL's key.
 *
 * @param url - a `PUT` URL from `presign_object`
 * @param value - the bytes to store
 * @param options - fetch, time limit and abort signal
 * @throws AcquireError `INVALID_ARGUMENT` for a URL that is not http(s) or a value that is not a
 *   Uint8Array; `ACCESS_URL_REFUSED` when the storage refuses the upload (an expired or altered
 *   URL, or a storage failure); `CALL_TIMEOUT` or `SERVICE_UNREACHABLE` when it does not answer.
 *   Messages name the URL without its query, which holds the signature.
 * @example
 * ```ts
 * import { createAccessClient, uploadThroughPresignedUrl } from '@acquire/client';
 *
 * const access = createAccessClient('https://access.example.com');
 * const { url } = await access.presignObject({ grant, key: 'photos/cat.jpg', method: 'PUT' });
 * await uploadThroughPresignedUrl(url, pictureBytes);
 * ```
 */
export async function uploadThroughPresignedUrl(
  url: string,
  value: Uint8Array,
  options: PresignedTransferOptions = {},
): Promise<void> {
  const label = urlLabel(url);
  assertStoreValue(value);
  const { body } = await encodeValueFrame(value);

  const answer = await fetchWithLimits(
    options.fetchImpl ?? globalFetch,
    url,
    { method: 'PUT', body },
    limitsOf(options, label, UPLOAD_ANSWER_BYTES_MAX),
  );
  if (!isSuccess(answer.status)) {
    throw refused(label, answer.status);
  }
}

/**
 * Downloads an object through a pre-signed `GET` URL and checks its frame and checksum.
 *
 * @param url - a `GET` URL from `presign_object`
 * @param options - fetch, time limit, abort signal and the largest value accepted
 * @returns the value, or `{ found: false }` when the storage has no object under the key (or only
 *   a tombstone, which the S3 store reads as absent too)
 * @throws AcquireError `INVALID_ARGUMENT` for a URL that is not http(s) or a bad size limit;
 *   `CORRUPT_RECORD` when the object is not framed, cut short, or does not match its checksum;
 *   `ACCESS_OBJECT_TOO_LARGE` when the value is over `valueBytesMax`; `ACCESS_URL_REFUSED` when
 *   the storage refuses the URL (S3 answers 403 also for a missing object when the signer may not
 *   list the bucket); `CALL_TIMEOUT` or `SERVICE_UNREACHABLE` when it does not answer
 * @example
 * ```ts
 * import { createAccessClient, downloadThroughPresignedUrl } from '@acquire/client';
 *
 * const access = createAccessClient('https://access.example.com');
 * const { url } = await access.presignObject({ grant, key: 'photos/cat.jpg', method: 'GET' });
 * const picture = await downloadThroughPresignedUrl(url);
 * ```
 */
export async function downloadThroughPresignedUrl(
  url: string,
  options: PresignedDownloadOptions = {},
): Promise<PresignedDownload> {
  const label = urlLabel(url);
  const valueBytesMax = options.valueBytesMax ?? PRESIGNED_DOWNLOAD_BYTES_MAX_DEFAULT;
  if (!Number.isSafeInteger(valueBytesMax) || valueBytesMax < 0) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'valueBytesMax must be a whole number ≥ 0');
  }

  const answer = await fetchWithLimits(
    options.fetchImpl ?? globalFetch,
    url,
    { method: 'GET' },
    {
      ...limitsOf(options, label, valueBytesMax + OBJECT_FRAME_HEADER_BYTES),
      bodyTooLargeCode: ErrorCode.ACCESS_OBJECT_TOO_LARGE,
    },
  );
  // S3 answers a missing object with 404 when the signer may list the bucket, else with 403.
  if (answer.status === HttpStatus.NOT_FOUND) {
    return { found: false };
  }
  if (!isSuccess(answer.status)) {
    throw refused(label, answer.status);
  }

  const decoded = await decodeObjectFrame(answer.body, label);
  return decoded.kind === 'tombstone' ? { found: false } : { found: true, value: decoded.value };
}

/** The URL without its query and fragment, to name it in errors without its signature. */
function urlLabel(url: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(String(url));
  } catch {
    parsed = undefined;
  }
  if (
    typeof url !== 'string' ||
    parsed === undefined ||
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
  ) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'url must be an http or https URL');
  }
  return `${parsed.origin}${parsed.pathname}`;
}

function limitsOf(
  options: PresignedTransferOptions,
  label: string,
  bodyBytesMax: number,
): FetchLimits {
  const timeoutMs = options.timeoutMs ?? PRESIGNED_TRANSFER_TIMEOUT_MS_DEFAULT;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new AcquireError(ErrorCode.INVALID_ARGUMENT, 'timeoutMs must be a whole number ≥ 1');
  }
  return {
    timeoutMs,
    bodyBytesMax,
    urlLabel: label,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function refused(label: string, status: number): AcquireError {
  return new AcquireError(ErrorCode.ACCESS_URL_REFUSED, `${label} refused with HTTP ${status}`, {
    details: { url: label, httpStatus: status },
  });
}
