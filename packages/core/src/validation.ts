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
    { details: { paths: result.issues.map(issuePath) } },
  );
}

/** The schema types whose issues are about an object's keys: a missing or an unknown one. */
const OBJECT_SCHEMA_TYPES: ReadonlySet<string> = new Set([
  'object',
  'strict_object',
  'loose_object',
  'object_with_rest',
]);

/** A key the schema does not allow: valibot expects `never` there. */
function isUnknownKey(issue: v.BaseIssue<unknown>): boolean {
  return OBJECT_SCHEMA_TYPES.has(issue.type) && issue.expected === 'never';
}

/**
 * The dot path of an issue. An unknown key is named by its object's path only: the caller chose
 * that name, and a value typed in the wrong place may be a password.
 */
function issuePath(issue: v.BaseIssue<unknown>): string {
  if (!isUnknownKey(issue)) {
    return v.getDotPath(issue) ?? '';
  }
  const parent = issue.path?.slice(0, -1) ?? [];
  return parent.map((item) => String(item.key)).join('.');
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = issuePath(issue) || 'input';
  if (isUnknownKey(issue)) {
    return `${path} has a field that is not allowed`;
  }
  if (OBJECT_SCHEMA_TYPES.has(issue.type) && issue.received === 'undefined') {
    return `${path} is required`;
  }
  return `${path} ${issue.expected === null ? issue.kind : `expected ${issue.expected}`}`;
}
