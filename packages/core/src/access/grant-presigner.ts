/**
 * The optional part an S3 deployment plugs into the access service: something that turns a
 * grant into pre-signed URLs the storage itself checks (AWS S3 docs, "Sharing objects with
 * presigned URLs" and "Browser-based uploads using POST"). With a presigner a client may go
 * straight to the storage; without one it uses the grant token with the access service's
 * storage functions.
 *
 * A SigV4 query-string signature covers one request to one object key, so a presigner signs
 * grant-wide URLs only where the storage has a way to limit them to a prefix, and signs URLs for
 * single objects on request (`presign_object`).
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from '../errors.js';
import type { AccessMode } from './access-permissions.js';

/**
 * Pre-signed URLs are refused beyond this length: 8 KiB is the request-line limit of common HTTP
 * servers and proxies, so a longer URL would not reach the storage.
 */
export const PRESIGNED_URL_LENGTH_MAX_CHARS = 8192;

/** What a presigner is asked to sign. */
export interface PresignRequest {
  /** The grant the URLs belong to, for the presigner's logs. */
  readonly grantId: string;
  /** The user the grant was issued to. */
  readonly userUid: string;
  /** The key prefix (whole segments) the URLs must be limited to. */
  readonly prefix: string;
  /** `read` must give no URL that changes storage. */
  readonly mode: AccessMode;
  /** The URLs must stop working at or before this time, in ms since the Unix epoch. */
  readonly expiresAtMs: number;
}

/**
 * Pre-signed URLs for one grant, each limited to the grant's prefix and lifetime. How a URL
 * names an object under the prefix is the presigner's own contract (for example an S3 POST
 * policy with a `starts-with` key condition for uploads, or a listing URL with a fixed
 * `prefix` parameter); the access service passes the URLs on unchanged.
 */
export interface PresignedGrantUrls {
  /** Lists keys under the prefix. */
  readonly list?: string;
  /** Reads objects under the prefix. */
  readonly get?: string;
  /** Writes objects under the prefix; only for `read_write` grants. */
  readonly put?: string;
  /** Deletes objects under the prefix; only for `read_write` grants. */
  readonly delete?: string;
}

/** The HTTP methods a URL for one object may be signed for: download and upload. */
export const PRESIGN_METHODS: readonly ['GET', 'PUT'] = ['GET', 'PUT'];

/** `GET` downloads one object, `PUT` uploads it. */
export type PresignMethod = (typeof PRESIGN_METHODS)[number];

/** What a presigner is asked to sign for one object. */
export interface PresignObjectRequest {
  /** The grant the URL belongs to, for the presigner's logs. */
  readonly grantId: string;
  /** The user the grant was issued to. */
  readonly userUid: string;
  /** The object's full store key, already checked to lie under the grant's prefix. */
  readonly key: string;
  /** `PUT` only for a `read_write` grant, and never for the bucket's marker. */
  readonly method: PresignMethod;
  /** The URL must stop working at or before this time, in ms since the Unix epoch. */
  readonly expiresAtMs: number;
}

/** A URL for one object, and when it stops working. */
export interface PresignedObjectUrl {
  /** The URL, at most {@link PRESIGNED_URL_LENGTH_MAX_CHARS} long. */
  readonly url: string;
  /**
   * When the storage stops honouring the URL, in ms since the Unix epoch; at most the requested
   * expiry, earlier when the storage caps URL lifetimes or rounds them.
   */
  readonly expiresAtMs: number;
}

/** Signs URLs for grants. An S3 adapter provides one; other stores have none. */
export interface GrantPresigner {
  /**
   * Signs URLs for one grant.
   *
   * @param request - the grant's prefix, mode and expiry
   * @returns the URLs; leave out any the storage cannot offer
   */
  presign(request: PresignRequest): Promise<PresignedGrantUrls>;

  /**
   * Signs a URL for one object under a grant's prefix, for `presign_object`. Leave it out when
   * the storage cannot sign single objects; `presign_object` then refuses.
   *
   * @param request - the object's full key, the method and the latest expiry
   * @returns the URL and when it stops working
   */
  presignObject?(request: PresignObjectRequest): Promise<PresignedObjectUrl>;
}

