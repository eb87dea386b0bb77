import { describe, expect, it } from 'vitest';
import { encodeJson } from '../store/json.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createManualClock } from '../time/clock.js';
import { createLedger } from './ledger.js';
import { lineItemEffect, parseLineItemKey, totalsToJson } from './line-items.js';
import { Money } from './money.js';
import { DAY_MS, daySnapshotPrefix } from './store-layout.js';
import { auditLedger } from './test-support/ledger-audit.js';
import {
  codeOf,
  seededRandom as random,
  createLedgerFixture as setUp,
} from './test-support/ledger-fixture.js';

describe('ledger history', () => {
  it('gives the balance at each midnight of 30 days as a naive sum of line items', async () => {
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
    // The two accounts' markers, the commit record and the two line items.
    expect(early.writes).toBe(5);
  });

  it('is audited: a day opening unlike the line items before it is found', async () => {
    const { store, ledger, clock, uids } = await setUp(2);
    const [payer, payee] = uids as [string, string];
    for (let day = 0; day < 3; day++) {
      await ledger.perform([{ debitAccountUid: payer, creditAccountUid: payee, value: '2' }]);
      clock.advance(DAY_MS);
    }
    await ledger.perform([{ debitAccountUid: payer, creditAccountUid: payee, value: '2' }]);
    expect((await auditLedger(store)).problems).toEqual([]);

    const [snapshot] = (await store.listPage(daySnapshotPrefix(payee))).keys;
    const wrong = { balance: 5_000_000n, liability: 0n, receivable: 0n };
    await store.write(snapshot!, encodeJson(totalsToJson(wrong)));
    const { problems } = await auditLedger(store);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`snapshot ${snapshot}`);
  });
});
