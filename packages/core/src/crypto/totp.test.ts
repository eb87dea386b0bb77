import { describe, expect, it } from 'vitest';
import { createManualClock } from '../time/clock.js';
import {
  generateTotpSecret,
  TOTP_PERIOD_S,
  totpCode,
  totpProvisioningUri,
  verifyTotpCode,
} from './totp.js';

const STEP_MS = TOTP_PERIOD_S * 1000;

/**
 * The window cases use a fixed secret and time, so that no code of a step they expect refused
 * can equal, by chance, a code of a step inside the window.
 */
const WINDOW_TEST_START_MS = 1_800_000_000_000;

/** RFC 6238 Appendix B: the seeds are ASCII digits, in base32 here. */
const RFC_SECRETS = {
  SHA1: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  SHA256: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA',
  SHA512:
    'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA',
} as const;

const RFC_VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP', () => {
  it('matches every RFC 6238 test vector', () => {
    for (const [timeS, sha1, sha256, sha512] of RFC_VECTORS) {
      const clock = createManualClock(timeS * 1000);
      expect(totpCode(RFC_SECRETS.SHA1, clock, { algorithm: 'SHA1', digits: 8 })).toBe(sha1);
      expect(totpCode(RFC_SECRETS.SHA256, clock, { algorithm: 'SHA256', digits: 8 })).toBe(sha256);
      expect(totpCode(RFC_SECRETS.SHA512, clock, { algorithm: 'SHA512', digits: 8 })).toBe(sha512);
    }
  });

  it('accepts a code from the previous step, for a clock one step ahead, but not two', () => {
    const clock = createManualClock(WINDOW_TEST_START_MS);
    const step = Math.floor(clock.now() / STEP_MS);
    const code = totpCode(RFC_SECRETS.SHA1, clock);

    expect(verifyTotpCode(RFC_SECRETS.SHA1, code, clock)).toBe(step);
    clock.advance(STEP_MS);
    expect(verifyTotpCode(RFC_SECRETS.SHA1, code, clock)).toBe(step);
    clock.advance(STEP_MS);
    expect(verifyTotpCode(RFC_SECRETS.SHA1, code, clock)).toBeUndefined();
  });

  it('accepts a code from the next step, for a clock one step behind, but not two', () => {
    const clock = createManualClock(WINDOW_TEST_START_MS);
    const step = Math.floor(clock.now() / STEP_MS);
    const nextCode = totpCode(RFC_SECRETS.SHA1, createManualClock(clock.now() + STEP_MS));
    const afterNextCode = totpCode(RFC_SECRETS.SHA1, createManualClock(clock.now() + 2 * STEP_MS));

    expect(verifyTotpCode(RFC_SECRETS.SHA1, nextCode, clock)).toBe(step + 1);
    expect(verifyTotpCode(RFC_SECRETS.SHA1, afterNextCode, clock)).toBeUndefined();
  });

  it('refuses malformed codes without throwing', () => {
    const secret = generateTotpSecret();
    const clock = createManualClock();
    for (const code of ['', '12345', '1234567', 'abcdef', ' 12345', '12345\n']) {
      expect(verifyTotpCode(secret, code, clock)).toBeUndefined();
    }
  });

  it('makes 160-bit secrets and an otpauth URI for the Acquire issuer', () => {
    const secret = generateTotpSecret();
    const uri = totpProvisioningUri(secret, 'alice');

    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Acquire:alice\?/);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain('issuer=Acquire');
  });

  it('refuses a secret that is not base32 with MALFORMED_DATA', () => {
    expect(() => totpCode('not base32!', createManualClock())).toThrow(
      expect.objectContaining({ code: 'MALFORMED_DATA' }),
    );
  });
});
