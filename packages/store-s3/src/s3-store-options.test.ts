import { AcquireError, ErrorCode, isValidKey } from '@acquire/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createS3rverClient } from '../test/s3rver-server.js';
import { STORE_PREFIX_LENGTH_MAX_BYTES } from './object-keys.js';
import { createS3Store } from './s3-store.js';
import type { S3StoreOptions } from './s3-store-options.js';

/** Credentials long and random enough that a message could not contain them by chance. */
const hexText = fc.string({ minLength: 16, unit: fc.constantFrom(...'0123456789abcdef') });

const VALID: S3StoreOptions = { bucket: 'acquire', endpoint: 'http://127.0.0.1:9000' };

function creationError(options: unknown): unknown {
  try {
    createS3Store(options as S3StoreOptions);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('s3 store options', () => {
  it('accepts a bucket with an endpoint, or a ready client', () => {
    expect(creationError(VALID)).toBeUndefined();
    const client = createS3rverClient('http://127.0.0.1:9000');
    expect(creationError({ bucket: 'acquire', prefix: 'a/b', client })).toBeUndefined();
  });

  it('refuses malformed options of any shape with INVALID_ARGUMENT or INVALID_KEY', () => {
    const badOptions = fc.oneof(
      fc.anything().filter((value) => typeof value !== 'object' || value === null),
      fc.record({
        bucket: fc.oneof(
          fc.constant(''),
          fc.string().map((s) => `${s}/x`),
        ),
      }),
      fc.record({
        bucket: fc.constant('b'),
        endpoint: fc.string().filter((s) => !URL.canParse(s)),
      }),
      fc.record({ bucket: fc.constant('b'), unexpected: fc.anything() }),
      fc.record({ bucket: fc.constant('b'), region: fc.constant('') }),
      fc.record({ bucket: fc.constant('b'), logger: fc.anything().filter((x) => x !== undefined) }),
      fc.record({ bucket: fc.constant('b'), forcePathStyle: fc.string() }),
    );

    fc.assert(
      fc.property(badOptions, (options) => {
        const error = creationError(options);
        expect(AcquireError.is(error, ErrorCode.INVALID_ARGUMENT)).toBe(true);
      }),
    );
  });

  it('refuses every prefix that is not a key, and keys too long to leave room for any key', () => {
    const badPrefix = fc.oneof(
      fc.string({ unit: 'grapheme' }).filter((prefix) => prefix !== '' && !isValidKey(prefix)),
      fc.constantFrom('/a', 'a/', 'a//b', '..', 'a/./b', 'tab\there'),
      fc.constant('p'.repeat(STORE_PREFIX_LENGTH_MAX_BYTES + 1)),
    );

    fc.assert(
      fc.property(badPrefix, (prefix) => {
        const error = creationError({ ...VALID, prefix });
        expect(
          AcquireError.is(error, ErrorCode.INVALID_KEY) ||
            AcquireError.is(error, ErrorCode.INVALID_ARGUMENT),
        ).toBe(true);
      }),
    );
  });

  it('never repeats credentials in its errors', () => {
    fc.assert(
      fc.property(hexText, hexText, (id, secret) => {
        const credentials = { accessKeyId: id, secretAccessKey: secret };
        const error = creationError({ bucket: '', endpoint: 'nope', credentials, surplus: 1 });

        expect(AcquireError.is(error, ErrorCode.INVALID_ARGUMENT)).toBe(true);
        const text = `${(error as Error).message} ${JSON.stringify((error as AcquireError).details)}`;
        expect(text).not.toContain(secret);
        expect(text).not.toContain(id);
      }),
    );
  });

  it('refuses a client together with connection settings', () => {
    const client = createS3rverClient('http://127.0.0.1:9000');
    const error = creationError({ bucket: 'acquire', client, endpoint: 'http://127.0.0.1:9000' });

    expect(AcquireError.is(error, ErrorCode.INVALID_ARGUMENT)).toBe(true);
  });
});
