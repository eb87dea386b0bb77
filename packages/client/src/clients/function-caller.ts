/**
 * A {@link FunctionCaller} bound to one service URL, on top of core's `callFunction`.
 *
 * @module
 */

import { type CallFunctionOptions, callFunction } from '@acquire/core';
import type { FunctionCaller } from './service-client.js';

/** Options for {@link createFunctionCaller}. */
export interface FunctionCallerOptions extends CallFunctionOptions {
  /** Wire names of functions that may safely run twice; only these are retried. */
  readonly idempotentFunctions?: readonly string[];
}

/**
 * Binds calls to a service URL. Every reply is sealed to a one-time key and signed by the
 * service unless the options say otherwise.
 *
 * @param url - the service's canonical URL
 * @param options - pinning, time limits, retries and injected parts
 * @returns a caller for {@link createServiceClient}
 */
export function createFunctionCaller(
  url: string,
  options: FunctionCallerOptions = {},
): FunctionCaller {
  const { idempotentFunctions = [], ...callOptions } = options;

  return (name, args) =>
    callFunction(url, name, args, {
      ...callOptions,
      idempotent: idempotentFunctions.includes(name),
    });
}
