import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcquireError } from '../errors.js';
import { listAllKeys } from '../store/listing.js';
import { createMemoryStore } from '../store/memory-store.js';
import { createManualClock } from '../time/clock.js';
import { createLedger } from './ledger.js';
import { Money } from './money.js';
import { auditLedger } from './test-support/ledger-audit.js';
import { readTransactionRecord } from './transaction-records.js';

const ACCOUNTS = 4;
const HOUR_MS = 3_600_000;

/** Refusals a random operation may meet; anything else fails the property. */
const EXPECTED_REFUSALS = new Set([
  'INSUFFICIENT_FUNDS',
  'TRANSACTION_ALREADY_SETTLED',
  'TRANSACTION_WRONG_KIND',
  'RECEIPT_EXCEEDS_PROVISIONAL',
  'TRANSACTION_EXPIRED',
  'OVERDRAFT_LIMIT_TOO_LOW',
]);

const account = fc.nat({ max: ACCOUNTS - 1 });
const micro = fc.bigInt({ min: 1n, max: 30_000_000n });
const leg = fc.record({ from: account, to: account, micro });

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('perform' as const),
    legs: fc.array(leg, { minLength: 1, maxLength: 3 }),
    provisional: fc.boolean(),
    expires: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('receipt' as const),
    pick: fc.nat(),
    micro: fc.option(micro, { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('refund' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('limit' as const),
    account,
    micro: fc.bigInt({ min: 0n, max: 60_000_000n }),
  }),
  fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 30 }) }),
);

describe('ledger properties', () => {
  it('keeps balances summing to zero, equal to line items and to transaction records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        const store = createMemoryStore();
        const clock = createManualClock();
        const ledger = createLedger({ store, clock });
        const uids: string[] = [];
        for (let index = 0; index < ACCOUNTS; index++) {
          uids.push(
            (await ledger.createAccount({ group: `g${index}`, name: 'main', overdraftLimit: '20' }))
              .uid,
          );
        }
        const transactions: string[] = [];

        for (const step of operations) {
          try {
            if (step.kind === 'perform') {
              const legs = step.legs
                .filter(({ from, to }) => from !== to)
                .map(({ from, to, micro: value }) => ({
                  debitAccountUid: uids[from]!,
                  creditAccountUid: uids[to]!,
                  value: Money.fromMicro(value),
                }));
              if (legs.length === 0) {
                continue;
              }
              const options =
                step.provisional && step.expires ? { expiresAtMs: clock.now() + 5 * HOUR_MS } : {};
              const records = await ledger.perform(legs, {
                provisional: step.provisional,
                ...options,
              });
              transactions.push(...records.map((record) => record.uid));
            } else if (step.kind === 'receipt' || step.kind === 'refund') {
              if (transactions.length === 0) {
                continue;
              }
              const uid = transactions[step.pick % transactions.length]!;
              await (step.kind === 'refund'
                ? ledger.refund(uid)
                : ledger.receipt(
                    uid,
                    step.micro === undefined ? {} : { value: Money.fromMicro(step.micro) },
                  ));
            } else if (step.kind === 'limit') {
              await ledger.setOverdraftLimit(uids[step.account]!, Money.fromMicro(step.micro));
            } else {
              clock.advance(step.hours * HOUR_MS);
            }
          } catch (error) {
            if (!AcquireError.is(error) || !EXPECTED_REFUSALS.has(error.code)) {
              throw error;
            }
          }
        }

        // Reading a balance releases expired holds; release them first so the records are final.
        for (const uid of uids) {
          await ledger.releaseExpired(uid);
        }
        const audit = await auditLedger(store, { requireFinal: true });
        expect(audit.problems).toEqual([]);

        const fromRecords = new Map(
          uids.map((uid) => [uid, { balance: 0n, liability: 0n, receivable: 0n }]),
        );
        for (const key of await listAllKeys(store, 'transactions')) {
          const found = await readTransactionRecord(store, key.slice('transactions/'.length));
          const record = found!.record;
          if (record.state === 'aborted') {
            continue;
          }
          const payer = fromRecords.get(record.debitAccountUid)!;
          const payee = fromRecords.get(record.creditAccountUid)!;
          if (record.state === 'direct') {
            payer.balance -= record.value;
            payee.balance += record.value;
          } else if (record.state === 'provisional') {
            payer.liability += record.value;
            payee.receivable += record.value;
          } else if (record.state === 'receipted' || record.state === 'released') {
            payer.balance -= record.settlement!.receiptedValue;
            payee.balance += record.settlement!.receiptedValue;
          }
        }
        for (const uid of uids) {
          const status = await ledger.balance(uid);
          const expected = fromRecords.get(uid)!;
          expect([status.balance.micro, status.liability.micro, status.receivable.micro]).toEqual([
            expected.balance,
            expected.liability,
            expected.receivable,
          ]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
