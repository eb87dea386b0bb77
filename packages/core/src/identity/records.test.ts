import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../crypto/encoding.js';
import { readJson, writeJson } from '../store/json.js';
import { listAllKeys } from '../store/listing.js';
import { getStatus } from './get-status.js';
import {
  approveSession,
  createLoginSession,
  denySession,
  effectiveSession,
  type LoginSession,
  logOutSession,
  markSuspicious,
  parseLoginSession,
  SESSION_REQUEST_TTL_MS,
  SESSION_TTL_MS,
} from './login-session.js';
import { requestLogin } from './request-login.js';
import { createClientKeys, createTestContext, logIn, registerUser } from './test-support.js';
import { whois } from './whois.js';

const SESSION_UID = '0123abcd-0000-4000-8000-000000000000';
const USER_UID = '00000000-0000-4000-8000-00000000000a';
const START_MS = 1_000_000;

function newSession(): LoginSession {
  const keys = createClientKeys();
  return createLoginSession({
    sessionUid: SESSION_UID,
    userUid: USER_UID,
    publicKey: keys.publicKey,
    certificate: keys.certificate,
    requestTimeMs: START_MS,
    hostname: 'laptop',
  });
}

describe('login session records', () => {
  it('moves through its states and drops keys as it ends', () => {
    const session = newSession();
    expect(session).toMatchObject({ status: 'unapproved', shortUid: '0123abcd' });
    expect(parseLoginSession(JSON.parse(JSON.stringify(session)))).toEqual(
      JSON.parse(JSON.stringify(session)),
    );

    const approved = approveSession(session, START_MS + 5);
    expect(approved).toMatchObject({ status: 'approved', loginTimeMs: START_MS + 5 });
    expect(() => approveSession(approved, START_MS + 6)).toThrow(
      expect.objectContaining({ code: 'SESSION_NOT_PENDING' }),
    );

    const ended = logOutSession(approved, START_MS + 9);
    expect(ended).toMatchObject({
      status: 'logged_out',
      logoutTimeMs: START_MS + 9,
      certificate: session.certificate,
    });
    expect(ended.publicKey).toBeUndefined();
    expect(() => logOutSession(session, START_MS)).toThrow(
      expect.objectContaining({ code: 'SESSION_NOT_APPROVED' }),
    );

    const denied = denySession(session, START_MS + 1);
    expect(denied.publicKey).toBeUndefined();
    expect(denied.certificate).toBeUndefined();
    expect(markSuspicious(denied, START_MS + 2)).toBe(denied);
    const suspicious = markSuspicious(approved, START_MS + 2);
    expect(suspicious.status).toBe('suspicious');
    expect(suspicious.publicKey).toBeUndefined();
  });

  it('applies expiry when read, before any pruning', () => {
    const session = newSession();
    expect(effectiveSession(session, START_MS + SESSION_REQUEST_TTL_MS).status).toBe('denied');
    const approved = approveSession(session, START_MS);
    expect(effectiveSession(approved, START_MS + SESSION_TTL_MS - 1).status).toBe('approved');
    expect(effectiveSession(approved, START_MS + SESSION_TTL_MS)).toMatchObject({
      status: 'logged_out',
      logoutTimeMs: START_MS + SESSION_TTL_MS,
    });
  });

  it('refuses damaged and newer-layout records as CORRUPT_RECORD', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'peggy');
    const session = await logIn(context, user);
    const key = `sessions/peggy/${session.sessionUid}`;
    const stored = await readJson(context.store, key);
    const read = () =>
      getStatus.run({ username: 'peggy', sessionUid: session.sessionUid }, context);

    await writeJson(context.store, key, { ...(stored?.value as object), v: 2 });
    await expect(read()).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
    await writeJson(context.store, key, { ...(stored?.value as object), shortUid: 'ffffffff' });
    await expect(read()).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
    await context.store.write(key, utf8Encode('{not json'));
    await expect(read()).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });

    await writeJson(context.store, 'accounts/peggy', { v: 1, username: 'peggy' });
    await expect(whois.run({ username: 'peggy' }, context)).rejects.toMatchObject({
      code: 'CORRUPT_RECORD',
    });
  });

  it('reads a session whose move to expired_sessions was cut short, and finishes the move', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'quinn');
    const session = await logIn(context, user);
    const key = `sessions/quinn/${session.sessionUid}`;
    const stored = await readJson(context.store, key, parseLoginSession);
    await writeJson(
      context.store,
      key,
      logOutSession(stored?.value as LoginSession, context.clock.now()),
    );

    expect(
      (await getStatus.run({ username: 'quinn', sessionUid: session.sessionUid }, context)).status,
    ).toBe('logged_out');
    const keys = createClientKeys();
    await requestLogin.run(
      { username: 'quinn', publicKey: keys.publicKey, certificate: keys.certificate },
      context,
    );
    expect(await listAllKeys(context.store, 'expired_sessions')).toEqual([
      `expired_sessions/quinn/${session.sessionUid}`,
    ]);
  });

  it('ignores a whois record left behind by an interrupted registration', async () => {
    const context = createTestContext();
    const user = await registerUser(context, 'rupert');
    const orphan = '00000000-0000-4000-8000-0000000000ff';
    await writeJson(context.store, `whois/${orphan}`, { v: 1, username: 'rupert' });

    await expect(whois.run({ userUid: orphan }, context)).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
    expect(await whois.run({ userUid: user.userUid }, context)).toEqual({
      username: 'rupert',
      userUid: user.userUid,
    });
  });
});
