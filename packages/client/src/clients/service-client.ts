/**
 * Typed clients from service-function definitions: one method per function, with argument and
 * result types taken from the same valibot schemas the service validates with, so they are
 * described once. Arguments are checked on the client before anything is sent.
 *
 * @module
 */

import {
  parseInput,
  type ServiceFunction,
  type ServiceFunctionArgs,
  type ServiceFunctionResult,
} from '@acquire/core';

/** Sends one call to a service and returns its decoded result, or throws its AcquireError. */
export type FunctionCaller = (
  name: string,
  args: Readonly<Record<string, unknown>>,
) => Promise<unknown>;

/** A record of service functions under the method names a client should have. */
export type ServiceFunctionMap = Readonly<Record<string, ServiceFunction>>;

/** The typed client for a {@link ServiceFunctionMap}: one async method per function. */
export type ServiceClient<TFunctions extends ServiceFunctionMap> = {
  readonly [Method in keyof TFunctions]: (
    args: ServiceFunctionArgs<TFunctions[Method]>,
  ) => Promise<ServiceFunctionResult<TFunctions[Method]>>;
};

/**
 * Builds a typed client.
 *
 * @param call - sends a call by wire name, for example bound to a service URL
 * @param functions - the functions by method name
 * @returns an object with one method per function
 * @throws AcquireError `INVALID_ARGUMENT` from a method whose arguments fail the schema; nothing
 *   is sent then
 * @example
 * ```ts
 * import { createServiceClient, IDENTITY_CLIENT_FUNCTIONS } from '@acquire/client';
 *
 * const identity = createServiceClient(caller, IDENTITY_CLIENT_FUNCTIONS);
 * const { userUid } = await identity.whois({ username: 'alice' });
 * ```
 */
export function createServiceClient<TFunctions extends ServiceFunctionMap>(
  call: FunctionCaller,
  functions: TFunctions,
): ServiceClient<TFunctions> {
  const methods: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {};

  for (const [method, definition] of Object.entries(functions)) {
    methods[method] = async (args) => {
      parseInput(definition.args, args, `${definition.name} arguments`);
      return call(definition.name, args);
    };
  }
  return methods as ServiceClient<TFunctions>;
}
