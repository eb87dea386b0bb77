/**
 * Turns unvalidated input into typed values with valibot schemas, and turns schema failures into
 * {@link AcquireError}s with code `INVALID_ARGUMENT`.
 *
 * Messages name the path and what was expected, never the value received: a value in the wrong
 * field may be a password.
 *
 * @module
 */

import * as v from 'valibot';
import { AcquireError, ErrorCode } from './errors.js';

/** At most this many schema issues are named in one message. */
const ISSUES_IN_MESSAGE_MAX = 3;

/**
 * Parses input with a schema.
 *
 * @param schema - a valibot schema
 * @param input - anything, typically decoded JSON from a caller
 * @param label - names the input in the error message, for example `register arguments`
 * @returns the typed output of the schema
 * @throws AcquireError `INVALID_ARGUMENT` naming the failing paths
 */
export function parseInput<TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
  label: string,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input);
  if (result.success) {
    return result.output;
  }

  const problems = result.issues.slice(0, ISSUES_IN_MESSAGE_MAX).map(describeIssue);
  throw new AcquireError(
    ErrorCode.INVALID_ARGUMENT,
    `${label} are invalid: ${problems.join('; ')}`,
    {
      details: { paths: result.issues.map((issue) => v.getDotPath(issue) ?? '') },
    },
  );
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? 'input';
  const expected = issue.expected === null ? issue.kind : `expected ${issue.expected}`;
  return `${path} ${issue.type === 'object' && issue.expected === 'never' ? 'is not allowed' : expected}`;
}
