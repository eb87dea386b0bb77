import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { generateSigningKeyPair, sign } from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { canonicalJson } from '../service/request-resource.js';
import { createManualClock } from '../time/clock.js';
import { type GrantClaims, signGrant, verifyGrant } from './grant-token.js';

const clock = createManualClock();
const keys = generateSigningKeyPair();
const options = { publicKey: keys.publicKey, clock };

const claims: GrantClaims = {
  grantId: 'g-1',
  userUid: 'alice',
  prefix: 'buckets/alice',
  mode: 'read',
  issuedAtMs: clock.now(),
  expiresAtMs: clock.now() + 60_000,
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AcquireError);
    return (error as AcquireError).code;
  }
}

/** Signs arbitrary payload text as the access service would, to test what checks follow. */
function signRaw(header: string, payloadJson: string): string {
  const payload = base64UrlEncode(utf8Encode(payloadJson));
  const signature = sign(utf8Encode(`${header}.${payload}`), keys.secretKey);
  return `${header}.${payload}.${base64UrlEncode(signature)}`;
}

describe('grant tokens', () => {
  it('give back exactly the signed claims while unexpired', () => {
    const token = signGrant(claims, keys.secretKey);

    expect(token).toMatch(/^acquire-grant-v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(verifyGrant(token, options)).toEqual(claims);
  });

  it('expire at their expiry instant, not before', () => {
    const token = signGrant(claims, keys.secretKey);
    const shortClock = createManualClock(claims.expiresAtMs - 1);

    expect(verifyGrant(token, { ...options, clock: shortClock })).toEqual(claims);
    shortClock.advance(1);
    expect(codeOf(() => verifyGrant(token, { ...options, clock: shortClock }))).toBe(
      ErrorCode.GRANT_EXPIRED,
    );
  });

  it('are refused as forged when signed by another key', () => {
    const token = signGrant(claims, generateSigningKeyPair().secretKey);

    expect(codeOf(() => verifyGrant(token, options))).toBe(ErrorCode.GRANT_FORGED);
  });

  it('are refused as forged when the claims are altered', () => {
    const [header, payload, signature] = signGrant(claims, keys.secretKey).split('.');
    const altered = utf8Decode(base64UrlDecode(payload as string)).replace(
      '"read"',
      '"read_write"',
    );
    const token = `${header}.${base64UrlEncode(utf8Encode(altered))}.${signature}`;

    expect(altered).toContain('"mode":"read_write"');

    expect(codeOf(() => verifyGrant(token, options))).toBe(ErrorCode.GRANT_FORGED);
  });

  it('are refused as forged when any signature bit is flipped', () => {
    const [header, payload, signature] = signGrant(claims, keys.secretKey).split('.');
    const signatureBytes = base64UrlDecode(signature as string);

    fc.assert(
      fc.property(fc.integer({ min: 0, max: signatureBytes.length * 8 - 1 }), (bit) => {
        const flipped = signatureBytes.slice();
        flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
        const token = `${header}.${payload}.${base64UrlEncode(flipped)}`;
        expect(codeOf(() => verifyGrant(token, options))).toBe(ErrorCode.GRANT_FORGED);
      }),
      { numRuns: 40 },
    );
  });

  it('of another version are refused with their own code, even when validly signed', () => {
    const payload = canonicalJson({ ...claims, v: 2 });

    expect(codeOf(() => verifyGrant(signRaw('acquire-grant-v2', payload), options))).toBe(
      ErrorCode.GRANT_VERSION_UNSUPPORTED,
    );
  });

  it('with validly signed but incomplete or inconsistent claims are malformed', () => {
    const bad = [
      canonicalJson({ ...claims, v: 2 }),
      canonicalJson({ ...claims }),
      canonicalJson({ ...claims, v: 1, expiresAtMs: claims.issuedAtMs }),
      canonicalJson({ ...claims, v: 1, prefix: 'buckets/../bob' }),
      canonicalJson({ ...claims, v: 1, mode: 'admin' }),
      canonicalJson({ ...claims, v: 1, extra: true }),
      '{"v":1,',
    ];

    for (const payload of bad) {
      expect(codeOf(() => verifyGrant(signRaw('acquire-grant-v1', payload), options))).toBe(
        ErrorCode.GRANT_MALFORMED,
      );
    }
  });

  it('refuse anything that is not a token as malformed', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string(),
          fc
            .array(fc.base64String(), { minLength: 1, maxLength: 5 })
            .map((parts) => parts.join('.')),
          fc.string().map((tail) => `acquire-grant-v1.${tail}`),
          fc.constant('x'.repeat(5000)),
        ),
        (token) => {
          expect(codeOf(() => verifyGrant(token, options))).toBe(ErrorCode.GRANT_MALFORMED);
        },
      ),
    );
  });
});
