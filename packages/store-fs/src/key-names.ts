/**
 * Turns key segments into portable file names and back.
 *
 * A name uses only `a`–`z`, `0`–`9`, `_` and `-` as they are; every other UTF-8 byte becomes
 * `%` and two lowercase hex digits, as in URL percent-encoding (RFC 3986, section 2.1). Names
 * therefore differ only in lowercase ASCII, so `A` and `a` stay two files on case-insensitive and
 * normalising file systems (APFS, NTFS), and no name ends in a dot or space or contains a
 * character Windows forbids. A name that would be a Windows device name (`con`, `nul`, `com1`…)
 * has its first letter escaped. A segment whose name would grow past
 * {@link ENCODED_NAME_LENGTH_MAX_BYTES} gets a hashed name instead: a readable head, `+`, and the
 * SHA-256 of the segment; the segment itself is recovered from the key stored in the object's
 * header.
 *
 * @module
 */

import { createHash } from 'node:crypto';

/**
 * Encoded names up to this length are used as they are. File systems allow 255 bytes; this
 * leaves room for the object suffix, and a 200-byte segment of plain lowercase ASCII still fits.
 */
export const ENCODED_NAME_LENGTH_MAX_BYTES = 200;

/** A hashed name keeps this much of the readable encoding in front, to help people browsing. */
const HASHED_NAME_HEAD_LENGTH_MAX = 96;

/** Marks a hashed name; `+` never occurs in an escaped name. */
const HASH_SEPARATOR = '+';

/** The suffix of object files; directories have none, so `a/b` and `a/b/c` can both exist. */
export const OBJECT_FILE_SUFFIX = '.obj';

/** Windows reserves these names in any case and with any extension (see "Naming Files" on MSDN). */
const WINDOWS_DEVICE_NAMES: ReadonlySet<string> = new Set([
  'con',
  'prn',
  'aux',
  'nul',
  ...Array.from({ length: 10 }, (_, digit) => `com${digit}`),
  ...Array.from({ length: 10 }, (_, digit) => `lpt${digit}`),
]);

const PLAIN_NAME_PATTERN = /^(?:[a-z0-9_-]|%[0-9a-f]{2})+$/;
/** Most names need no escape at all; they decode to themselves and are checked cheaply. */
const UNESCAPED_NAME_PATTERN = /^[a-z0-9_-]+$/;
const HASHED_NAME_PATTERN = /^(?:[a-z0-9_-]|%[0-9a-f]{2})*\+[0-9a-f]{64}$/;

const utf8Encoder = new TextEncoder();
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encodes one key segment as a file or directory name.
 *
 * @param segment - a valid key segment (no `/`, not empty)
 * @returns a name of at most {@link ENCODED_NAME_LENGTH_MAX_BYTES} bytes of `[a-z0-9_%+-]`
 */
export function encodeSegment(segment: string): string {
  const escaped = escapeSegment(segment);
  if (escaped.length <= ENCODED_NAME_LENGTH_MAX_BYTES) {
    return escaped;
  }
  return `${readableHead(escaped)}${HASH_SEPARATOR}${segmentHash(segment)}`;
}

/**
 * Decodes a name made by {@link encodeSegment}, unless it is hashed.
 *
 * @param name - a directory name, or an object file name without its suffix
 * @returns the segment; `undefined` for a hashed name or a name this store did not make
 */
export function decodeSegment(name: string): string | undefined {
  if (UNESCAPED_NAME_PATTERN.test(name)) {
    const canonical =
      name.length <= ENCODED_NAME_LENGTH_MAX_BYTES && !WINDOWS_DEVICE_NAMES.has(name);
    return canonical ? name : undefined;
  }
  if (!PLAIN_NAME_PATTERN.test(name)) {
    return undefined;
  }
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '%') {
      bytes.push(Number.parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(name.charCodeAt(i));
    }
  }

  let segment: string;
  try {
    segment = strictUtf8Decoder.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
  return encodeSegment(segment) === name ? segment : undefined;
}

/**
 * Tells whether a name is a hashed one, whose segment must be read from an object header.
 *
 * @param name - a directory name, or an object file name without its suffix
 * @returns true for names of the form `head+<sha256 hex>`
 */
export function isHashedName(name: string): boolean {
  return HASHED_NAME_PATTERN.test(name);
}

/**
 * Encodes every segment of a key.
 *
 * @param key - a valid key
 * @returns the directory names and the object file name, in order
 */
export function encodeKey(key: string): { directories: string[]; fileName: string } {
  const names = key.split('/').map(encodeSegment);
  const last = names.pop() as string;
  return { directories: names, fileName: `${last}${OBJECT_FILE_SUFFIX}` };
}

function escapeSegment(segment: string): string {
  let escaped = '';
  for (const byte of utf8Encoder.encode(segment)) {
    escaped += isPlainByte(byte) ? String.fromCharCode(byte) : escapeByte(byte);
  }
  if (WINDOWS_DEVICE_NAMES.has(escaped)) {
    escaped = escapeByte(escaped.charCodeAt(0)) + escaped.slice(1);
  }
  return escaped;
}

function isPlainByte(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x5f ||
    byte === 0x2d
  );
}

function escapeByte(byte: number): string {
  return `%${byte.toString(16).padStart(2, '0')}`;
}

/** Cuts the escaped form short without splitting a `%xx` escape. */
function readableHead(escaped: string): string {
  const head = escaped.slice(0, HASHED_NAME_HEAD_LENGTH_MAX);
  const lastEscape = head.lastIndexOf('%');
  return lastEscape > head.length - 3 ? head.slice(0, lastEscape) : head;
}

function segmentHash(segment: string): string {
  return createHash('sha256').update(segment, 'utf8').digest('hex');
}
