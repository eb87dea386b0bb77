import { beforeEach, describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { generateSigningKeyPair } from '../crypto/signing.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { isValidKey } from '../store/keys.js';
import {
  type AccessTestbed,
  createAccessTestbed,
  snapshotStore,
} from './access-testbed.test-helper.js';
import { signGrant, verifyGrant } from './grant-token.js';
import {
  ACCESS_OBJECT_SIZE_MAX_BYTES,
  deleteObject,
  listObjects,
  readObject,
  writeObject,
} from './object-functions.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : 'not an AcquireError';
  }
}

function text(value: string): string {
  return base64UrlEncode(utf8Encode(value));
}

let testbed: AccessTestbed;
let writable: string;
let readable: string;

beforeEach(async () => {
  testbed = createAccessTestbed();
  writable = (await testbed.requestGrant('alice', 'read_write')).grant;
  readable = (await testbed.requestGrant('alice', 'read')).grant;
  await testbed.storage.write('buckets/bob/secret', utf8Encode('bob only'));
});

describe('a read_write grant', () => {
  it('writes, reads, lists and deletes objects inside its prefix', async () => {
    const { context, storage } = testbed;

    expect(
      await writeObject.run({ grant: writable, key: 'notes/a', value: text('A') }, context),
    ).toEqual({ key: 'notes/a' });
    await writeObject.run({ grant: writable, key: 'notes/b', value: text('B') }, context);
    await writeObject.run({ grant: writable, key: 'photo', value: '' }, context);

    expect(await readObject.run({ grant: writable, key: 'notes/a' }, context)).toEqual({
      found: true,
      value: text('A'),
    });
    expect(await readObject.run({ grant: readable, key: 'photo' }, context)).toEqual({
      found: true,
      value: '',
    });
    expect(await readObject.run({ grant: writable, key: 'missing' }, context)).toEqual({
      found: false,
    });
    expect(await listObjects.run({ grant: readable }, context)).toEqual({
      keys: ['.bucket', 'notes/a', 'notes/b', 'photo'],
    });
    expect(await listObjects.run({ grant: readable, prefix: 'notes' }, context)).toEqual({
      keys: ['notes/a', 'notes/b'],
    });

    await deleteObject.run({ grant: writable, key: 'notes/a' }, context);
    expect(await readObject.run({ grant: writable, key: 'notes/a' }, context)).toEqual({
      found: false,
    });
    expect(
      base64UrlEncode((await storage.read('buckets/alice/notes/b'))?.value ?? new Uint8Array()),
    ).toBe(text('B'));
  });

  it('lists page by page with relative keys', async () => {
    const { context } = testbed;
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await writeObject.run({ grant: writable, key: `p/${name}`, value: text(name) }, context);
    }

    const first = await listObjects.run({ grant: writable, prefix: 'p', limit: 2 }, context);
    const second = await listObjects.run(
      { grant: writable, prefix: 'p', limit: 2, startAfter: first.next },
      context,
    );
    const last = await listObjects.run(
      { grant: writable, prefix: 'p', limit: 2, startAfter: second.next },
      context,
    );

    expect(first).toEqual({ keys: ['p/a', 'p/b'], next: 'p/b' });
    expect(second).toEqual({ keys: ['p/c', 'p/d'], next: 'p/d' });
    expect(last).toEqual({ keys: ['p/e'] });
  });

  it('refuses values over the size limit and keeps ones at it', async () => {
    const { context, storage } = testbed;
    const atLimit = base64UrlEncode(new Uint8Array(ACCESS_OBJECT_SIZE_MAX_BYTES));
    const overLimit = base64UrlEncode(new Uint8Array(ACCESS_OBJECT_SIZE_MAX_BYTES + 1));

    await writeObject.run({ grant: writable, key: 'big', value: atLimit }, context);
    const write = writeObject.run({ grant: writable, key: 'bigger', value: overLimit }, context);

    expect(await codeOf(write)).toBe(ErrorCode.ACCESS_OBJECT_TOO_LARGE);
    expect((await storage.read('buckets/alice/big'))?.value.length).toBe(
      ACCESS_OBJECT_SIZE_MAX_BYTES,
    );
    expect(await storage.read('buckets/alice/bigger')).toBeUndefined();
  });
});

