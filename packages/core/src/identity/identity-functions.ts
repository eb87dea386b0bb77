/**
 * The identity service's functions, as one list for a service runtime to dispatch.
 *
 * @module
 */

import type * as v from 'valibot';
import type { ServiceFunction } from '../service/service-function.js';
import { getKeys } from './get-keys.js';
import { getStatus } from './get-status.js';
import type { IdentityContext } from './identity-context.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { register } from './register.js';
import { requestLogin } from './request-login.js';
import { whois } from './whois.js';

/** Every identity function, by wire name: register, request_login, login, logout, get_status, get_keys, whois. */
export const IDENTITY_FUNCTIONS: readonly ServiceFunction<
  v.GenericSchema,
  unknown,
  IdentityContext
>[] = [register, requestLogin, login, logout, getStatus, getKeys, whois];
