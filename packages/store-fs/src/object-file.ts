/**
 * The layout of one object file: a magic number, a small JSON header (version tag, key, value
 * length and SHA-256 of the value), then the value bytes.
 *
 * An object with an empty value that write-if-absent creates, on a path with no hashed name, is a
 * symbolic link instead, whose target text is `AQFSLNK1.` and its version tag: symlink(2) creates
 * name and content in one exclusive step, so such a create is one system call rather than a
 * temporary file, a hard link and a removal. The link is only ever read with readlink(2), never
 * followed; its key is its name, and its value is empty. Copies and backups must keep links as
 * links (`cp -a`, `rsync -a`, `tar`) to keep these objects. Windows needs special rights for
 * links, so there every object is a file.
 *
 * The version tag lives in the file, so it changes on every write whatever the file system's
 * timestamp resolution, and it stays the same when the file is copied or restored. The key in
 * the header lets a hashed file name be turned back into its key and lets a read check that the
 * file is the one it asked for. The checksum turns damage done outside the store (a disk fault,
 * a file cut short after a power loss with durability off) into `CORRUPT_RECORD` rather than
 * wrong data.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { AcquireError, createUniqueIdGenerator, ErrorCode } from '@acquire/core';

/** Identifies an object file of this store, format 1. */
const MAGIC = Uint8Array.from([0x41, 0x51, 0x46, 0x53, 0x4f, 0x42, 0x4a, 0x31]); // "AQFSOBJ1"

/** Magic plus a 32-bit header length. */
const PREAMBLE_BYTES = MAGIC.length + 4;

/**
 * A header holds a key of at most 900 bytes, which JSON escaping can at most double, plus short
 * fields; anything longer is not a header of ours.
 */
export const HEADER_BYTES_MAX = 4096;

/** Reading this many bytes always covers the preamble and the longest header. */
export const HEADER_READ_BYTES: number = PREAMBLE_BYTES + HEADER_BYTES_MAX;

/**
 * Version tags come from a generator of unique ids: 96 random bits per process and a counter,
 * so no two writes anywhere share a tag, while a write draws no randomness of its own.
 */
const nextVersion = createUniqueIdGenerator();

/** What the header of an object file says. */
export interface ObjectHeader {
  /** The version tag of this write. */
  readonly version: string;
  /** The full key the object belongs to. */
  readonly key: string;
  /** The value's length in bytes. */
  readonly valueBytes: number;
  /** The SHA-256 of the value, base64url. */
  readonly valueSha256: string;
}

