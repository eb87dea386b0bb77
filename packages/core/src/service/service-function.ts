/**
 * The shape of every service function: a wire name, a valibot schema for its arguments, and a
 * `run` that takes unvalidated input. The same schemas give the typed clients their argument
 * types, so arguments are described once.
 *
 * @module
 */

import type * as v from 'valibot';
import type { Logger } from '../logging.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';
import { parseInput } from '../validation.js';

/** What every service function is given besides its arguments. */
export interface ServiceContext {
  /** Where all state lives. */
  readonly store: ObjectStore;
  /** The only source of time. */
  readonly clock: Clock;
  /** Where to log; silent unless the host passes one. */
  readonly logger: Logger;
  /** The canonical URL of the service running the function, for example `https://id.example`. */
  readonly serviceUrl: string;
  /** The caller's network address as the host saw it, used for throttling; absent in-process. */
  readonly remoteAddress?: string;
}

/** A named function a service exposes over the wire. */
export interface ServiceFunction<
  TArgs extends v.GenericSchema = v.GenericSchema,
  TResult = unknown,
  TContext extends ServiceContext = ServiceContext,
> {
  /** The wire name, for example `request_login`. */
  readonly name: string;
  /** Validates and types the arguments. */
  readonly args: TArgs;
  /**
   * Runs the function.
   *
   * @param args - unvalidated input; `run` validates it with {@link ServiceFunction.args}
   * @param context - the store, clock and other injected parts
   * @returns a JSON-safe result (money as decimal strings, times as milliseconds)
   * @throws AcquireError with a stable code for every failure it knows about
   */
  run(args: unknown, context: TContext): Promise<TResult>;
}

/** The validated argument type of a service function. */
export type ServiceFunctionArgs<F> =
  F extends ServiceFunction<infer A, unknown, never> ? v.InferInput<A> : never;

/** The result type of a service function. */
export type ServiceFunctionResult<F> =
  F extends ServiceFunction<v.GenericSchema, infer R, never> ? R : never;

/**
 * Defines a service function whose `run` validates its arguments before calling `handler`.
 *
 * @param name - the wire name
 * @param args - the argument schema
 * @param handler - the implementation, given typed arguments
 * @returns the service function
 * @example
 * ```ts
 * import * as v from 'valibot';
 * import { defineServiceFunction } from '@acquire/core';
 *
 * export const echo = defineServiceFunction('echo', v.object({ text: v.string() }), async (args) => ({
 *   text: args.text,
 * }));
 * ```
 */
export function defineServiceFunction<
  TArgs extends v.GenericSchema,
  TResult,
  TContext extends ServiceContext = ServiceContext,
>(
  name: string,
  args: TArgs,
  handler: (args: v.InferOutput<TArgs>, context: TContext) => Promise<TResult>,
): ServiceFunction<TArgs, TResult, TContext> {
  return {
    name,
    args,
    run: async (input, context) => handler(parseInput(args, input, `${name} arguments`), context),
  };
}
