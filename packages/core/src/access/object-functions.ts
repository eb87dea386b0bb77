/**
 * The storage functions that honour grants: `read_object`, `write_object`, `list_objects` and
 * `delete_object`. Each checks the grant (form, version, signature, expiry), then the mode, then
 * resolves the caller's relative key inside the granted prefix, and only then touches storage,
 * so a refused call writes nothing.
 *
 * Grants cannot be revoked: a grant is honoured until it expires.
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlDecode, base64UrlEncode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { defineServiceFunction, type ServiceFunction } from '../service/service-function.js';
import { LIST_PAGE_SIZE_MAX } from '../store/object-store.js';
import type { AccessContext } from './access-context.js';
import {
  assertGrantMode,
  checkedGrant,
  relativeGrantKey,
  resolveGrantKey,
  resolveGrantPrefix,
} from './grant-scope.js';

/**
 * The largest value `write_object` stores: 512 KiB, so its base64url text (a third larger) fits
 * a request envelope of 1 MiB. Larger objects belong on pre-signed URLs.
 */
export const ACCESS_OBJECT_SIZE_MAX_BYTES: number = 512 * 1024;

/** The longest base64url text that can hold {@link ACCESS_OBJECT_SIZE_MAX_BYTES}. */
const OBJECT_VALUE_LENGTH_MAX_CHARS = Math.ceil((ACCESS_OBJECT_SIZE_MAX_BYTES * 4) / 3);

/** The arguments of `read_object` and `delete_object`. */
export interface ObjectKeyArgs {
  /** The grant token from `request_bucket`. */
  readonly grant: string;
  /** The object's key, relative to the granted prefix. */
  readonly key: string;
}

/** The arguments of `write_object`. */
export interface WriteObjectArgs extends ObjectKeyArgs {
  /**
   * The bytes to store, as base64url; at most {@link ACCESS_OBJECT_SIZE_MAX_BYTES} once
   * decoded.
   */
  readonly value: string;
}

/** The arguments of `list_objects`. */
export interface ListObjectsArgs {
  /** The grant token from `request_bucket`. */
  readonly grant: string;
  /** List only under this relative prefix (whole segments). @default '' (the whole grant) */
  readonly prefix?: string;
  /** Only keys after this relative key: the `next` of the previous page. */
  readonly startAfter?: string;
  /** At most this many keys. @default LIST_PAGE_SIZE_MAX */
  readonly limit?: number;
}

/** `read_object` found the object. */
export interface FoundObject {
  /** Always true. */
  readonly found: true;
  /** The object's bytes as base64url. */
  readonly value: string;
}

/** `read_object` found nothing under the key. */
export interface MissingObject {
  /** Always false. */
  readonly found: false;
}

/** The result of `read_object`. */
export type ReadObjectResult = FoundObject | MissingObject;

/** The result of `write_object` and `delete_object`. */
export interface ObjectChangeResult {
  /** The relative key that was changed. */
  readonly key: string;
}

/** The result of `list_objects`. */
export interface ListObjectsResult {
  /** Relative keys, in code-point order. */
  readonly keys: readonly string[];
  /** Present when more keys may follow: pass it as `startAfter`. */
  readonly next?: string;
}

const GRANT_SCHEMA = v.string();
const KEY_SCHEMA = v.string();

const OBJECT_KEY_ARGS: v.GenericSchema<ObjectKeyArgs> = v.strictObject({
  grant: GRANT_SCHEMA,
  key: KEY_SCHEMA,
});

const WRITE_OBJECT_ARGS: v.GenericSchema<WriteObjectArgs> = v.strictObject({
  grant: GRANT_SCHEMA,
  key: KEY_SCHEMA,
  value: v.string(),
});

const LIST_OBJECTS_ARGS: v.GenericSchema<ListObjectsArgs> = v.strictObject({
  grant: GRANT_SCHEMA,
  prefix: v.optional(v.string()),
  startAfter: v.optional(v.string()),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIST_PAGE_SIZE_MAX))),
});

