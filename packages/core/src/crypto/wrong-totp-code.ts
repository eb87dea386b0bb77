/**
 * A one-time code that is certainly refused, for tests of refusals.
 *
 * @module
 */

import type { Clock } from '../time/clock.js';
import { TOTP_DIGITS, TOTP_WINDOW_STEPS, verifyTotpCode } from './totp.js';

/** The window accepts the codes of this many steps, so one more candidate is always refused. */
const CANDIDATES = 2 * TOTP_WINDOW_STEPS + 2;

/**
 * Finds a code that the verifier refuses at this moment with Acquire's TOTP parameters: none of
 * the steps inside the accepted window yields it. A code picked by hand would be right three
 * times in a million: whenever one of the three accepted steps happens to yield it.
 *
 * @example
 * ```ts
 * import { wrongTotpCode } from '@acquire/core/testing';
 *
 * const code = wrongTotpCode(totpSecret, clock);
 * await expect(login({ username, password, code })).rejects.toThrow();
 * ```
 *
 * @param secret - the base32 secret
 * @param clock - the time source the check will use, read once
 * @returns six digits that no accepted step produces
 * @throws AcquireError `MALFORMED_DATA` when the secret is not base32
 */
export function wrongTotpCode(secret: string, clock: Clock): string {
  const nowMs = clock.now();
  const now = { now: () => nowMs };

  const candidates = Array.from({ length: CANDIDATES }, (_, index) =>
    String(index).padStart(TOTP_DIGITS, '0'),
  );
  return candidates.find((code) => verifyTotpCode(secret, code, now) === undefined) as string;
}
