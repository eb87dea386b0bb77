import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { AcquireError } from './errors.js';
import { parseInput } from './validation.js';

const schema = v.strictObject({
  name: v.pipe(v.string(), v.minLength(3)),
  password: v.string(),
  count: v.optional(v.number()),
});

describe('parseInput', () => {
  it('returns the typed value', () => {
    expect(parseInput(schema, { name: 'alice', password: 'pw' }, 'test arguments')).toEqual({
      name: 'alice',
      password: 'pw',
    });
  });

  it('throws INVALID_ARGUMENT naming paths but never echoing values', () => {
    const secret = 'super secret password value';
    const error = (() => {
      try {
        parseInput(schema, { name: secret, password: 5, count: secret }, 'test arguments');
      } catch (caught) {
        return caught;
      }
    })();

    expect(AcquireError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('password');
    expect((error as Error).message).toContain('count');
    expect((error as Error).message).not.toContain(secret);
  });

  it('names missing fields, and never the name of an unknown field', () => {
    const unknownName = 'Sup3rSecretPw';
    const messageOf = (input: unknown): string => {
      try {
        parseInput(schema, input, 'test arguments');
      } catch (error) {
        expect(AcquireError.is(error, 'INVALID_ARGUMENT')).toBe(true);
        return JSON.stringify({
          message: (error as AcquireError).message,
          details: (error as AcquireError).details,
        });
      }
      throw new Error('expected a refusal');
    };

    const unknown = messageOf({ name: 'alice', password: 'pw', [unknownName]: 1 });
    expect(unknown).toContain('has a field that is not allowed');
    expect(unknown).not.toContain(unknownName);
    expect(messageOf({ name: 'alice' })).toContain('password is required');
  });

  it('refuses unknown keys and non-objects', () => {
    for (const input of [null, 'text', [], { name: 'alice', password: 'pw', extra: 1 }]) {
      expect(() => parseInput(schema, input, 'test arguments')).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});