/** A decoded object file. */
export interface DecodedObject {
  /** The header. */
  readonly header: ObjectHeader;
  /** The value; a view into the bytes that were decoded. */
  readonly value: Uint8Array;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Every empty value has this checksum. */
const EMPTY_SHA256 = sha256(new Uint8Array(0));

/**
 * Makes a fresh version tag.
 *
 * @returns 22 characters of base64url
 */
export function newVersion(): string {
  return nextVersion();
}

/** A new object file, laid out and ready to be written. */
export interface NewObjectFile {
  /** The version tag it carries. */
  readonly version: string;
  /** The whole file. */
  readonly bytes: Uint8Array;
  /** Whether the value is empty, so that write-if-absent may store the object as a link. */
  readonly empty: boolean;
}

/** Starts the target of a link holding an empty object. */
const EMPTY_OBJECT_LINK_PREFIX = 'AQFSLNK1.';

/** A version tag as {@link newVersion} makes them, or as an older store wrote them. */
const VERSION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether this platform stores empty objects as links (see the module comment). */
export const EMPTY_OBJECTS_AS_LINKS: boolean = process.platform !== 'win32';

/**
 * The target of the link holding an empty object.
 *
 * @param version - the object's version tag
 * @returns `AQFSLNK1.<version>`, short enough to live in the link's inode
 */
export function emptyObjectLinkTarget(version: string): string {
  return `${EMPTY_OBJECT_LINK_PREFIX}${version}`;
}

/**
 * Reads the version from the target of a link holding an empty object.
 *
 * @param target - the link's target text
 * @returns the version, or `undefined` when the link is not one of this store's
 */
export function parseEmptyObjectLink(target: string): string | undefined {
  if (!target.startsWith(EMPTY_OBJECT_LINK_PREFIX)) {
    return undefined;
  }
  const version = target.slice(EMPTY_OBJECT_LINK_PREFIX.length);
  return VERSION_PATTERN.test(version) ? version : undefined;
}

/**
 * The header an empty object held by a link stands for.
 *
 * @param key - the object's key
 * @param version - its version tag
 * @returns the header
 */
export function emptyObjectHeader(key: string, version: string): ObjectHeader {
  return { version, key, valueBytes: 0, valueSha256: EMPTY_SHA256 };
}

/**
 * Lays out the file for a new write with a fresh version tag. The value is copied at once, so
 * the caller may change its array as soon as this returns.
 *
 * @param key - the object's key
 * @param value - its bytes
 * @returns the version and the file
 */
export function newObjectFile(key: string, value: Uint8Array): NewObjectFile {
  const version = newVersion();
  return { version, bytes: encodeObjectFile(key, version, value), empty: value.length === 0 };
}

/**
 * Lays out an object file.
 *
 * @param key - the object's key
 * @param version - its new version tag
 * @param value - its bytes
 * @returns the whole file's bytes
 */
export function encodeObjectFile(key: string, version: string, value: Uint8Array): Uint8Array {
  const header: ObjectHeader = {
    version,
    key,
    valueBytes: value.length,
    valueSha256: sha256(value),
  };
  const headerBytes = utf8Encoder.encode(JSON.stringify(header));
  const file = new Uint8Array(PREAMBLE_BYTES + headerBytes.length + value.length);

  file.set(MAGIC, 0);
  new DataView(file.buffer).setUint32(MAGIC.length, headerBytes.length);
  file.set(headerBytes, PREAMBLE_BYTES);
  file.set(value, PREAMBLE_BYTES + headerBytes.length);
  return file;
}

/**
 * Reads the header at the start of an object file.
 *
 * @param bytes - the file, or at least its first {@link HEADER_READ_BYTES} bytes
 * @param where - names the file in errors
 * @returns the header and where the value starts
 * @throws AcquireError `CORRUPT_RECORD` when the bytes are not an object file's start
 */
export function decodeObjectHeader(
  bytes: Uint8Array,
  where: string,
): { header: ObjectHeader; valueOffset: number } {
  if (bytes.length < PREAMBLE_BYTES || !MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw corrupt(where, 'does not start like an object file');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length);
  if (headerLength > HEADER_BYTES_MAX || PREAMBLE_BYTES + headerLength > bytes.length) {
    throw corrupt(where, 'has a header that is cut short or too long');
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(
      utf8Decoder.decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength)),
    );
  } catch (cause) {
    throw corrupt(where, 'has a header that is not JSON', cause);
  }
  if (!isObjectHeader(parsed)) {
    throw corrupt(where, 'has a header of the wrong shape');
  }
  return { header: parsed, valueOffset: PREAMBLE_BYTES + headerLength };
}

/**
 * Decodes a whole object file and checks its length and checksum.
 *
 * @param bytes - the file
 * @param where - names the file in errors
 * @returns the header and the value
 * @throws AcquireError `CORRUPT_RECORD` when the file is damaged
 */
export function decodeObjectFile(bytes: Uint8Array, where: string): DecodedObject {
  const { header, valueOffset } = decodeObjectHeader(bytes, where);
  if (bytes.length - valueOffset !== header.valueBytes) {
    throw corrupt(where, 'has a value of the wrong length');
  }
  const value = bytes.subarray(valueOffset);
  if (sha256(value) !== header.valueSha256) {
    throw corrupt(where, 'has a value that fails its checksum');
  }
  return { header, value: new Uint8Array(value.buffer, value.byteOffset, value.length) };
}

function isObjectHeader(value: unknown): value is ObjectHeader {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const fields = value as Record<string, unknown>;
  return (
    typeof fields.version === 'string' &&
    typeof fields.key === 'string' &&
    typeof fields.valueSha256 === 'string' &&
    Number.isSafeInteger(fields.valueBytes) &&
    (fields.valueBytes as number) >= 0
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

function corrupt(where: string, problem: string, cause?: unknown): AcquireError {
  return new AcquireError(ErrorCode.CORRUPT_RECORD, `object file ${where} ${problem}`, { cause });
}
