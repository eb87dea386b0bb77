import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
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
  type AnyAccountingFunction,
  createFunctionsFixture,
  type FunctionsFixture,
} from './test-support/functions-fixture.js';
import { codeOf } from './test-support/ledger-fixture.js';
import { authorised } from './test-support/test-verifier.js';

let clock: FunctionsFixture['clock'];
let context: FunctionsFixture['context'];
let snapshot: FunctionsFixture['snapshot'];
let alice: FunctionsFixture['alice'];
let bob: FunctionsFixture['bob'];
let call: FunctionsFixture['call'];
let mainOf: FunctionsFixture['mainOf'];

beforeEach(() => {
  ({ clock, context, alice, bob, call, mainOf, snapshot } = createFunctionsFixture());
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
    readonly fn: AnyAccountingFunction;
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
        name: [...BAD_TEXT, ' ', 'fresh '],
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
    it(`refuses bad arguments to ${fn.name} with a typed error, writing nothing`, async () => {
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
      // Curated bad values must be refused; arbitrary values may happen to be valid, so for
      // them only a refusal is checked: typed, and with nothing written.
      const mutation = fc.oneof(
        fc.record({
          field: fc.constantFrom(...fields, 'unexpected'),
          value: fc.anything(),
          sign: fc.boolean(),
          strict: fc.constant(false),
        }),
        ...fields.map((field) =>
          fc.record({
            field: fc.constant(field),
            value: fc.constantFrom(...(bad[field] as unknown[])),
            sign: fc.constant(true),
            strict: fc.constant(true),
          }),
        ),
        fc.record({
          field: fc.constant('authorisation'),
          value: fc.anything(),
          sign: fc.constant(false),
          strict: fc.constant(true),
        }),
      );

      await fc.assert(
        fc.asyncProperty(
          mutation,
          fc.option(fc.anything(), { nil: undefined }),
          async ({ field, value, sign, strict }, whole) => {
            const args = { ...template, [field]: value };
            const mutated = sign ? signedOrNot(fn.name, args) : { ...args, authorisation: value };
            const input = whole === undefined ? mutated : whole;
            const before = await snapshot();
            const code = await codeOf(() => fn.run(input, context));
            if (code === undefined && !strict && whole === undefined) {
              return;
            }
            expect(code).toMatch(/^[A-Z_]+$/);
            expect(await snapshot()).toEqual(before);
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});
