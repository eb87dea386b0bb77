/**
 * Time-based one-time passwords (RFC 6238) through otpauth, always against the injected clock.
 *
 * @module
 */

import { Secret, TOTP } from 'otpauth';
import { AcquireError, ErrorCode } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { randomBytes } from './random.js';

/** The issuer shown in authenticator apps. */
export const TOTP_ISSUER = 'Acquire';

/** 160-bit secrets, the size RFC 4226 §4 recommends for HMAC-SHA-1. */
export const TOTP_SECRET_BYTES = 20;

/** One code is valid for 30 seconds (RFC 6238 §5.2 default). */
export const TOTP_PERIOD_S = 30;

/** Codes one step either side of now are accepted, to allow for clock drift. */
export const TOTP_WINDOW_STEPS = 1;

/** Codes are six digits, the length authenticator apps show. */
export const TOTP_DIGITS = 6;

/** The HMAC hash, digit count and period of a TOTP generator. */
export interface TotpParameters {
  /** HMAC hash. @default 'SHA1' */
  algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  /** Code length. @default TOTP_DIGITS */
  digits?: number;
  /** Step length in seconds. @default TOTP_PERIOD_S */
  periodS?: number;
}

const CODE_PATTERN = /^\d+$/;

/**
 * Makes a new TOTP secret from the randomness module.
 *
 * @returns the secret in base32, as authenticator apps expect
 */
export function generateTotpSecret(): string {
  const bytes = randomBytes(TOTP_SECRET_BYTES);
  return new Secret({ buffer: bytes.buffer as ArrayBuffer }).base32;
}

/**
 * The `otpauth://` URI an authenticator app scans to add the account.
 *
 * @param secret - the base32 secret
 * @param accountName - the name the app shows, normally the username
 * @returns the provisioning URI; it contains the secret, so show it once and never log it
 */
export function totpProvisioningUri(secret: string, accountName: string): string {
  return createTotp(secret, {}, accountName).toString();
}

/**
 * Computes the code for a moment, for tests, demos and headless clients.
 *
 * @param secret - the base32 secret
 * @param clock - the time source
 * @param parameters - hash, digits and period
 * @returns the code as a string of digits
 */
export function totpCode(secret: string, clock: Clock, parameters: TotpParameters = {}): string {
  return createTotp(secret, parameters).generate({ timestamp: clock.now() });
}

/**
 * Checks a code against the clock, one step either side.
 *
 * @param secret - the base32 secret
 * @param code - the code a person typed
 * @param clock - the time source
 * @param parameters - hash, digits and period
 * @returns the time step (counter) the code belongs to, so callers can spend it once; or
 *   `undefined` when the code is wrong
 */
export function verifyTotpCode(
  secret: string,
  code: string,
  clock: Clock,
  parameters: TotpParameters = {},
): number | undefined {
  const digits = parameters.digits ?? TOTP_DIGITS;
  if (typeof code !== 'string' || code.length !== digits || !CODE_PATTERN.test(code)) {
    return undefined;
  }

  const totp = createTotp(secret, parameters);
  const timestamp = clock.now();
  const delta = totp.validate({ token: code, timestamp, window: TOTP_WINDOW_STEPS });
  if (delta === null) {
    return undefined;
  }
  return totp.counter({ timestamp }) + delta;
}

function createTotp(secret: string, parameters: TotpParameters, label = 'user'): TOTP {
  try {
    return new TOTP({
      issuer: TOTP_ISSUER,
      label,
      algorithm: parameters.algorithm ?? 'SHA1',
      digits: parameters.digits ?? TOTP_DIGITS,
      period: parameters.periodS ?? TOTP_PERIOD_S,
      secret: Secret.fromBase32(secret),
    });
  } catch (cause) {
    throw new AcquireError(ErrorCode.MALFORMED_DATA, 'TOTP secret is not valid base32', { cause });
  }
}