/**
 * `read_object`: reads one object under the granted prefix.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, a `GRANT_*` code, or `INVALID_KEY`
 * @example
 * ```ts
 * import { readObject } from '@acquire/core';
 *
 * const result = await readObject.run({ grant, key: 'notes/today' }, accessContext);
 * ```
 */
export const readObject: ServiceFunction<
  v.GenericSchema<ObjectKeyArgs>,
  ReadObjectResult,
  AccessContext
> = defineServiceFunction('read_object', OBJECT_KEY_ARGS, async (args, context) => {
  const claims = checkedGrant(args.grant, context);
  const key = resolveGrantKey(claims, args.key, 'read');

  const stored = await context.storage.read(key);
  return stored === undefined
    ? { found: false }
    : { found: true, value: base64UrlEncode(stored.value) };
});

/**
 * `write_object`: stores one object under the granted prefix, replacing any earlier value.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, a `GRANT_*` code (`GRANT_READ_ONLY` for a read
 *   grant), `INVALID_KEY`, `ACCESS_OBJECT_TOO_LARGE`, or `MALFORMED_DATA` for a value that is
 *   not canonical base64url
 */
export const writeObject: ServiceFunction<
  v.GenericSchema<WriteObjectArgs>,
  ObjectChangeResult,
  AccessContext
> = defineServiceFunction('write_object', WRITE_OBJECT_ARGS, async (args, context) => {
  const claims = checkedGrant(args.grant, context);
  assertGrantMode(claims, 'read_write');
  const key = resolveGrantKey(claims, args.key, 'change');
  const value = decodeValue(args.value);

  await context.storage.write(key, value);
  context.logger.debug({ grantId: claims.grantId, sizeBytes: value.length }, 'object written');
  return { key: args.key };
});

/**
 * `list_objects`: lists one page of keys under the granted prefix (or a prefix inside it). The
 * bucket's `.bucket` marker is listed like any other object.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, a `GRANT_*` code, or `INVALID_KEY`
 */
export const listObjects: ServiceFunction<
  v.GenericSchema<ListObjectsArgs>,
  ListObjectsResult,
  AccessContext
> = defineServiceFunction('list_objects', LIST_OBJECTS_ARGS, async (args, context) => {
  const claims = checkedGrant(args.grant, context);
  const prefix = resolveGrantPrefix(claims, args.prefix ?? '');
  const startAfter =
    args.startAfter === undefined ? undefined : resolveGrantKey(claims, args.startAfter, 'read');

  const page = await context.storage.listPage(prefix, { startAfter, limit: args.limit });
  const keys = page.keys.map((key) => relativeGrantKey(claims, key));
  return page.next === undefined ? { keys } : { keys, next: relativeGrantKey(claims, page.next) };
});

/**
 * `delete_object`: deletes one object under the granted prefix; deleting an absent key succeeds.
 *
 * @throws AcquireError `INVALID_ARGUMENT`, a `GRANT_*` code (`GRANT_READ_ONLY` for a read
 *   grant), or `INVALID_KEY`
 */
export const deleteObject: ServiceFunction<
  v.GenericSchema<ObjectKeyArgs>,
  ObjectChangeResult,
  AccessContext
> = defineServiceFunction('delete_object', OBJECT_KEY_ARGS, async (args, context) => {
  const claims = checkedGrant(args.grant, context);
  assertGrantMode(claims, 'read_write');
  const key = resolveGrantKey(claims, args.key, 'change');

  await context.storage.delete(key);
  context.logger.debug({ grantId: claims.grantId }, 'object deleted');
  return { key: args.key };
});

function decodeValue(text: string): Uint8Array {
  if (text.length > OBJECT_VALUE_LENGTH_MAX_CHARS) {
    throw tooLarge();
  }
  const value = base64UrlDecode(text, 'value');
  if (value.length > ACCESS_OBJECT_SIZE_MAX_BYTES) {
    throw tooLarge();
  }
  return value;
}

function tooLarge(): AcquireError {
  return new AcquireError(
    ErrorCode.ACCESS_OBJECT_TOO_LARGE,
    `value must be at most ${ACCESS_OBJECT_SIZE_MAX_BYTES} bytes`,
    { details: { sizeBytesMax: ACCESS_OBJECT_SIZE_MAX_BYTES } },
  );
}
