/**
 * Reads an HTTP body into memory without ever holding more than a limit: a declared
 * `Content-Length` over the limit is refused before reading, and a body that turns out longer is
 * cut off as soon as it passes the limit.
 *
 * @module
 */

import { concatBytes } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';

/**
 * Reads a request's or response's body, up to `bytesMax`.
 *
 * @param message - a `Request` or `Response`
 * @param bytesMax - the most bytes accepted
 * @param code - the error code to throw when the body is too large
 * @default code 'BODY_TOO_LARGE'
 * @returns the body bytes (empty when there is no body)
 * @throws AcquireError with `code` when the body is larger than `bytesMax`
 */
export async function readBodyWithLimit(
  message: Request | Response,
  bytesMax: number,
  code: string = ErrorCode.BODY_TOO_LARGE,
): Promise<Uint8Array> {
  const declared = Number(message.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > bytesMax) {
    await message.body?.cancel().catch(() => undefined);
    throw tooLarge(code, bytesMax);
  }
  if (message.body === null) {
    return new Uint8Array(0);
  }

  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  // A read ends the stream or yields a chunk; chunks add up past bytesMax within bytesMax + 1
  // non-empty reads, so this bound is never reached by an honest stream.
  for (let reads = 0; reads <= bytesMax; reads++) {
    const { done, value } = await reader.read();
    if (done) {
      return concatBytes(...chunks);
    }
    total += value.length;
    if (total > bytesMax) {
      break;
    }
    chunks.push(value);
  }
  await reader.cancel().catch(() => undefined);
  throw tooLarge(code, bytesMax);
}

function tooLarge(code: string, bytesMax: number): AcquireError {
  return new AcquireError(code, `body is larger than ${bytesMax} bytes`, {
    details: { bytesMax },
  });
}
