import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  base64UrlEncode,
  encodePublicKey,
  generateEncryptionKeyPair,
  generateSigningKeyPair,
  SCRYPT_LOG_N_MIN,
} from '@acquire/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileWalletStorage } from '../node/file-wallet-storage.js';
import { createWallet, type WalletSession } from './wallet.js';
import {
  createMemoryWalletStorage,
  createWebWalletStorage,
  type WalletStorage,
} from './wallet-storage.js';

function makeSession(username: string): WalletSession {
  const signing = generateSigningKeyPair();
  const encryption = generateEncryptionKeyPair();
  return {
    identityUrl: 'http://127.0.0.1:1/identity',
    username,
    userUid: `uid-${username}`,
    sessionUid: `session-${username}`,
    shortUid: 'abcd1234',
    loginUrl: 'http://127.0.0.1:1/identity/s?id=abcd1234',
    publicKey: encodePublicKey('x25519', encryption.publicKey),
    certificate: encodePublicKey('ed25519', signing.publicKey),
    signingSecretKey: signing.secretKey,
    encryptionSecretKey: encryption.secretKey,
  };
}

class MapWebStorage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'acquire-wallet-'));
  directories.push(directory);
  return join(directory, 'wallet');
}

const storages: [string, () => Promise<WalletStorage>][] = [
  ['memory', async () => createMemoryWalletStorage()],
  ['web storage', async () => createWebWalletStorage(new MapWebStorage())],
  ['files', async () => createFileWalletStorage(await tempDirectory())],
];

describe.each(storages)('wallet on %s', (_label, makeStorage) => {
  it('keeps sessions between wallet instances and opens them with the password', async () => {
    const storage = await makeStorage();
    const session = makeSession('Alice');
    await createWallet({ storage, password: 'pw', passwordLogN: SCRYPT_LOG_N_MIN }).saveSession(
      session,
    );

    const again = createWallet({ storage, password: 'pw', passwordLogN: SCRYPT_LOG_N_MIN });
    expect(await again.loadSession(session.identityUrl, 'alice')).toEqual(session);
    expect(await again.listSessions()).toEqual([
      expect.objectContaining({ username: 'Alice', sessionUid: 'session-Alice' }),
    ]);
    expect(await again.loadSession(session.identityUrl, 'bob')).toBeUndefined();
  });

  it('refuses the wrong password and forgets removed sessions', async () => {
    const storage = await makeStorage();
    const session = makeSession('bob');
    await createWallet({ storage, password: 'right', passwordLogN: SCRYPT_LOG_N_MIN }).saveSession(
      session,
    );

    const wrong = createWallet({ storage, password: 'wrong', passwordLogN: SCRYPT_LOG_N_MIN });
    await expect(wrong.loadSession(session.identityUrl, 'bob')).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
    });
    await wrong.removeSession(session.identityUrl, 'bob');
    expect(await wrong.listSessions()).toEqual([]);
  });

  it('keeps service information by URL', async () => {
    const wallet = createWallet({ storage: await makeStorage(), password: 'pw' });
    await wallet.saveServiceInfo('http://a', { type: 'identity', key: 'k' });

    expect(await wallet.loadServiceInfo('http://a')).toEqual({ type: 'identity', key: 'k' });
    expect(await wallet.loadServiceInfo('http://b')).toBeUndefined();
  });
});

describe('file wallet storage', () => {
  it('keeps secret keys sealed and files readable by the owner only', async () => {
    const directory = await tempDirectory();
    const session = makeSession('carol');
    const wallet = createWallet({
      storage: createFileWalletStorage(directory),
      password: 'pw',
      passwordLogN: SCRYPT_LOG_N_MIN,
    });
    await wallet.saveSession(session);

    const files = await readdir(directory);
    expect(files).toHaveLength(1);
    const text = await readFile(join(directory, files[0] as string), 'utf8');
    expect(text).not.toContain(base64UrlEncode(session.signingSecretKey));
    expect(text).not.toContain(base64UrlEncode(session.encryptionSecretKey));
    expect((await stat(join(directory, files[0] as string))).mode & 0o777).toBe(0o600);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
  });

  it('reports a damaged entry as CORRUPT_RECORD', async () => {
    const storage = createFileWalletStorage(await tempDirectory());
    const wallet = createWallet({ storage, password: 'pw', passwordLogN: SCRYPT_LOG_N_MIN });
    await wallet.saveSession(makeSession('dave'));
    const [name] = await storage.list();
    await storage.write(name as string, '{"v":1,');

    await expect(wallet.listSessions()).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
  });

  it('refuses entry names that could leave the directory', async () => {
    const storage = createFileWalletStorage(await tempDirectory());

    for (const name of ['../x', 'a/b', '', '.hidden']) {
      await expect(storage.write(name, 'x')).rejects.toThrow(TypeError);
    }
  });
});
