import { describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock } from '../time/clock.js';
import { createLedger, type Ledger } from './ledger.js';
import { Money } from './money.js';
import { auditLedger } from './test-support/ledger-audit.js';

/** Stores to race on; adapters that share storage across processes join this list. */
const STORE_FACTORIES: readonly {
  readonly name: string;
  readonly create: () => Promise<ObjectStore>;
}[] = [{ name: 'memory', create: async () => createMemoryStore() }];

/** Ledgers sharing one store, standing in for processes with their own locks and caches. */
const PROCESSES = 4;

const DEBIT_RACERS = 32;
const DEBIT_ROUNDS = 100;
const SETTLE_RACERS = 8;
const SETTLE_ROUNDS = 10;

async function setUp(create: () => Promise<ObjectStore>) {
  const store = await create();
  const clock = createManualClock();
  const ledgers = Array.from({ length: PROCESSES }, () => createLedger({ store, clock }));
  return { store, clock, ledgers, ledger: ledgers[0] as Ledger };
}

async function outcomes(attempts: readonly Promise<unknown>[]): Promise<string[]> {
  return Promise.all(
    attempts.map((attempt) =>
      attempt.then(
        () => 'ok',
        (error: unknown) => (AcquireError.is(error) ? error.code : String(error)),
      ),
    ),
  );
}

describe.each(STORE_FACTORIES)('ledger races on the $name store', ({ create }) => {
  it(`never overdraws under ${DEBIT_RACERS} racing debits, ${DEBIT_ROUNDS} rounds`, async () => {
    const { store, ledgers, ledger } = await setUp(create);
    for (let round = 0; round < DEBIT_ROUNDS; round++) {
      const value = Money.fromMicro(BigInt(1 + (round % 7)) * 1_000_000n + BigInt(round));
      const allowed = round % DEBIT_RACERS;
      const byDailyLimit = round % 3 === 0;
      const limit = Money.fromMicro(value.micro * BigInt(allowed) + value.micro / 2n);
      const payer = await ledger.createAccount({
        group: `payer-${round}`,
        name: 'main',
        overdraftLimit: byDailyLimit ? '1000000' : limit,
        ...(byDailyLimit ? { dailyLimit: limit } : {}),
      });
      const payee = await ledger.createAccount({ group: `payee-${round}`, name: 'main' });

      const results = await outcomes(
        Array.from({ length: DEBIT_RACERS }, (_, index) =>
          (ledgers[index % PROCESSES] as Ledger).perform([
            { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value },
          ]),
        ),
      );
      const successes = results.filter((result) => result === 'ok').length;
      const refusal = byDailyLimit ? 'DAILY_LIMIT_EXCEEDED' : 'INSUFFICIENT_FUNDS';
      expect(results.filter((result) => result !== 'ok' && result !== refusal)).toEqual([]);
      expect(successes).toBe(allowed);

      const status = await ledger.balance(payer.uid);
      expect(status.available.micro).toBeGreaterThanOrEqual(0n);
      expect(status.balance.micro).toBe(-value.micro * BigInt(successes));
    }
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('lets exactly one of many racing receipts settle a transaction', async () => {
    const { store, ledgers, ledger } = await setUp(create);
    const payer = await ledger.createAccount({
      group: 'payer',
      name: 'main',
      overdraftLimit: '1000',
    });
    const payee = await ledger.createAccount({ group: 'payee', name: 'main' });
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      const [held] = await ledger.perform(
        [{ debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '10' }],
        {
          provisional: true,
        },
      );
      const results = await outcomes(
        Array.from({ length: SETTLE_RACERS }, (_, index) =>
          (ledgers[index % PROCESSES] as Ledger).receipt(held!.uid, { value: String(index + 1) }),
        ),
      );
      expect(results.filter((result) => result === 'ok')).toHaveLength(1);
      expect(
        results.filter((result) => result !== 'ok' && result !== 'TRANSACTION_ALREADY_SETTLED'),
      ).toEqual([]);
      const winner = results.indexOf('ok') + 1;
      expect((await ledger.getTransaction(held!.uid)).settlement?.receiptedValue.toString()).toBe(
        String(winner),
      );
    }
    expect((await ledger.balance(payer.uid)).liability.toString()).toBe('0');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('lets exactly one of many racing refunds reverse a transaction', async () => {
    const { store, ledgers, ledger } = await setUp(create);
    const payer = await ledger.createAccount({
      group: 'payer',
      name: 'main',
      overdraftLimit: '1000',
    });
    const payee = await ledger.createAccount({ group: 'payee', name: 'main' });
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      const [paid] = await ledger.perform([
        { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '10' },
      ]);
      const results = await outcomes(
        Array.from({ length: SETTLE_RACERS }, (_, index) =>
          (ledgers[index % PROCESSES] as Ledger).refund(paid!.uid),
        ),
      );
      expect(results.filter((result) => result === 'ok')).toHaveLength(1);
      expect(
        results.filter((result) => result !== 'ok' && result !== 'TRANSACTION_ALREADY_SETTLED'),
      ).toEqual([]);
    }
    expect((await ledger.balance(payer.uid)).balance.toString()).toBe('0');
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('moves value once for racing repeats of one idempotency key', async () => {
    const { store, ledgers, ledger } = await setUp(create);
    const payer = await ledger.createAccount({
      group: 'payer',
      name: 'main',
      overdraftLimit: '1000',
    });
    const payee = await ledger.createAccount({ group: 'payee', name: 'main' });
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      const transfer = [{ debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '2.5' }];
      const results = await Promise.all(
        Array.from({ length: SETTLE_RACERS }, (_, index) =>
          (ledgers[index % PROCESSES] as Ledger).perform(transfer, {
            idempotencyKey: `order-${round}`,
          }),
        ),
      );
      expect(new Set(results.map((records) => records[0]!.uid)).size).toBe(1);
      expect((await ledger.balance(payer.uid)).balance.toString()).toBe(String(-3.5 * round - 2.5));

      const [held] = await ledger.perform(transfer, { provisional: true });
      const receipts = await Promise.all(
        Array.from({ length: SETTLE_RACERS }, (_, index) =>
          (ledgers[index % PROCESSES] as Ledger).receipt(held!.uid, {
            value: '1',
            idempotencyKey: `receipt-${round}`,
          }),
        ),
      );
      expect(receipts.every((record) => record.state === 'receipted')).toBe(true);
    }
    expect((await ledger.balance(payee.uid)).balance.toString()).toBe(String(3.5 * SETTLE_ROUNDS));
    expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
  });

  it('claims an account name once under racing creates', async () => {
    const { store, ledgers } = await setUp(create);
    const results = await outcomes(
      Array.from({ length: SETTLE_RACERS * 2 }, (_, index) =>
        (ledgers[index % PROCESSES] as Ledger).createAccount({ group: 'alice', name: 'savings' }),
      ),
    );
    expect(results.filter((result) => result === 'ok')).toHaveLength(1);
    expect(results.filter((result) => result !== 'ok' && result !== 'ACCOUNT_EXISTS')).toEqual([]);
    expect((await store.listPage('account_heads')).keys).toHaveLength(1);
    expect((await store.listPage('account_info')).keys).toHaveLength(1);
  });
});
