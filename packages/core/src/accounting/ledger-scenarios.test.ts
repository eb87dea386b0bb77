import { describe, expect, it } from 'vitest';
import { Money } from './money.js';
import { DAY_MS } from './store-layout.js';
import { auditLedger } from './test-support/ledger-audit.js';
import {
  balancesOf as balances,
  codeOf,
  seededRandom as random,
  createLedgerFixture as setUp,
} from './test-support/ledger-fixture.js';

describe('ledger scenarios', () => {
  it('moves exact values and refunds each direct transaction exactly once', async () => {
    const { store, ledger, uids } = await setUp(5);
    const next = random(7);
    const model = new Map(uids.map((uid) => [uid, 0n]));
    const refundable: { uid: string; from: string; to: string; micro: bigint }[] = [];

    for (let step = 0; step < 150; step++) {
      if (refundable.length > 0 && next() < 0.25) {
        const [done] = refundable.splice(Math.floor(next() * refundable.length), 1);
        await ledger.refund(done!.uid);
        model.set(done!.from, model.get(done!.from)! + done!.micro);
        model.set(done!.to, model.get(done!.to)! - done!.micro);
        expect(await codeOf(ledger.refund(done!.uid))).toBe('TRANSACTION_ALREADY_SETTLED');
        continue;
      }
      const from = uids[Math.floor(next() * uids.length)]!;
      const to = uids.filter((uid) => uid !== from)[Math.floor(next() * (uids.length - 1))]!;
      const micro = BigInt(1 + Math.floor(next() * 50_000_000));
      const outcome = await codeOf(
        ledger
          .perform([{ debitAccountUid: from, creditAccountUid: to, value: Money.fromMicro(micro) }])
          .then(([record]) => {
            refundable.push({ uid: record!.uid, from, to, micro });
          }),
      );
      if (outcome === undefined) {
        model.set(from, model.get(from)! - micro);
        model.set(to, model.get(to)! + micro);
      } else {
        expect(outcome).toBe('INSUFFICIENT_FUNDS');
        expect(model.get(from)! - micro).toBeLessThan(-1000_000_000n);
      }
    }

    expect(await balances(ledger, uids)).toEqual(
      uids.map((uid) => Money.fromMicro(model.get(uid)!).toString()),
    );
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('settles provisional transactions fully and partly, releasing the rest', async () => {
    const { store, ledger, uids } = await setUp(2);
    const [payer, payee] = uids as [string, string];
    const [held, partial] = await ledger.perform(
      [
        { debitAccountUid: payer, creditAccountUid: payee, value: '100' },
        { debitAccountUid: payer, creditAccountUid: payee, value: '40.5' },
      ],
      { provisional: true },
    );
    expect([held!.state, partial!.state]).toEqual(['provisional', 'provisional']);
    const holding = await ledger.balance(payer);
    expect([holding.balance, holding.liability, holding.available].map(String)).toEqual([
      '0',
      '140.5',
      '859.5',
    ]);
    expect((await ledger.balance(payee)).receivable.toString()).toBe('140.5');

    expect((await ledger.receipt(held!.uid)).state).toBe('receipted');
    const receipted = await ledger.receipt(partial!.uid, { value: '10.25' });
    expect(receipted.settlement?.receiptedValue.toString()).toBe('10.25');

    const after = await ledger.balance(payer);
    expect([after.balance, after.liability, after.available].map(String)).toEqual([
      '-110.25',
      '0',
      '889.75',
    ]);
    const paid = await ledger.balance(payee);
    expect([paid.balance, paid.receivable].map(String)).toEqual(['110.25', '0']);
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('refuses receipts above the value, second settlements and wrong kinds', async () => {
    const { ledger, uids } = await setUp(2);
    const [payer, payee] = uids as [string, string];
    const [held] = await ledger.perform(
      [{ debitAccountUid: payer, creditAccountUid: payee, value: '5' }],
      {
        provisional: true,
      },
    );
    const [paid] = await ledger.perform([
      { debitAccountUid: payer, creditAccountUid: payee, value: '5' },
    ]);

    expect(await codeOf(ledger.receipt(held!.uid, { value: '5.000001' }))).toBe(
      'RECEIPT_EXCEEDS_PROVISIONAL',
    );
    const [unused] = await ledger.perform(
      [{ debitAccountUid: payer, creditAccountUid: payee, value: '3' }],
      {
        provisional: true,
      },
    );
    expect(
      (await ledger.receipt(unused!.uid, { value: '0' })).settlement?.receiptedValue.toString(),
    ).toBe('0');
    expect((await ledger.balance(payer)).liability.toString()).toBe('5');
    expect(await codeOf(ledger.refund(held!.uid))).toBe('TRANSACTION_WRONG_KIND');
    expect(await codeOf(ledger.receipt(paid!.uid))).toBe('TRANSACTION_WRONG_KIND');
    await ledger.receipt(held!.uid, { value: '5' });
    expect(await codeOf(ledger.receipt(held!.uid))).toBe('TRANSACTION_ALREADY_SETTLED');
    expect(await codeOf(ledger.receipt(held!.uid, { value: '1' }))).toBe(
      'TRANSACTION_ALREADY_SETTLED',
    );
    await ledger.refund(paid!.uid);
    expect(await codeOf(ledger.refund(paid!.uid))).toBe('TRANSACTION_ALREADY_SETTLED');
    expect(await codeOf(ledger.receipt('AAAAAAAAAAAAAAAAAAAAAA'))).toBe('TRANSACTION_NOT_FOUND');
  });

  it('lets a refund take the payee below its overdraft limit', async () => {
    const { ledger, uids } = await setUp(3, '0');
    const [bank, shop, supplier] = uids as [string, string, string];
    await ledger.setOverdraftLimit(bank, '1000');
    const [sale] = await ledger.perform([
      { debitAccountUid: bank, creditAccountUid: shop, value: '100' },
    ]);
    await ledger.perform([{ debitAccountUid: shop, creditAccountUid: supplier, value: '100' }]);
    await ledger.refund(sale!.uid);
    const shopBalance = await ledger.balance(shop);
    expect([shopBalance.balance, shopBalance.available].map(String)).toEqual(['-100', '-100']);
    expect(
      await codeOf(
        ledger.perform([{ debitAccountUid: shop, creditAccountUid: bank, value: '0.000001' }]),
      ),
    ).toBe('INSUFFICIENT_FUNDS');
  });

  it('applies every transaction of a perform or none', async () => {
    const { store, ledger, uids } = await setUp(3, '10');
    const [a, b, c] = uids as [string, string, string];
    const refused = ledger.perform([
      { debitAccountUid: a, creditAccountUid: b, value: '5' },
      { debitAccountUid: c, creditAccountUid: b, value: '3' },
      { debitAccountUid: c, creditAccountUid: a, value: '8' },
    ]);
    expect(await codeOf(refused)).toBe('INSUFFICIENT_FUNDS');
    expect(await balances(ledger, uids)).toEqual(['0', '0', '0']);

    const records = await ledger.perform([
      { debitAccountUid: a, creditAccountUid: b, value: '5' },
      { debitAccountUid: b, creditAccountUid: c, value: '12' },
    ]);
    expect(records.map((record) => record.batchUid)).toEqual([records[0]!.uid, records[0]!.uid]);
    expect(await balances(ledger, uids)).toEqual(['-5', '-7', '12']);
    expect((await ledger.getTransaction(records[1]!.uid)).state).toBe('direct');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('keeps spending within the daily limit, and starts afresh the next day', async () => {
    const { ledger, clock, uids } = await setUp(2);
    const [spender, shop] = uids as [string, string];
    await ledger.setDailyLimit(spender, '20');
    await ledger.perform([{ debitAccountUid: spender, creditAccountUid: shop, value: '15' }]);
    expect((await ledger.balance(spender)).available.toString()).toBe('5');
    expect(
      await codeOf(
        ledger.perform([{ debitAccountUid: spender, creditAccountUid: shop, value: '6' }]),
      ),
    ).toBe('DAILY_LIMIT_EXCEEDED');
    await ledger.perform([{ debitAccountUid: spender, creditAccountUid: shop, value: '5' }], {
      provisional: true,
    });

    clock.advance(DAY_MS);
    const tomorrow = await ledger.balance(spender);
    expect([tomorrow.spentToday, tomorrow.available].map(String)).toEqual(['0', '20']);
    await ledger.perform([{ debitAccountUid: spender, creditAccountUid: shop, value: '20' }]);
    await ledger.setDailyLimit(spender, undefined);
    expect((await ledger.balance(spender)).available.toString()).toBe('960');
  });

  it('refuses an overdraft limit below what the balance needs, and negative limits', async () => {
    const { ledger, uids } = await setUp(2, '100');
    const [spender, shop] = uids as [string, string];
    await ledger.perform([{ debitAccountUid: spender, creditAccountUid: shop, value: '60' }]);
    await ledger.perform([{ debitAccountUid: spender, creditAccountUid: shop, value: '10' }], {
      provisional: true,
    });
    expect(await codeOf(ledger.setOverdraftLimit(spender, '69.999999'))).toBe(
      'OVERDRAFT_LIMIT_TOO_LOW',
    );
    expect((await ledger.setOverdraftLimit(spender, '70')).overdraftLimit.toString()).toBe('70');
    expect(await codeOf(ledger.setOverdraftLimit(spender, '-1'))).toBe('INVALID_MONEY');
    expect((await ledger.balance(spender)).available.toString()).toBe('0');
  });

  it('releases provisional transactions after they expire', async () => {
    const { store, ledger, clock, uids } = await setUp(2);
    const [payer, payee] = uids as [string, string];
    const expiresAtMs = clock.now() + 60_000;
    const [early, late] = await ledger.perform(
      [
        { debitAccountUid: payer, creditAccountUid: payee, value: '7' },
        { debitAccountUid: payer, creditAccountUid: payee, value: '3' },
      ],
      { provisional: true, expiresAtMs },
    );
    await ledger.receipt(early!.uid, { value: '2' });
    clock.advance(60_000);

    expect(await codeOf(ledger.receipt(late!.uid))).toBe('TRANSACTION_EXPIRED');
    expect((await ledger.getTransaction(late!.uid)).state).toBe('released');
    const after = await ledger.balance(payer);
    expect([after.balance, after.liability].map(String)).toEqual(['-2', '0']);
    expect(
      await codeOf(
        ledger.perform([{ debitAccountUid: payer, creditAccountUid: payee, value: '1' }], {
          provisional: true,
          expiresAtMs,
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
    expect((await store.listPage('account_expiries')).keys).toEqual([]);
  });

  it('returns the first result for a repeated idempotency key, not other arguments', async () => {
    const { ledger, uids } = await setUp(2);
    const [payer, payee] = uids as [string, string];
    const transfer = [{ debitAccountUid: payer, creditAccountUid: payee, value: '4' }];
    const first = await ledger.perform(transfer, { idempotencyKey: 'order-17' });
    const again = await ledger.perform(transfer, { idempotencyKey: 'order-17' });
    expect(again.map((record) => record.uid)).toEqual(first.map((record) => record.uid));
    expect((await ledger.balance(payer)).balance.toString()).toBe('-4');
    expect(
      await codeOf(
        ledger.perform([{ ...transfer[0]!, value: '5' }], { idempotencyKey: 'order-17' }),
      ),
    ).toBe('IDEMPOTENCY_KEY_REUSED');

    const [held] = await ledger.perform(transfer, { provisional: true });
    const receipted = await ledger.receipt(held!.uid, { value: '1', idempotencyKey: 'r-1' });
    expect(
      (await ledger.receipt(held!.uid, { value: '1', idempotencyKey: 'r-1' })).settlement,
    ).toEqual(receipted.settlement);
    expect(await codeOf(ledger.receipt(held!.uid, { value: '2', idempotencyKey: 'r-1' }))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect((await ledger.balance(payer)).balance.toString()).toBe('-5');
  });

  it('keeps names apart in a group, whatever characters they hold, and lists them', async () => {
    const { ledger } = await setUp(0);
    const names = ['main', 'a/b', '..', 'Zoë Ω', 'a%2Fb', '😀', 'day to day'];
    for (const name of names) {
      await ledger.createAccount({ group: 'alice', name });
    }
    expect(await codeOf(ledger.createAccount({ group: 'alice', name: 'a/b' }))).toBe(
      'ACCOUNT_EXISTS',
    );
    const listed = await ledger.listAccounts('alice');
    expect(listed.map((entry) => entry.name).sort()).toEqual([...names].sort());
    expect((await ledger.findAccount('alice', 'a/b'))?.uid).toBe(
      listed.find((entry) => entry.name === 'a/b')!.uid,
    );
    expect(await ledger.findAccount('bob', 'main')).toBeUndefined();
    expect(await codeOf(ledger.createAccount({ group: 'alice', name: '' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(ledger.createAccount({ group: 'alice', name: 'x'.repeat(65) }))).toBe(
      'INVALID_ARGUMENT',
    );
    const padded = [' ', 'main ', ' main', '\u00a0main', 'main\u3000', 'main\ufeff', '\u2028main'];
    for (const name of padded) {
      expect(await codeOf(ledger.createAccount({ group: 'alice', name }))).toBe('INVALID_ARGUMENT');
    }
    for (const group of [' ', 'alice ', '\u00a0alice']) {
      expect(await codeOf(ledger.createAccount({ group, name: 'x' }))).toBe('INVALID_ARGUMENT');
    }
    expect(await ledger.listAccounts('alice')).toHaveLength(names.length);
  });
});
