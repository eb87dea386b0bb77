import { describe, expect, it } from 'vitest';
import { AcquireError, ErrorCode } from '../errors.js';
import {
  assertDeleteOptions,
  assertListPageOptions,
  assertStoreValue,
  assertStoreVersion,
} from './store-arguments.js';

function refusal(check: () => void): AcquireError {
  try {
    check();
  } catch (error) {
    expect(AcquireError.is(error, ErrorCode.INVALID_ARGUMENT), String(error)).toBe(true);
    return error as AcquireError;
  }
  throw new Error('the check accepted its argument');
}

describe('assertStoreValue', () => {
  it('accepts a Uint8Array, a view into a larger buffer and a Node Buffer', () => {
    for (const value of [new Uint8Array(2), new Uint8Array(8).subarray(2, 4), Buffer.from('x')]) {
      expect(() => assertStoreValue(value)).not.toThrow();
    }
  });

  it('refuses anything else with INVALID_ARGUMENT, naming the argument but not the value', () => {
    const text = 'a value that must stay out of messages';
    const values = [text, [1, 2], null, undefined, 7, { text }, new ArrayBuffer(1)];

    for (const value of [...values, new DataView(new ArrayBuffer(1)), new Int8Array(1)]) {
      const error = refusal(() => assertStoreValue(value, 'initial value'));
      expect(error.message).toBe('initial value must be a Uint8Array');
    }
  });
});

describe('assertStoreVersion', () => {
  it('accepts a non-empty string and refuses anything else', () => {
    expect(() => assertStoreVersion('"etag"')).not.toThrow();
    for (const version of ['', 1, null, undefined, {}, ['1']]) {
      refusal(() => assertStoreVersion(version));
    }
  });
});

describe('assertDeleteOptions', () => {
  it('accepts no options or a version condition and refuses other shapes', () => {
    for (const options of [undefined, {}, { ifVersion: undefined }, { ifVersion: '1' }]) {
      expect(() => assertDeleteOptions(options)).not.toThrow();
    }
    for (const options of [null, '1', 1, { ifVersion: '' }, { ifVersion: 1 }]) {
      refusal(() => assertDeleteOptions(options));
    }
  });
});

describe('assertListPageOptions', () => {
  it('accepts no options, a start key and a page size, and refuses other shapes', () => {
    for (const options of [undefined, {}, { startAfter: 'a/b', limit: 1000 }]) {
      expect(() => assertListPageOptions(options)).not.toThrow();
    }
    const bad = [null, 'a', { startAfter: 1 }, { startAfter: '\ud800' }, { limit: '5' }];
    for (const options of [...bad, { limit: 0 }, { limit: 1001 }]) {
      refusal(() => assertListPageOptions(options));
    }
  });
});
