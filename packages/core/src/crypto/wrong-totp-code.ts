/**
 * A one-time code that is certainly refused, for tests of refusals.
 *
 * @module
 */

import type { Clock } from '../time/clock.js';
import { TOTP_DIGITS, TOTP_PERIOD_S, TOTP_WINDOW_STEPS, totpCode } from './totp.js';

/**
 * Finds a code that no step inside the accepted window yields, so that a check at this moment
 * with Acquire's TOTP parameters refuses it. A code picked by hand would be right three times in
 * a million: whenever one of the three accepted steps happens to yield it.
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
  const stepMs = TOTP_PERIOD_S * 1000;
  const accepted = new Set<string>();
  for (let step = -TOTP_WINDOW_STEPS; step <= TOTP_WINDOW_STEPS; step++) {
    accepted.add(totpCode(secret, { now: () => nowMs + step * stepMs }));
  }

  // One candidate more than there are accepted codes, so one of them is always free.
  const candidates = Array.from({ length: accepted.size + 1 }, (_, index) =>
    String(index).padStart(TOTP_DIGITS, '0'),
  );
  return candidates.find((code) => !accepted.has(code)) as string;
}
