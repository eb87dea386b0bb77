/**
 * The frame a store wraps around each value it keeps as a plain object (the S3 store does; so do
 * clients that move objects through pre-signed URLs, so that both read what the other wrote).
 *
 * The header carries a random write id and the SHA-256 of the value. The write id makes every
 * stored body unique, so every write gets a new ETag even when the value repeats (S3's ETag of a
 * single-part upload is the MD5 of the body, so equal bodies would share a version and a stale
 * compare-and-swap could succeed). It also lets a writer recognise its own write when a retried
 * request reports a failed precondition. The checksum catches bodies changed or cut short
 * outside the store.
 *
 * Layout: `ACQ` and format version 1 (4 bytes), kind (1 byte: `V` value, `T` tombstone), write id
 * (16 bytes), then for a value the SHA-256 of the value (32 bytes) and the value. A tombstone is
 * the header alone: it marks a key deleted where the storage cannot delete conditionally, and
 * every reader treats it as absent.
 *
 * @module
 */

import { bytesEqual } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/random.js';
import { AcquireError, ErrorCode } from '../errors.js';

const MAGIC = Uint8Array.of(0x41, 0x43, 0x51, 0x01);
const KIND_VALUE = 0x56;
const KIND_TOMBSTONE = 0x54;
const KIND_OFFSET = MAGIC.length;

/** 128 random bits: two writes never share an id. */
const WRITE_ID_BYTES = 16;
const WRITE_ID_OFFSET = KIND_OFFSET + 1;

/** SHA-256 digests are 32 bytes (FIPS 180-4). */
const CHECKSUM_BYTES = 32;
const CHECKSUM_OFFSET = WRITE_ID_OFFSET + WRITE_ID_BYTES;

/** A tombstone frame is exactly this long, so a listing can tell one by its size alone. */
export const OBJECT_FRAME_TOMBSTONE_BYTES: number = WRITE_ID_OFFSET + WRITE_ID_BYTES;

/** Bytes before the value in a value frame. */
export const OBJECT_FRAME_HEADER_BYTES: number = CHECKSUM_OFFSET + CHECKSUM_BYTES;

/** Reading this many bytes of a framed body tells its kind and write id. */
export const OBJECT_FRAME_PEEK_BYTES: number = OBJECT_FRAME_TOMBSTONE_BYTES;

/** What a framed body holds. */
export type DecodedObjectFrame =
  | {
      /** A value frame. */
      readonly kind: 'value';
      /** The value, checked against its SHA-256. */
      readonly value: Uint8Array;
    }
  | {
      /** A tombstone: the key reads as absent. */
      readonly kind: 'tombstone';
    };

/** The kind and write id read from the start of a body. */
export interface ObjectFrameHeader {
  /** A value, a tombstone, or a body that is not framed. */
  readonly kind: 'value' | 'tombstone' | 'foreign';
  /** The writer's random id; empty for a foreign body. */
  readonly writeId: Uint8Array;
}

/** A framed body ready to upload, with the write id it carries. */
export interface EncodedObjectFrame {
  /** The bytes to store, in an `ArrayBuffer` of their own, so `fetch` takes them as a body. */
  readonly body: Uint8Array<ArrayBuffer>;
  /** The random id written into the header. */
  readonly writeId: Uint8Array;
}

/**
 * Frames a value with a fresh write id. The value is copied before this function first awaits,
 * so the caller may change its array as soon as the call returns.
 *
 * @param value - the value
 * @returns the body and its write id
 * @example
 * ```ts
 * import { encodeValueFrame, utf8Encode } from '@acquire/core';
 *
 * const { body } = await encodeValueFrame(utf8Encode('hello'));
 * ```
 */
export async function encodeValueFrame(value: Uint8Array): Promise<EncodedObjectFrame> {
  const body = new Uint8Array(OBJECT_FRAME_HEADER_BYTES + value.length);
  body.set(value, OBJECT_FRAME_HEADER_BYTES);
  const writeId = writeHeader(body, KIND_VALUE);
  body.set(await sha256(body.subarray(OBJECT_FRAME_HEADER_BYTES)), CHECKSUM_OFFSET);
  return { body, writeId };
}

/**
 * Makes a tombstone frame with a fresh write id.
 *
 * @returns the body and its write id
 */
export function encodeTombstoneFrame(): EncodedObjectFrame {
  const body = new Uint8Array(OBJECT_FRAME_TOMBSTONE_BYTES);
  const writeId = writeHeader(body, KIND_TOMBSTONE);
  return { body, writeId };
}

/**
 * Reads a whole framed body and checks its checksum.
 *
 * @param body - the object's bytes
 * @param key - names the record in errors
 * @returns the value, or a tombstone
 * @throws AcquireError `CORRUPT_RECORD` when the body is not framed, is cut short, or its value
 *   does not match its checksum
 */
export async function decodeObjectFrame(
  body: Uint8Array,
  key: string,
): Promise<DecodedObjectFrame> {
  const header = peekObjectFrame(body);
  if (header.kind === 'tombstone' && body.length === OBJECT_FRAME_TOMBSTONE_BYTES) {
    return { kind: 'tombstone' };
  }
  if (header.kind !== 'value' || body.length < OBJECT_FRAME_HEADER_BYTES) {
    throw new AcquireError(
      ErrorCode.CORRUPT_RECORD,
      `object for ${key} is not a framed Acquire object or is cut short`,
      { details: { key } },
    );
  }

  const value = body.slice(OBJECT_FRAME_HEADER_BYTES);
  const expected = body.subarray(CHECKSUM_OFFSET, OBJECT_FRAME_HEADER_BYTES);
  if (!bytesEqual(await sha256(value), expected)) {
    throw new AcquireError(
      ErrorCode.CORRUPT_RECORD,
      `object for ${key} does not match its SHA-256 checksum`,
      { details: { key } },
    );
  }
  return { kind: 'value', value };
}

/**
 * Reads the kind and write id from the first bytes of a body.
 *
 * @param head - at least the first {@link OBJECT_FRAME_PEEK_BYTES} bytes, or the whole (shorter)
 *   body
 * @returns the header; `foreign` for anything that is not framed
 */
export function peekObjectFrame(head: Uint8Array): ObjectFrameHeader {
  if (head.length < OBJECT_FRAME_PEEK_BYTES || !bytesEqual(head.subarray(0, KIND_OFFSET), MAGIC)) {
    return { kind: 'foreign', writeId: new Uint8Array(0) };
  }
  const writeId = head.slice(WRITE_ID_OFFSET, WRITE_ID_OFFSET + WRITE_ID_BYTES);
  switch (head[KIND_OFFSET]) {
    case KIND_VALUE:
      return { kind: 'value', writeId };
    case KIND_TOMBSTONE:
      return { kind: 'tombstone', writeId };
    default:
      return { kind: 'foreign', writeId: new Uint8Array(0) };
  }
}

function writeHeader(body: Uint8Array, kind: number): Uint8Array {
  const writeId = randomBytes(WRITE_ID_BYTES);
  body.set(MAGIC, 0);
  body[KIND_OFFSET] = kind;
  body.set(writeId, WRITE_ID_OFFSET);
  return writeId;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}
