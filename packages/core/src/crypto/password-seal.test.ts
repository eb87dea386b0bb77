import { describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, utf8Encode } from './encoding.js';
import {
  needsReseal,
  openWithPassword,
  PASSWORD_LENGTH_MAX_CHARS,
  type PasswordSealed,
  SCRYPT_LOG_N_MIN,
  sealWithPassword,
} from './password-seal.js';

const FAST = { logN: SCRYPT_LOG_N_MIN };
const secret = utf8Encode('a private key');

function flipFirstByte(text: string): string {
  const bytes = base64UrlDecode(text);
  bytes[0] = (bytes[0] as number) ^ 1;
  return base64UrlEncode(bytes);
}

describe('password seal', () => {
  it('round-trips with the right password and stores its parameters', async () => {
    const sealed = await sealWithPassword(secret, 'hunter2 is long enough', FAST);

    expect(sealed).toMatchObject({ v: 1, kdf: 'scrypt', logN: SCRYPT_LOG_N_MIN, r: 8, p: 1 });
    expect(await openWithPassword(sealed, 'hunter2 is long enough')).toEqual(secret);
    expect(JSON.stringify(sealed)).not.toContain('hunter2');
  });

  it('treats NFKC-equivalent passwords as one', async () => {
    const sealed = await sealWithPassword(secret, 'ﬁsh-café', FAST);

    expect(await openWithPassword(sealed, 'fish-cafe\u0301')).toEqual(secret);
  });

  it('tells a wrong password apart from altered data', async () => {
    const sealed = await sealWithPassword(secret, 'right password', FAST);

    await expect(openWithPassword(sealed, 'wrong password')).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
    });
    await expect(
      openWithPassword({ ...sealed, data: flipFirstByte(sealed.data) }, 'right password'),
    ).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(
      openWithPassword({ ...sealed, nonce: flipFirstByte(sealed.nonce) }, 'right password'),
    ).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('refuses malformed records and costs outside the bounds', async () => {
    const sealed = await sealWithPassword(secret, 'pw', FAST);
    const malformed: unknown[] = [
      null,
      {},
      { ...sealed, v: 2 },
      { ...sealed, kdf: 'md5' },
      { ...sealed, logN: 30 },
      { ...sealed, logN: 2 },
      { ...sealed, r: 1 },
      { ...sealed, nonce: 'AAAA' },
      { ...sealed, salt: '***' },
    ];
    for (const record of malformed) {
      await expect(openWithPassword(record as PasswordSealed, 'pw')).rejects.toMatchObject({
        code: 'MALFORMED_DATA',
      });
    }
  });

  it('refuses empty and over-long passwords and bad costs', async () => {
    await expect(sealWithPassword(secret, '', FAST)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      sealWithPassword(secret, 'x'.repeat(PASSWORD_LENGTH_MAX_CHARS + 1), FAST),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(sealWithPassword(secret, 'pw', { logN: 25 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('says when a record should be re-sealed at a higher cost', async () => {
    const sealed = await sealWithPassword(secret, 'pw', FAST);

    expect(needsReseal(sealed)).toBe(true);
    expect(needsReseal(sealed, SCRYPT_LOG_N_MIN)).toBe(false);
  });
});
