/**
 * A one-time code that is certainly refused, for tests of refusals.
 *
 * @module
 */

import type { Clock } from '../time/clock.js';
import { TOTP_DIGITS, TOTP_PERIOD_S, TOTP_WINDOW_STEPS, totpCode } from './totp.js';

/**
 * Finds a code that no step inside the accepted window yields, so that a check at this moment
 * refuses it. Any code chosen by chance would be right once in a million tries, or three times
 * that with the window.
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
 * @param clock - the time source the check will use
 * @returns six digits that no accepted step produces
 */
export function wrongTotpCode(secret: string, clock: Clock): string {
  const stepMs = TOTP_PERIOD_S * 1000;
  const accepted = new Set<string>();
  for (let step = -TOTP_WINDOW_STEPS; step <= TOTP_WINDOW_STEPS; step++) {
    accepted.add(totpCode(secret, { now: () => clock.now() + step * stepMs }));
  }

  for (let candidate = 0; ; candidate++) {
    const code = String(candidate).padStart(TOTP_DIGITS, '0');
    if (!accepted.has(code)) {
      return code;
    }
  }
}
