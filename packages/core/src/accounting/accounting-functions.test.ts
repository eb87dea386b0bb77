import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import { silentLogger } from '../logging.js';
import type { ServiceFunction } from '../service/service-function.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock, type ManualClock } from '../time/clock.js';
import type { AccountingContext } from './accounting-access.js';
import {
  ACCOUNTING_FUNCTIONS,
  createAccount,
  deposit,
  getAccountUids,
  getInfo,
  getTransactions,
  perform,
  receipt,
  refund,
} from './accounting-functions.js';
import {
  authorised,
  createTestUser,
  createTestVerifier,
  TEST_AUTHORISATION_STALE_MS,
  type TestUser,
} from './test-support/test-verifier.js';

let store: ObjectStore;
let clock: ManualClock;
let context: AccountingContext;
let alice: TestUser;
let bob: TestUser;

beforeEach(() => {
  store = createMemoryStore();
  clock = createManualClock();
  alice = createTestUser();
  bob = createTestUser();
  context = {
    store,
    clock,
    logger: silentLogger,
    serviceUrl: 'https://accounting.test',
    verifyAuthorisation: createTestVerifier([alice, bob], clock),
  };
});

// biome-ignore lint/suspicious/noExplicitAny: the helper calls functions of every argument type
type AnyFunction = ServiceFunction<any, unknown, AccountingContext>;

function call<R>(
  fn: ServiceFunction<never, R, AccountingContext> | AnyFunction,
  user: TestUser,
  args: Record<string, unknown>,
): Promise<R> {
  return (fn as AnyFunction).run(authorised(user, fn.name, args, clock), context) as Promise<R>;
}

/** Takes a thunk: a function's `run` may throw before it returns a promise. */
async function codeOf(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : `untyped: ${String(error)}`;
  }
}

async function mainOf(user: TestUser): Promise<string> {
  const { accounts } = await call(getAccountUids, user, {});
  return accounts.find((entry) => entry.name === 'main')!.uid;
}

async function snapshot(): Promise<Map<string, string>> {
  const keys = (await store.listPage('')).keys;
  const entries = await Promise.all(
    keys.map(async (key) => [key, (await store.read(key))!.version] as const),
  );
  return new Map(entries);
}

