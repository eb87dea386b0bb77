import { describe, expect, it } from 'vitest';
import { TOTP_STEP_MS } from '../identity/test-support.js';
import { createManualClock } from '../time/clock.js';
import { generateTotpSecret, verifyTotpCode } from './totp.js';
import { wrongTotpCode } from './wrong-totp-code.js';

/** A secret and a time step whose code is `000000`, found by search. */
const ZERO_CODE_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const ZERO_CODE_STEP = 60_256_808;

/** Part way into a step. */
const INTO_STEP_MS = 5_000;

describe('wrongTotpCode', () => {
  it('gives six digits refused at that moment, for many secrets and times', () => {
    const clock = createManualClock();
    for (let round = 0; round < 200; round++) {
      const secret = generateTotpSecret();
      const code = wrongTotpCode(secret, clock);
      expect(code).toMatch(/^\d{6}$/);
      expect(verifyTotpCode(secret, code, clock)).toBeUndefined();
      clock.advance(7_777);
    }
  });

  for (const [side, offset] of [
    ['before', 1],
    ['after', -1],
  ] as const) {
    it(`avoids a code the step ${side} now yields, which the window still accepts`, () => {
      const clock = createManualClock((ZERO_CODE_STEP + offset) * TOTP_STEP_MS + INTO_STEP_MS);
      expect(verifyTotpCode(ZERO_CODE_SECRET, '000000', clock)).toBe(ZERO_CODE_STEP);

      const code = wrongTotpCode(ZERO_CODE_SECRET, clock);
      expect(code).not.toBe('000000');
      expect(verifyTotpCode(ZERO_CODE_SECRET, code, clock)).toBeUndefined();
    });
  }
});