describe('grants are refused', () => {
  it('for changes when read-only, and nothing is written', async () => {
    const { context, storage } = testbed;
    await writeObject.run({ grant: writable, key: 'kept', value: text('kept') }, context);
    const before = await snapshotStore(storage);

    const write = writeObject.run({ grant: readable, key: 'new', value: text('x') }, context);
    const overwrite = writeObject.run({ grant: readable, key: 'kept', value: text('x') }, context);
    const remove = deleteObject.run({ grant: readable, key: 'kept' }, context);

    for (const attempt of [write, overwrite, remove]) {
      expect(await codeOf(attempt)).toBe(ErrorCode.GRANT_READ_ONLY);
    }
    expect(await snapshotStore(storage)).toEqual(before);
  });

  it('once expired, after the clock passes their expiry', async () => {
    const { context, clock, storage } = testbed;
    const { expiresAtMs } = verifyGrant(writable, {
      publicKey: context.grantSigner.publicKey,
      clock,
    });
    const before = await snapshotStore(storage);

    clock.set(expiresAtMs - 1);
    expect(await readObject.run({ grant: writable, key: 'x' }, context)).toEqual({ found: false });
    clock.set(expiresAtMs);

    expect(await codeOf(readObject.run({ grant: writable, key: 'x' }, context))).toBe(
      ErrorCode.GRANT_EXPIRED,
    );
    expect(
      await codeOf(writeObject.run({ grant: writable, key: 'x', value: text('x') }, context)),
    ).toBe(ErrorCode.GRANT_EXPIRED);
    expect(await codeOf(listObjects.run({ grant: writable }, context))).toBe(
      ErrorCode.GRANT_EXPIRED,
    );
    expect(await codeOf(deleteObject.run({ grant: writable, key: '.bucket' }, context))).toBe(
      ErrorCode.GRANT_EXPIRED,
    );
    expect(await snapshotStore(storage)).toEqual(before);
  });

  it('when forged: signed by another key, with altered claims or an altered signature', async () => {
    const { context, clock, storage } = testbed;
    const claims = verifyGrant(readable, { publicKey: context.grantSigner.publicKey, clock });
    const [header, payload, signature] = readable.split('.') as [string, string, string];
    const alteredPayload = base64UrlEncode(
      utf8Encode(
        new TextDecoder().decode(base64UrlDecode(payload)).replace('"read"', '"read_write"'),
      ),
    );
    const signatureBytes = base64UrlDecode(signature);
    signatureBytes[0] = (signatureBytes[0] as number) ^ 1;
    const forgeries = [
      signGrant({ ...claims, mode: 'read_write' }, generateSigningKeyPair().secretKey),
      `${header}.${alteredPayload}.${signature}`,
      `${header}.${payload}.${base64UrlEncode(signatureBytes)}`,
    ];
    const before = await snapshotStore(storage);

    for (const grant of forgeries) {
      const write = writeObject.run({ grant, key: 'x', value: text('x') }, context);
      expect(await codeOf(write)).toBe(ErrorCode.GRANT_FORGED);
      expect(await codeOf(readObject.run({ grant, key: '.bucket' }, context))).toBe(
        ErrorCode.GRANT_FORGED,
      );
    }
    expect(await snapshotStore(storage)).toEqual(before);
  });

  it('for keys outside the prefix or invalid keys, and nothing is written', async () => {
    const { context, storage } = testbed;
    const fitsAloneButNotJoined = Array.from({ length: 5 }, () => 'x'.repeat(177)).join('/');
    expect(isValidKey(fitsAloneButNotJoined)).toBe(true);
    const before = await snapshotStore(storage);
    const cases: [string, string][] = [
      ['../bob/secret', ErrorCode.GRANT_OUT_OF_SCOPE],
      ['notes/../../bob/secret', ErrorCode.GRANT_OUT_OF_SCOPE],
      ['..', ErrorCode.GRANT_OUT_OF_SCOPE],
      ['/buckets/bob/secret', ErrorCode.GRANT_OUT_OF_SCOPE],
      ['.bucket', ErrorCode.GRANT_OUT_OF_SCOPE],
      ['', ErrorCode.INVALID_KEY],
      ['./x', ErrorCode.INVALID_KEY],
      ['a//b', ErrorCode.INVALID_KEY],
      ['trailing/', ErrorCode.INVALID_KEY],
      ['bell\u0007', ErrorCode.INVALID_KEY],
      ['\ud800', ErrorCode.INVALID_KEY],
      [fitsAloneButNotJoined, ErrorCode.INVALID_KEY],
    ];

    for (const [key, code] of cases) {
      const write = writeObject.run({ grant: writable, key, value: text('x') }, context);
      expect(await codeOf(write), key).toBe(code);
      expect(await codeOf(deleteObject.run({ grant: writable, key }, context)), key).toBe(code);
      if (key !== '.bucket') {
        expect(await codeOf(readObject.run({ grant: writable, key }, context)), key).toBe(code);
        const list = listObjects.run({ grant: writable, prefix: key === '' ? '/' : key }, context);
        expect(await codeOf(list), key).toMatch(/^(GRANT_OUT_OF_SCOPE|INVALID_KEY)$/);
      }
    }
    expect(await snapshotStore(storage)).toEqual(before);
  });

  it("never reach another user's objects, and refuse keys that look like full keys", async () => {
    const { context, storage } = testbed;
    const before = await snapshotStore(storage);

    for (const key of ['buckets/bob/secret', 'buckets/alice/kept', 'buckets']) {
      expect(await codeOf(readObject.run({ grant: readable, key }, context)), key).toBe(
        ErrorCode.GRANT_OUT_OF_SCOPE,
      );
      const write = writeObject.run({ grant: writable, key, value: text('mine') }, context);
      expect(await codeOf(write), key).toBe(ErrorCode.GRANT_OUT_OF_SCOPE);
      expect(await codeOf(listObjects.run({ grant: readable, prefix: key }, context)), key).toBe(
        ErrorCode.GRANT_OUT_OF_SCOPE,
      );
    }
    expect(await snapshotStore(storage)).toEqual(before);

    const bobGrant = (await testbed.requestGrant('bob', 'read')).grant;
    expect(await listObjects.run({ grant: bobGrant }, context)).toEqual({
      keys: ['.bucket', 'secret'],
    });
    expect(await listObjects.run({ grant: readable }, context)).toEqual({ keys: ['.bucket'] });
  });
});