const URL_SCHEMA = v.pipe(v.string(), v.maxLength(PRESIGNED_URL_LENGTH_MAX_CHARS), v.url());

const PRESIGNED_URL_SCHEMA = v.optional(URL_SCHEMA);

const PRESIGNED_OBJECT_URL_SCHEMA = v.strictObject({
  url: URL_SCHEMA,
  expiresAtMs: v.pipe(v.number(), v.safeInteger()),
});

const PRESIGNED_URLS_SCHEMA = v.strictObject({
  list: PRESIGNED_URL_SCHEMA,
  get: PRESIGNED_URL_SCHEMA,
  put: PRESIGNED_URL_SCHEMA,
  delete: PRESIGNED_URL_SCHEMA,
});

/**
 * Asks a presigner for a grant's URLs and checks what it gives back, so a faulty presigner can
 * never hand a read-only user a URL that writes.
 *
 * @param presigner - the configured presigner
 * @param request - the grant's prefix, mode and expiry
 * @returns the checked URLs, with absent ones left out
 * @throws AcquireError `ACCESS_PRESIGNER_FAILED` when the presigner throws something other than
 *   an AcquireError, returns a malformed set, or returns a changing URL for a `read` grant; an
 *   AcquireError the presigner throws is passed on as it is
 */
export async function presignGrant(
  presigner: GrantPresigner,
  request: PresignRequest,
): Promise<PresignedGrantUrls> {
  const returned = await askPresigner(() => presigner.presign(request));

  const result = v.safeParse(PRESIGNED_URLS_SCHEMA, returned);
  if (!result.success) {
    throw new AcquireError(
      ErrorCode.ACCESS_PRESIGNER_FAILED,
      'the presigner returned something other than a set of URLs',
    );
  }
  const urls = result.output;
  if (request.mode === 'read' && (urls.put !== undefined || urls.delete !== undefined)) {
    throw new AcquireError(
      ErrorCode.ACCESS_PRESIGNER_FAILED,
      'the presigner returned a changing URL for a read-only grant',
    );
  }

  return Object.fromEntries(Object.entries(urls).filter(([, url]) => url !== undefined));
}

/**
 * Asks a presigner for a URL for one object and checks what it gives back, so a faulty presigner
 * can never hand out a URL that outlives the grant.
 *
 * @param presigner - the configured presigner, if any
 * @param request - the object's full key, the method and the grant's expiry
 * @returns the checked URL and its expiry
 * @throws AcquireError `ACCESS_PRESIGNING_NOT_OFFERED` when there is no presigner or it cannot
 *   sign single objects; `ACCESS_PRESIGNER_FAILED` when the presigner throws something other than
 *   an AcquireError, returns something other than a URL of at most
 *   {@link PRESIGNED_URL_LENGTH_MAX_CHARS} and a whole-ms expiry, or an expiry after the
 *   requested one; an AcquireError the presigner throws is passed on as it is
 */
export async function presignGrantObject(
  presigner: GrantPresigner | undefined,
  request: PresignObjectRequest,
): Promise<PresignedObjectUrl> {
  const presignObject = presigner?.presignObject;
  if (presigner === undefined || presignObject === undefined) {
    throw new AcquireError(
      ErrorCode.ACCESS_PRESIGNING_NOT_OFFERED,
      'this access service does not sign URLs for single objects; use read_object and write_object',
    );
  }
  const returned = await askPresigner(() => presignObject.call(presigner, request));

  const result = v.safeParse(PRESIGNED_OBJECT_URL_SCHEMA, returned);
  if (!result.success) {
    throw new AcquireError(
      ErrorCode.ACCESS_PRESIGNER_FAILED,
      'the presigner returned something other than a URL and its expiry',
    );
  }
  if (result.output.expiresAtMs > request.expiresAtMs) {
    throw new AcquireError(
      ErrorCode.ACCESS_PRESIGNER_FAILED,
      'the presigner returned a URL that outlives its grant',
    );
  }
  return result.output;
}

async function askPresigner(ask: () => Promise<unknown>): Promise<unknown> {
  try {
    return await ask();
  } catch (cause) {
    if (AcquireError.is(cause)) {
      throw cause;
    }
    throw new AcquireError(ErrorCode.ACCESS_PRESIGNER_FAILED, 'the presigner failed', { cause });
  }
}
