import { beforeEach, describe, expect, it } from 'vitest';
import {
  createAccount,
  deposit,
  getAccountUids,
  getInfo,
  getTransactions,
  perform,
  receipt,
  refund,
} from './accounting-functions.js';
import { createFunctionsFixture, type FunctionsFixture } from './test-support/functions-fixture.js';
import { codeOf } from './test-support/ledger-fixture.js';
import {
  authorised,
  createTestUser,
  TEST_AUTHORISATION_STALE_MS,
} from './test-support/test-verifier.js';

let clock: FunctionsFixture['clock'];
let context: FunctionsFixture['context'];
let alice: FunctionsFixture['alice'];
let bob: FunctionsFixture['bob'];
let call: FunctionsFixture['call'];
let mainOf: FunctionsFixture['mainOf'];

beforeEach(() => {
  ({ clock, context, alice, bob, call, mainOf } = createFunctionsFixture());
});

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

  it('deposits from billing into deposits, reporting an invoice below -50', async () => {
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

  it('binds authorisations to exact arguments, refuses stale ones, spends them once', async () => {
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
