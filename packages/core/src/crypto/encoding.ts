/**
 * Text and binary encodings used on the wire and at rest: UTF-8 and unpadded base64url
 * (RFC 4648 §5). Decoding is strict: only the canonical encoding of some byte string is accepted,
 * so one value has exactly one spelling.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** btoa and String.fromCharCode take arguments on the stack; chunks keep big inputs safe. */
const BINARY_STRING_CHUNK_BYTES = 0x8000;

/**
 * Encodes a string as UTF-8 bytes.
 *
 * @param text - any string
 * @returns its UTF-8 bytes
 */
export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * Decodes UTF-8 bytes, refusing invalid sequences.
 *
 * @param bytes - UTF-8 bytes
 * @returns the decoded string
 * @throws AcquireError `MALFORMED_DATA` when the bytes are not valid UTF-8
 */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new AcquireError(ErrorCode.MALFORMED_DATA, 'bytes are not valid UTF-8', { cause });
  }
}

/**
 * Encodes bytes as unpadded base64url.
 *
 * @param bytes - any bytes
 * @returns the base64url text, without `=` padding
 */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += BINARY_STRING_CHUNK_BYTES) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + BINARY_STRING_CHUNK_BYTES));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes unpadded base64url, accepting only canonical input.
 *
 * @param text - base64url text without padding
 * @param label - names the value in an error message
 * @returns the decoded bytes
 * @throws AcquireError `MALFORMED_DATA` when `text` is not canonical unpadded base64url
 */
export function base64UrlDecode(text: string, label = 'value'): Uint8Array {
  if (typeof text !== 'string' || !BASE64URL_PATTERN.test(text) || text.length % 4 === 1) {
    throw malformedBase64(label);
  }

  const padded =
    text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }

  if (base64UrlEncode(bytes) !== text) {
    throw malformedBase64(label);
  }
  return bytes;
}

function malformedBase64(label: string): AcquireError {
  return new AcquireError(ErrorCode.MALFORMED_DATA, `${label} is not canonical base64url`);
}

/**
 * Compares two byte arrays in time that depends only on their lengths.
 *
 * @param left - first array
 * @param right - second array
 * @returns true when both hold the same bytes
 */
export function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) {
    return false;
  }
  let difference = 0;
  for (let i = 0; i < left.length; i++) {
    difference |= (left[i] as number) ^ (right[i] as number);
  }
  return difference === 0;
}

/**
 * Joins byte arrays into one.
 *
 * @param parts - arrays in order
 * @returns a new array holding all parts
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