describe('accounting functions', () => {
  it('creates accounts, with main from the first call, and describes them', async () => {
    expect((await call(getAccountUids, alice, {})).accounts.map((entry) => entry.name)).toEqual([
      'main',
    ]);
    const { account } = await call(createAccount, alice, {
      name: 'savings',
      description: 'for later',
      overdraftLimit: '10',
    });
    expect(account).toMatchObject({
      name: 'savings',
      description: 'for later',
      overdraftLimit: '10',
      dailyLimit: null,
    });
    expect(await codeOf(() => call(createAccount, alice, { name: 'savings' }))).toBe(
      'ACCOUNT_EXISTS',
    );

    const byName = await call(getInfo, alice, { account: 'savings' });
    const byUid = await call(getInfo, alice, { account: account.uid });
    expect(byName).toEqual(byUid);
    expect(byName.balance).toEqual({
      balance: '0',
      liability: '0',
      receivable: '0',
      spentToday: '0',
      available: '10',
    });
    expect(await codeOf(() => call(getInfo, bob, { account: account.uid }))).toBe(
      'ACCOUNT_ACCESS_DENIED',
    );
    expect(await codeOf(() => call(getInfo, bob, { account: 'savings' }))).toBe(
      'ACCOUNT_NOT_FOUND',
    );
  });

  it('deposits from billing into deposits, and reports an invoice once billing is below -50', async () => {
    const first = await call(deposit, alice, { value: '30' });
    expect(first.transactions).toHaveLength(1);
    expect(first.invoiceUser).toBeUndefined();

    const second = await call(deposit, alice, { value: '40.5' });
    expect(second).toMatchObject({ invoiceUser: alice.userUid, invoiceValue: '-70.5' });
    expect(await codeOf(() => call(deposit, alice, { value: '80' }))).toBe('INSUFFICIENT_FUNDS');

    const deposits = await call(getInfo, alice, { account: 'deposits' });
    expect(deposits.balance.balance).toBe('70.5');
    expect((await call(getInfo, alice, { account: 'billing' })).account.overdraftLimit).toBe('150');
  });

  it('performs, receipts and refunds only for the owner of the account each acts on', async () => {
    const payer = (await call(createAccount, alice, { name: 'spending', overdraftLimit: '100' }))
      .account.uid;
    const payee = await mainOf(bob);
    const transfer = {
      debitAccountUid: payer,
      creditAccountUid: payee,
      value: '12.5',
      description: 'tea',
    };

    expect(await codeOf(() => call(perform, bob, { transactions: [transfer] }))).toBe(
      'ACCOUNT_ACCESS_DENIED',
    );
    const direct = (await call(perform, alice, { transactions: [transfer] })).transactions[0]!;
    expect(direct).toMatchObject({ state: 'direct', value: '12.5', description: 'tea' });
    const held = (await call(perform, alice, { transactions: [transfer], provisional: true }))
      .transactions[0]!;

    expect(await codeOf(() => call(receipt, alice, { transactionUid: held.uid }))).toBe(
      'ACCOUNT_ACCESS_DENIED',
    );
    const receipted = await call(receipt, bob, { transactionUid: held.uid, value: '2' });
    expect(receipted.transaction.settlement).toMatchObject({
      kind: 'receipt',
      value: '12.5',
      receiptedValue: '2',
    });

    expect(await codeOf(() => call(refund, alice, { transactionUid: direct.uid }))).toBe(
      'ACCOUNT_ACCESS_DENIED',
    );
    expect((await call(refund, bob, { transactionUid: direct.uid })).transaction.state).toBe(
      'refunded',
    );
    expect((await call(getInfo, alice, { account: 'spending' })).balance.balance).toBe('-2');
  });

  it('returns the first result for a repeated idempotency key, scoped to the caller', async () => {
    const payer = await mainOf(alice);
    await call(createAccount, alice, { name: 'other', overdraftLimit: '5' });
    const payee = await mainOf(bob);
    await call(createAccount, bob, { name: 'spare', overdraftLimit: '5' });
    const args = {
      transactions: [
        { debitAccountUid: payer, creditAccountUid: payee, value: '0', description: '' },
      ],
    };
    expect(await codeOf(() => call(perform, alice, { ...args, idempotencyKey: 'k' }))).toBe(
      'INVALID_MONEY',
    );

    const alicePayer = (await call(getInfo, alice, { account: 'other' })).account.uid;
    const transfer = {
      debitAccountUid: alicePayer,
      creditAccountUid: payee,
      value: '1',
      description: '',
    };
    const first = await call(perform, alice, { transactions: [transfer], idempotencyKey: 'k' });
    const again = await call(perform, alice, { transactions: [transfer], idempotencyKey: 'k' });
    expect(again).toEqual(first);
    const bobPayer = (await call(getInfo, bob, { account: 'spare' })).account.uid;
    const bobs = await call(perform, bob, {
      transactions: [
        { debitAccountUid: bobPayer, creditAccountUid: alicePayer, value: '1', description: '' },
      ],
      idempotencyKey: 'k',
    });
    expect(bobs.transactions[0]!.uid).not.toBe(first.transactions[0]!.uid);
    expect((await call(getInfo, alice, { account: 'other' })).balance.balance).toBe('0');
  });

  it('binds each authorisation to its exact arguments, refuses stale ones, and spends money-moving ones once', async () => {
    const payer = (await call(createAccount, alice, { name: 'spending', overdraftLimit: '100' }))
      .account.uid;
    const payee = await mainOf(bob);
    const transfer = {
      debitAccountUid: payer,
      creditAccountUid: payee,
      value: '1',
      description: '',
    };
    const signed = authorised(alice, 'perform', { transactions: [transfer] }, clock);

    const altered = { ...signed, transactions: [{ ...transfer, value: '99' }] };
    expect(await codeOf(() => perform.run(altered, context))).toBe('INVALID_SIGNATURE');
    const replayed = { authorisation: signed.authorisation, value: '1' };
    expect(await codeOf(() => deposit.run(replayed, context))).toBe('INVALID_SIGNATURE');
    await perform.run(signed, context);
    expect(await codeOf(() => perform.run(signed, context))).toBe('INVALID_SIGNATURE');

    const info = authorised(alice, 'get_info', { account: 'spending' }, clock);
    await getInfo.run(info, context);
    await getInfo.run(info, context);
    clock.advance(TEST_AUTHORISATION_STALE_MS + 1);
    expect(await codeOf(() => getInfo.run(info, context))).toBe('INVALID_SIGNATURE');

    const stranger = createTestUser();
    expect(await codeOf(() => call(getAccountUids, stranger, {}))).toBe('INVALID_SIGNATURE');
    expect((await call(getInfo, alice, { account: 'spending' })).balance.balance).toBe('-1');
  });

  it('pages through an account statement', async () => {
    const payer = (await call(createAccount, alice, { name: 'spending', overdraftLimit: '100' }))
      .account.uid;
    const payee = await mainOf(bob);
    for (let index = 1; index <= 5; index++) {
      clock.advance(1000);
      await call(perform, alice, {
        transactions: [
          {
            debitAccountUid: payer,
            creditAccountUid: payee,
            value: String(index),
            description: '',
          },
        ],
      });
    }
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await call(getTransactions, alice, {
        account: 'spending',
        limit: 2,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      seen.push(...page.items.map((item) => `${item.kind}:${item.value}`));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(seen).toEqual(['debit:1', 'debit:2', 'debit:3', 'debit:4', 'debit:5']);
    expect(await codeOf(() => call(getTransactions, bob, { account: payer }))).toBe(
      'ACCOUNT_ACCESS_DENIED',
    );
  });
});

describe('accounting functions given bad input', () => {
  const BAD_MONEY = [
    '1e3',
    '1.0000001',
    'NaN',
    'Infinity',
    '-1',
    '',
    ' 1',
    '0x1',
    '9'.repeat(41),
    1,
    null,
    {},
  ];
  const BAD_TEXT = ['', 'x'.repeat(3000), 5, null, [], '\ud800', 'a\u0000b'];
  const BAD_UID = ['', 'not a uid', 'x'.repeat(100), 7, null, 'AAAAAAAAAAAAAAAAAAAAAA.0'];
  const BAD_TIME = [-1, 1.5, 'now', Number.NaN, Number.MAX_SAFE_INTEGER + 2];
  const BAD_KEY = ['', 'k'.repeat(201), 3, '\udc00'];

  interface Case {
    readonly fn: AnyFunction;
    readonly valid: (
      payer: string,
      payee: string,
      transactionUid: string,
    ) => Record<string, unknown>;
    readonly bad: Readonly<Record<string, readonly unknown[]>>;
  }

  const CASES: readonly Case[] = [
    {
      fn: createAccount,
      valid: () => ({ name: 'fresh', description: 'x', overdraftLimit: '1', dailyLimit: '2' }),
      bad: {
        name: BAD_TEXT,
        description: ['y'.repeat(501), 4, '\ud800'],
        overdraftLimit: BAD_MONEY,
        dailyLimit: BAD_MONEY,
      },
    },
    { fn: getAccountUids, valid: () => ({}), bad: {} },
    {
      fn: getInfo,
      valid: (payer) => ({ account: payer }),
      bad: { account: [...BAD_TEXT, 'no such account'] },
    },
    {
      fn: deposit,
      valid: () => ({ value: '1' }),
      bad: { value: [...BAD_MONEY, '0', '99999999999'] },
    },
    {
      fn: perform,
      valid: (payer, payee) => ({
        transactions: [
          { debitAccountUid: payer, creditAccountUid: payee, value: '1', description: '' },
        ],
        provisional: true,
        idempotencyKey: 'key',
        expiresAtMs: clock.now() + 1000,
      }),
      bad: {
        transactions: [
          [],
          'x',
          [{}],
          Array.from({ length: 33 }, () => ({})),
          [{ debitAccountUid: 'a', creditAccountUid: 'a', value: '1', description: '' }],
        ],
        provisional: ['yes', 1, null],
        idempotencyKey: BAD_KEY,
        expiresAtMs: [...BAD_TIME, 0],
      },
    },
    {
      fn: receipt,
      valid: (_payer, _payee, transactionUid) => ({
        transactionUid,
        value: '1',
        idempotencyKey: 'key',
      }),
      bad: { transactionUid: BAD_UID, value: [...BAD_MONEY, '2'], idempotencyKey: BAD_KEY },
    },
    {
      fn: refund,
      valid: (_payer, _payee, transactionUid) => ({ transactionUid, idempotencyKey: 'key' }),
      bad: { transactionUid: BAD_UID, idempotencyKey: BAD_KEY },
    },
    {
      fn: getTransactions,
      valid: (payer) => ({
        account: payer,
        startMs: 0,
        endMs: clock.now(),
        limit: 5,
        pageToken: 'eA',
      }),
      bad: {
        account: BAD_TEXT,
        startMs: BAD_TIME,
        endMs: BAD_TIME,
        limit: [0, 1001, 1.5, '5'],
        pageToken: ['', '!!!', 'x'.repeat(3000), 'bm90IGEga2V5'],
      },
    },
  ];

  /** Signs the arguments when they can be signed at all: JSON cannot hold every value. */
  function signedOrNot(
    functionName: string,
    args: Record<string, unknown>,
  ): Record<string, unknown> {
    try {
      return authorised(bob, functionName, args, clock);
    } catch {
      return args;
    }
  }

  it('covers every accounting function', () => {
    expect(new Set(CASES.map((entry) => entry.fn.name))).toEqual(
      new Set(ACCOUNTING_FUNCTIONS.map((fn) => fn.name)),
    );
  });

  for (const { fn, valid, bad } of CASES) {
    it(`refuses malformed arguments to ${fn.name} with a typed error and writes nothing`, async () => {
      const payer = (await call(createAccount, alice, { name: 'spending', overdraftLimit: '10' }))
        .account.uid;
      const payee = await mainOf(bob);
      const [held] = (
        await call(perform, alice, {
          transactions: [
            { debitAccountUid: payer, creditAccountUid: payee, value: '1', description: '' },
          ],
          provisional: true,
        })
      ).transactions;
      const template = valid(payer, payee, held!.uid);
      const fields = Object.keys(bad);
      const mutation = fc.oneof(
        fc.record({
          field: fc.constantFrom(...fields, 'unexpected'),
          value: fc.anything(),
          sign: fc.boolean(),
        }),
        ...fields.map((field) =>
          fc.record({
            field: fc.constant(field),
            value: fc.constantFrom(...(bad[field] as unknown[])),
            sign: fc.constant(true),
          }),
        ),
        fc.record({
          field: fc.constant('authorisation'),
          value: fc.anything(),
          sign: fc.constant(false),
        }),
      );

      await fc.assert(
        fc.asyncProperty(
          mutation,
          fc.option(fc.anything(), { nil: undefined }),
          async ({ field, value, sign }, whole) => {
            const args = { ...template, [field]: value };
            if (field === 'unexpected' && value === undefined) {
              return;
            }
            const input =
              whole ?? (sign ? signedOrNot(fn.name, args) : { ...args, authorisation: value });
            const before = await snapshot();
            const code = await codeOf(() => fn.run(input, context));
            expect(code).toMatch(/^[A-Z_]+$/);
            expect(await snapshot()).toEqual(before);
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});
