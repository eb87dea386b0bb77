import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, requestResource } from './request-resource.js';

describe('canonicalJson', () => {
  it('gives equal text for objects with keys in any order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
        expect(JSON.parse(canonicalJson(record))).toEqual(JSON.parse(JSON.stringify(record)));
      }),
    );
  });

  it('refuses values JSON cannot hold', () => {
    for (const value of [1n, Number.NaN, Number.POSITIVE_INFINITY, () => 1, Symbol('s')]) {
      expect(() => canonicalJson(value)).toThrow(TypeError);
    }
  });
});

describe('requestResource', () => {
  it('binds the function name and every argument but the authorisation', () => {
    const base = requestResource('perform', { value: '1.5', to: 'b', authorisation: { x: 1 } });

    expect(base).toMatch(/^perform:[A-Za-z0-9_-]{43}$/);
    expect(requestResource('perform', { to: 'b', value: '1.5' })).toBe(base);
    expect(requestResource('perform', { to: 'b', value: '1.6' })).not.toBe(base);
    expect(requestResource('refund', { to: 'b', value: '1.5' })).not.toBe(base);
  });
});
