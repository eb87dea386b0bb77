/**
 * The typed client of an access service.
 *
 * @module
 */

import {
  deleteObject as deleteObjectFunction,
  listObjects as listObjectsFunction,
  presignObject as presignObjectFunction,
  readObject as readObjectFunction,
  requestBucket as requestBucketFunction,
  writeObject as writeObjectFunction,
} from '@acquire/core';
import { createFunctionCaller, type FunctionCallerOptions } from './function-caller.js';
import { createServiceClient, type ServiceClient } from './service-client.js';

/** The access functions under their client method names. */
export const ACCESS_CLIENT_FUNCTIONS: {
  /** Calls `request_bucket`. */
  readonly requestBucket: typeof requestBucketFunction;
  /** Calls `read_object`. */
  readonly readObject: typeof readObjectFunction;
  /** Calls `write_object`. */
  readonly writeObject: typeof writeObjectFunction;
  /** Calls `list_objects`. */
  readonly listObjects: typeof listObjectsFunction;
  /** Calls `delete_object`. */
  readonly deleteObject: typeof deleteObjectFunction;
  /** Calls `presign_object`; move the bytes with `uploadThroughPresignedUrl` and its kin. */
  readonly presignObject: typeof presignObjectFunction;
} = {
  requestBucket: requestBucketFunction,
  readObject: readObjectFunction,
  writeObject: writeObjectFunction,
  listObjects: listObjectsFunction,
  deleteObject: deleteObjectFunction,
  presignObject: presignObjectFunction,
};

/** Functions that change nothing, so a call may be sent again after a lost answer. */
const IDEMPOTENT_ACCESS_FUNCTIONS: readonly string[] = [
  'read_object',
  'list_objects',
  'presign_object',
];

/** A typed access client. */
export type AccessClient = ServiceClient<typeof ACCESS_CLIENT_FUNCTIONS>;

/**
 * Creates a typed client for an access service.
 *
 * @param url - the access service's URL
 * @param options - pinning, time limits and injected parts
 * @returns one method per access function
 * @example
 * ```ts
 * import { createAccessClient } from '@acquire/client';
 *
 * const access = createAccessClient('http://127.0.0.1:8003');
 * const listing = await access.listObjects({ grant });
 * ```
 */
export function createAccessClient(url: string, options: FunctionCallerOptions = {}): AccessClient {
  const call = createFunctionCaller(url, {
    idempotentFunctions: IDEMPOTENT_ACCESS_FUNCTIONS,
    ...options,
  });
  return createServiceClient(call, ACCESS_CLIENT_FUNCTIONS);
}
