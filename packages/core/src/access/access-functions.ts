/**
 * Every function of the access service, for a service runtime to dispatch by wire name.
 *
 * @module
 */

import { deleteObject, listObjects, readObject, writeObject } from './object-functions.js';
import { presignObject } from './presign-object.js';
import { requestBucket } from './request-bucket.js';

/** The access service's wire functions, in the order they are documented. */
export const ACCESS_FUNCTIONS: readonly [
  typeof requestBucket,
  typeof readObject,
  typeof writeObject,
  typeof listObjects,
  typeof deleteObject,
  typeof presignObject,
] = [requestBucket, readObject, writeObject, listObjects, deleteObject, presignObject];
