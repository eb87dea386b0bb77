import { describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock } from '../time/clock.js';
import type { Account } from './accounts.js';
import { createLedger, type Ledger } from './ledger.js';
import { lineItemEffect, parseLineItemKey } from './line-items.js';
import { Money } from './money.js';
import { DAY_MS } from './store-layout.js';
import { auditLedger } from './test-support/ledger-audit.js';

async function setUp(count: number, overdraftLimit = '1000') {
  const store = createMemoryStore();
  const clock = createManualClock();
  const ledger = createLedger({ store, clock });
  const accounts: Account[] = [];
  for (let index = 0; index < count; index++) {
    accounts.push(
      await ledger.createAccount({ group: `user-${index}`, name: 'main', overdraftLimit }),
    );
  }
  return { store, clock, ledger, accounts, uids: accounts.map((account) => account.uid) };
}

async function codeOf(action: Promise<unknown>): Promise<string | undefined> {
  try {
    await action;
    return undefined;
  } catch (error) {
    return AcquireError.is(error) ? error.code : String(error);
  }
}

async function balances(ledger: Ledger, uids: readonly string[]): Promise<string[]> {
  return Promise.all(uids.map(async (uid) => (await ledger.balance(uid)).balance.toString()));
}

/** A small deterministic generator, so a failing scenario can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('ledger scenarios', () => {
  it('moves exact values between accounts and refunds each direct transaction exactly once', async () => {
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

  it('settles provisional transactions with full and partial receipts, releasing the rest', async () => {
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

  it('refuses receipts above the value, second settlements and settlements of the wrong kind', async () => {
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

  it('returns the first result for a repeated idempotency key and refuses it with other arguments', async () => {
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

  it('knows the balance at every midnight of 30 days, equal to a naive sum of line items', async () => {
    const { store, ledger, clock, uids } = await setUp(4, '100000');
    const next = random(30);
    const start = clock.now();
    const open: string[] = [];

    for (let day = 0; day < 30; day++) {
      for (let step = 0; step < 8; step++) {
        clock.set(start + day * DAY_MS + Math.floor(next() * (DAY_MS - 1)));
        const from = uids[Math.floor(next() * uids.length)]!;
        const to =
          uids.find((uid) => uid !== from && next() < 0.5) ?? uids.find((uid) => uid !== from)!;
        const value = Money.fromMicro(BigInt(1 + Math.floor(next() * 9_000_000)));
        const choice = next();
        if (choice < 0.3 && open.length > 0) {
          await ledger.receipt(open.shift()!, { value: '0.5' }).catch(() => undefined);
        } else {
          const [record] = await ledger.perform(
            [{ debitAccountUid: from, creditAccountUid: to, value }],
            {
              provisional: choice > 0.8,
            },
          );
          if (record!.provisional) {
            open.push(record!.uid);
          }
        }
      }
    }

    const items = (await store.listPage('accounts')).keys.map((key) => parseLineItemKey(key)!);
    for (let day = 0; day <= 30; day++) {
      const midnight = start + day * DAY_MS;
      for (const uid of uids) {
        const naive = items
          .filter((item) => item.accountUid === uid && item.timeMs < midnight)
          .map(lineItemEffect)
          .reduce(
            (sum, effect) => ({
              balance: sum.balance + effect.balance,
              liability: sum.liability + effect.liability,
            }),
            {
              balance: 0n,
              liability: 0n,
            },
          );
        const past = await ledger.balanceAt(uid, midnight);
        expect([past.balance.micro, past.liability.micro], `account ${uid} on day ${day}`).toEqual([
          naive.balance,
          naive.liability,
        ]);
      }
    }
    expect((await auditLedger(store)).problems).toEqual([]);
  });

  it('pages through a statement lazily, in time order, within the time range', async () => {
    const { ledger, clock, uids } = await setUp(2);
    const [payer, payee] = uids as [string, string];
    const start = clock.now();
    for (let index = 0; index < 7; index++) {
      clock.advance(DAY_MS / 3);
      await ledger.perform([
        { debitAccountUid: payer, creditAccountUid: payee, value: String(index + 1) },
      ]);
    }
    const range = { startMs: start + DAY_MS / 3 + 1, endMs: clock.now() };
    const pages: string[][] = [];
    let pageToken: string | undefined;
    do {
      const page = await ledger.statementPage(payer, {
        ...range,
        limit: 2,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      pages.push(page.items.map((item) => `${item.kind} ${item.value}`));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(pages).toEqual([['debit 2', 'debit 3'], ['debit 4', 'debit 5'], ['debit 6']]);

    const lazily: string[] = [];
    for await (const item of ledger.statement(payee, range)) {
      lazily.push(String(item.value));
    }
    expect(lazily).toEqual(['2', '3', '4', '5', '6']);
    expect(
      await codeOf(ledger.statementPage(payer, { ...range, pageToken: 'bm90IGEgdG9rZW4' })),
    ).toBe('INVALID_ARGUMENT');
  });

  it('costs the same store operations at the 500th transfer as at the first', async () => {
    const counts = { reads: 0, writes: 0, lists: 0 };
    const inner = createMemoryStore();
    const counted =
      <A extends unknown[], R>(kind: keyof typeof counts, operation: (...args: A) => R) =>
      (...args: A): R => {
        counts[kind]++;
        return operation(...args);
      };
    const store: ObjectStore = {
      capabilities: inner.capabilities,
      read: counted('reads', inner.read),
      write: counted('writes', inner.write),
      writeIfAbsent: counted('writes', inner.writeIfAbsent),
      writeIfVersion: counted('writes', inner.writeIfVersion),
      delete: counted('writes', inner.delete),
      listPage: counted('lists', inner.listPage),
    };
    const ledger = createLedger({ store, clock: createManualClock() });
    const payer = await ledger.createAccount({
      group: 'payer',
      name: 'main',
      overdraftLimit: '100000',
    });
    const payee = await ledger.createAccount({ group: 'payee', name: 'main' });
    const costOfTransfer = async () => {
      const before = { ...counts };
      await ledger.perform([
        { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '1' },
      ]);
      await ledger.balance(payer.uid);
      return {
        reads: counts.reads - before.reads,
        writes: counts.writes - before.writes,
        lists: counts.lists - before.lists,
      };
    };

    await costOfTransfer();
    const early = await costOfTransfer();
    for (let index = 0; index < 500; index++) {
      await ledger.perform([
        { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '1' },
      ]);
    }
    expect(await costOfTransfer()).toEqual(early);
    expect(early.writes).toBe(6);
  });

  it('keeps names apart in a group, whatever characters they hold, and lists them', async () => {
    const { ledger } = await setUp(0);
    const names = ['main', 'a/b', '..', 'Zoë Ω', 'a%2Fb', '😀'];
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
  });
});
