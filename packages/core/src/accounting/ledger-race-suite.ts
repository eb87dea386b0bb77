/**
 * The ledger's race cases, on vitest, for any object store: debits racing against one account's
 * limits, racing receipts and refunds of one transaction, racing repeats of one idempotency key
 * and racing creates of one account name. Several ledgers share the store, each with its own
 * locks and caches, standing in for processes; every case ends with an audit of the raw objects.
 *
 * @module
 */

import { describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock, MANUAL_CLOCK_START_MS } from '../time/clock.js';
import { createLedger, type Ledger } from './ledger.js';
import { Money } from './money.js';
import { DAY_MS } from './store-layout.js';
import { ClockTicks } from './test-support/clock-ticks.js';
import { auditLedger } from './test-support/ledger-audit.js';

/** Options for {@link runLedgerRaceSuite}. */
export interface LedgerRaceSuiteOptions {
  /** Names the store in the test report. */
  readonly name: string;
  /** Makes a new, empty store for one case. */
  readonly create: () => ObjectStore | Promise<ObjectStore>;
  /** How long one case may take, in milliseconds. @default LEDGER_RACE_CASE_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** Ledgers sharing one store, standing in for processes with their own locks and caches. */
export const LEDGER_RACE_PROCESSES = 4;

/** Debits racing against one account's limit in each round. */
export const LEDGER_RACE_DEBIT_RACERS = 32;

/** Rounds of racing debits, each on new accounts with a limit that lets a different number win. */
export const LEDGER_RACE_DEBIT_ROUNDS = 100;

/** Rounds of racing debits that the clock carries past midnight. */
export const LEDGER_RACE_MIDNIGHT_ROUNDS = 20;

/**
 * In the midnight rounds every store write moves the shared clock on by this much, so time passes
 * while the debits race, as it does between real processes.
 */
export const LEDGER_RACE_CLOCK_TICK_MS = 1;

/** Receipts, refunds or repeats racing on one transaction. */
export const LEDGER_RACE_SETTLE_RACERS = 8;

/** Rounds of racing settlements and repeats. */
export const LEDGER_RACE_SETTLE_ROUNDS = 10;

/** A case on a disk makes thousands of writes under contention; this leaves room for slow ones. */
export const LEDGER_RACE_CASE_TIMEOUT_MS = 300_000;

/**
 * Registers the ledger race cases with vitest. Call it at the top level of a test file.
 *
 * @param options - the store's name and how to make one
 * @example
 * ```ts
 * import { runLedgerRaceSuite } from '@acquire/core/testing';
 * import { createFsStore } from '@acquire/store-fs';
 *
 * runLedgerRaceSuite({ name: 'fs', create: () => createFsStore({ root: tempDir() }) });
 * ```
 */
export function runLedgerRaceSuite(options: LedgerRaceSuiteOptions): void {
  const { create } = options;
  const timeout = options.timeoutMs ?? LEDGER_RACE_CASE_TIMEOUT_MS;

  describe(`ledger races on the ${options.name} store`, { timeout }, () => {
    const debits = `${LEDGER_RACE_DEBIT_RACERS} racing debits, ${LEDGER_RACE_DEBIT_ROUNDS} rounds`;
    it(`never overdraws under ${debits}`, async () => {
      const { store, ledgers, ledger } = await setUp(create);
      for (let round = 0; round < LEDGER_RACE_DEBIT_ROUNDS; round++) {
        const value = Money.fromMicro(BigInt(1 + (round % 7)) * 1_000_000n + BigInt(round));
        const allowed = round % LEDGER_RACE_DEBIT_RACERS;
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
          Array.from({ length: LEDGER_RACE_DEBIT_RACERS }, (_, index) =>
            processOf(ledgers, index).perform([
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

    const nights = `${LEDGER_RACE_MIDNIGHT_ROUNDS} nights`;
    it(`holds a daily limit on each day as midnight passes racing debits, ${nights}`, async () => {
      const { store, clock, ledgers, ledger, ticks } = await setUp(create, true);
      let roundsSpanningMidnight = 0;
      for (let round = 0; round < LEDGER_RACE_MIDNIGHT_ROUNDS; round++) {
        const midnightMs = MANUAL_CLOCK_START_MS + (round + 1) * DAY_MS;
        clock.set(midnightMs - DAY_MS / 2);
        const value = Money.fromMicro(BigInt(1 + (round % 5)) * 1_000_000n);
        const allowedPerDay = 1 + (round % (LEDGER_RACE_DEBIT_RACERS / 2));
        const payer = await ledger.createAccount({
          group: `payer-${round}`,
          name: 'main',
          overdraftLimit: Money.fromMicro(value.micro * BigInt(LEDGER_RACE_DEBIT_RACERS)),
          dailyLimit: Money.fromMicro(value.micro * BigInt(allowedPerDay) + value.micro / 2n),
        });
        const payee = await ledger.createAccount({ group: `payee-${round}`, name: 'main' });
        const debit = (index: number) =>
          processOf(ledgers, index).perform([
            { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value },
          ]);

        clock.set(midnightMs - LEDGER_RACE_CLOCK_TICK_MS * (1 + ((round * 7) % 40)));
        const racers = LEDGER_RACE_DEBIT_RACERS / 2;
        const early = Array.from({ length: racers }, (_, index) => debit(index));
        await Promise.race([ticks.passed(midnightMs), Promise.allSettled(early)]);
        const late = Array.from({ length: racers }, (_, index) => debit(racers + index));
        const results = await outcomes([...early, ...late]);
        clock.set(Math.max(clock.now(), midnightMs));
        expect(
          results.filter((result) => result !== 'ok' && result !== 'DAILY_LIMIT_EXCEEDED'),
        ).toEqual([]);

        const successes = BigInt(results.filter((result) => result === 'ok').length);
        const firstDaySpent = -(await ledger.balanceAt(payer.uid, midnightMs)).balance.micro;
        const firstDay = firstDaySpent / value.micro;
        const secondDay = successes - firstDay;
        expect(firstDaySpent % value.micro).toBe(0n);
        expect(firstDay).toBeLessThanOrEqual(BigInt(allowedPerDay));
        expect(secondDay).toBeLessThanOrEqual(BigInt(allowedPerDay));
        expect(secondDay).toBeGreaterThanOrEqual(0n);

        const status = await ledger.balance(payer.uid);
        expect(status.balance.micro).toBe(-value.micro * successes);
        expect(status.spentToday.micro).toBe(value.micro * secondDay);
        expect(status.available.micro).toBeGreaterThanOrEqual(0n);
        if (firstDay > 0n && secondDay > 0n) {
          roundsSpanningMidnight++;
        }
      }
      expect(roundsSpanningMidnight).toBeGreaterThan(LEDGER_RACE_MIDNIGHT_ROUNDS / 2);
      expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
    });

    it('keeps a payer within its limit while debits race its receipts and refunds', async () => {
      const { store, ledgers, ledger } = await setUp(create);
      for (let round = 0; round < LEDGER_RACE_SETTLE_ROUNDS; round++) {
        const { payer, payee } = await openPair(ledger, `mixed-${round}`, '100');
        const pay = (value: string, provisional: boolean) =>
          ledger.perform([{ debitAccountUid: payer.uid, creditAccountUid: payee.uid, value }], {
            provisional,
          });
        const holds = await Promise.all(Array.from({ length: 4 }, () => pay('10', true)));
        const paid = await Promise.all(Array.from({ length: 2 }, () => pay('10', false)));
        // Available now: -20 balance - 40 held + 100 overdraft = 40.

        let racing = true;
        const readings: bigint[] = [];
        const watching = (async () => {
          while (racing) {
            readings.push((await ledger.balance(payer.uid)).available.micro);
            await new Promise((resolve) => setTimeout(resolve, 0));
          }
        })();
        const debits = outcomes(
          Array.from({ length: LEDGER_RACE_DEBIT_RACERS / 2 }, (_, index) =>
            processOf(ledgers, index).perform([
              { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '7' },
            ]),
          ),
        );
        const settlements = outcomes([
          ...holds.map(([held], index) =>
            processOf(ledgers, index).receipt(held!.uid, { value: '3' }),
          ),
          ...paid.map(([direct], index) => processOf(ledgers, index + 1).refund(direct!.uid)),
        ]);
        const [debited, settled] = await Promise.all([debits, settlements]);
        racing = false;
        await watching;

        expect(settled.every((result) => result === 'ok')).toBe(true);
        expect(
          debited.filter((result) => result !== 'ok' && result !== 'INSUFFICIENT_FUNDS'),
        ).toEqual([]);
        const successes = BigInt(debited.filter((result) => result === 'ok').length);
        // At least the 40 available at the start is spent; at most the 40 plus the 28 the
        // receipts release and the 20 the refunds return.
        expect(successes).toBeGreaterThanOrEqual(5n);
        expect(successes).toBeLessThanOrEqual(12n);
        expect(readings.every((available) => available >= 0n)).toBe(true);

        const status = await ledger.balance(payer.uid);
        expect(status.liability.micro).toBe(0n);
        expect(status.balance.micro).toBe(-12_000_000n - 7_000_000n * successes);
        expect(status.available.micro).toBeGreaterThanOrEqual(0n);
      }
      expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
    });

    it('lets exactly one of many racing receipts settle a transaction', async () => {
      const { store, ledgers, ledger } = await setUp(create);
      const { payer, payee } = await openPair(ledger);
      for (let round = 0; round < LEDGER_RACE_SETTLE_ROUNDS; round++) {
        const [held] = await ledger.perform(
          [{ debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '10' }],
          {
            provisional: true,
          },
        );
        const results = await outcomes(
          racing(ledgers, (racer, index) => racer.receipt(held!.uid, { value: String(index + 1) })),
        );
        expectOneWinner(results);
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
      const { payer, payee } = await openPair(ledger);
      for (let round = 0; round < LEDGER_RACE_SETTLE_ROUNDS; round++) {
        const [paid] = await ledger.perform([
          { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '10' },
        ]);
        expectOneWinner(await outcomes(racing(ledgers, (racer) => racer.refund(paid!.uid))));
      }
      expect((await ledger.balance(payer.uid)).balance.toString()).toBe('0');
      expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
    });

    it('moves value once for racing repeats of one idempotency key', async () => {
      const { store, ledgers, ledger } = await setUp(create);
      const { payer, payee } = await openPair(ledger);
      for (let round = 0; round < LEDGER_RACE_SETTLE_ROUNDS; round++) {
        const transfer = [
          { debitAccountUid: payer.uid, creditAccountUid: payee.uid, value: '2.5' },
        ];
        const results = await Promise.all(
          racing(ledgers, (racer) => racer.perform(transfer, { idempotencyKey: `order-${round}` })),
        );
        expect(new Set(results.map((records) => records[0]!.uid)).size).toBe(1);
        expect((await ledger.balance(payer.uid)).balance.toString()).toBe(
          String(-3.5 * round - 2.5),
        );

        const [held] = await ledger.perform(transfer, { provisional: true });
        const receipts = await Promise.all(
          racing(ledgers, (racer) =>
            racer.receipt(held!.uid, { value: '1', idempotencyKey: `receipt-${round}` }),
          ),
        );
        expect(receipts.every((record) => record.state === 'receipted')).toBe(true);
      }
      expect((await ledger.balance(payee.uid)).balance.toString()).toBe(
        String(3.5 * LEDGER_RACE_SETTLE_ROUNDS),
      );
      expect((await auditLedger(store, { requireFinal: true })).problems).toEqual([]);
    });

    it('claims an account name once under racing creates', async () => {
      const { store, ledgers } = await setUp(create);
      const results = await outcomes(
        Array.from({ length: LEDGER_RACE_SETTLE_RACERS * 2 }, (_, index) =>
          processOf(ledgers, index).createAccount({
            group: 'alice',
            name: 'savings',
          }),
        ),
      );
      expect(results.filter((result) => result === 'ok')).toHaveLength(1);
      expect(results.filter((result) => result !== 'ok' && result !== 'ACCOUNT_EXISTS')).toEqual(
        [],
      );
      expect((await store.listPage('account_heads')).keys).toHaveLength(1);
      expect((await store.listPage('account_info')).keys).toHaveLength(1);
    });
  });
}

/**
 * A store and the ledgers sharing it, on one manual clock. With `ticking`, the ledgers write
 * through a view of the store that moves the clock on by {@link LEDGER_RACE_CLOCK_TICK_MS} before
 * every write, and `ticks` tells when the clock has passed a time.
 */
async function setUp(create: LedgerRaceSuiteOptions['create'], ticking = false) {
  const store = await create();
  const clock = createManualClock();
  const ticks = new ClockTicks(clock, LEDGER_RACE_CLOCK_TICK_MS);
  const ledgerStore = ticking ? ticks.writingThrough(store) : store;
  const ledgers = Array.from({ length: LEDGER_RACE_PROCESSES }, () =>
    createLedger({ store: ledgerStore, clock }),
  );
  return { store, clock, ledgers, ledger: ledgers[0] as Ledger, ticks };
}

/** The ledger racer `index` runs in, the racers taking the processes in turn. */
function processOf(ledgers: readonly Ledger[], index: number): Ledger {
  return ledgers[index % ledgers.length] as Ledger;
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

/** A payer that may go so far below zero and a payee, each in a group of its own. */
async function openPair(ledger: Ledger, name = 'pair', overdraftLimit = '1000') {
  const payer = await ledger.createAccount({
    group: `${name}-payer`,
    name: 'main',
    overdraftLimit,
  });
  const payee = await ledger.createAccount({ group: `${name}-payee`, name: 'main' });
  return { payer, payee };
}

/** {@link LEDGER_RACE_SETTLE_RACERS} attempts at once, spread over the ledgers. */
function racing<T>(
  ledgers: readonly Ledger[],
  attempt: (ledger: Ledger, index: number) => Promise<T>,
): Promise<T>[] {
  return Array.from({ length: LEDGER_RACE_SETTLE_RACERS }, (_, index) =>
    attempt(processOf(ledgers, index), index),
  );
}

/** Exactly one attempt won, and every other was refused as already settled. */
function expectOneWinner(results: readonly string[]): void {
  expect(results.filter((result) => result === 'ok')).toHaveLength(1);
  expect(
    results.filter((result) => result !== 'ok' && result !== 'TRANSACTION_ALREADY_SETTLED'),
  ).toEqual([]);
}
