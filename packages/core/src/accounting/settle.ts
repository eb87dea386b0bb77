/**
 * One attempt at settling a transaction: a receipt or release of a provisional one, a refund of
 * a direct one. The steps after the claim live in `settle-finish.ts`.
 *
 * A transaction is settled at most once. The claim is a marker `settle:<transaction uid>` on
 * the anchor account (the payer for receipts and releases, the payee for refunds), placed by one
 * CAS after reading the head and then the record: two racing settlements cannot both place it,
 * and a later one finds either the marker or the settled record. Then the record moves to
 * `receipting`, `releasing` or `refunding` by CAS, the other account gets its marker, line
 * items are written and the record moves to its final state. A settlement never fails once
 * its marker is placed, so an interrupted one is always rolled forward.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { type AccountHead, findMarker, type Marker, withMarker } from './account-head.js';
import {
  type HeadRead,
  type HeadStepResult,
  lastKnownHead,
  prepareHead,
  updateHead,
} from './head-store.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import {
  type CommittedBlocked,
  type Continued,
  continueSettle,
  type Found,
  finish,
  partiesOf,
  readBoth,
  readPerformed,
  type SettleBlocked,
  type Settled,
  settleMarker,
} from './settle-finish.js';
import {
  isSettled,
  type PerformedRecord,
  type Settlement,
  type SettlementKind,
  settlementStates,
} from './transaction-records.js';

/** What a settlement asks for. */
export interface SettleRequest {
  /** Receipt, release or refund. */
  readonly kind: SettlementKind;
  /** The transaction to settle. */
  readonly transactionUid: string;
  /** For receipts: the value to pay, in micro-units, up to the provisional value. */
  readonly receiptedValue?: bigint;
  /** The caller's idempotency key, already scoped to the caller. */
  readonly idempotencyKey?: string;
}

/** How an attempt ended. */
export type SettleAttempt =
  | Settled
  | SettleBlocked
  | CommittedBlocked
  | { readonly kind: 'wait'; readonly sinceMs: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'retry' };

type Verdict =
  | Exclude<SettleAttempt, { kind: 'blocked' | 'committed-blocked' | 'retry' }>
  | {
      readonly kind: 'go';
      readonly settlement: Settlement;
    };

/**
 * Attempts a settlement once.
 *
 * @param runtime - the ledger runtime
 * @param request - the settlement
 * @returns how the attempt ended
 * @throws AcquireError `TRANSACTION_NOT_FOUND`, `TRANSACTION_WRONG_KIND`,
 *   `TRANSACTION_ALREADY_SETTLED`, `RECEIPT_EXCEEDS_PROVISIONAL` or `IDEMPOTENCY_KEY_REUSED`
 */
export async function attemptSettle(
  runtime: LedgerRuntime,
  request: SettleRequest,
): Promise<SettleAttempt> {
  const uid = request.transactionUid;
  const parties = partiesOf((await readPerformed(runtime, uid)).record);
  const release = await runtime.lockAccounts([parties.anchorUid, parties.counterUid]);
  let progress: Continued;
  try {
    const reads = await readBoth(runtime, parties, lastKnownHead);
    const found = await readPerformed(runtime, uid);
    const verdict = judge(
      runtime,
      found.record,
      request,
      (reads.get(parties.anchorUid) as HeadRead).head,
    );
    if (verdict.kind !== 'go') {
      return verdict;
    }

    const anchored = await updateHead(
      runtime,
      parties.anchorUid,
      reads.get(parties.anchorUid),
      (head, fresh) => anchorStep(runtime, found, verdict.settlement, head, fresh),
    );
    if (!('op' in anchored.result)) {
      return anchored.result;
    }
    progress = await continueSettle(runtime, found, verdict.settlement, anchored.result, reads);
  } finally {
    release();
  }
  return finish(runtime, uid, progress);
}

function judge(
  runtime: LedgerRuntime,
  record: PerformedRecord,
  request: SettleRequest,
  anchorHead: AccountHead,
): Verdict {
  if (record.provisional !== (request.kind !== 'refund')) {
    throw new AcquireError(
      ErrorCode.TRANSACTION_WRONG_KIND,
      request.kind === 'refund'
        ? `transaction ${record.uid} is provisional: receipt it instead of refunding it`
        : `transaction ${record.uid} is direct: only provisional transactions are receipted`,
    );
  }

  const existing = record.settlement ?? findMarker(anchorHead, 'settle', record.uid)?.settlement;
  if (existing !== undefined) {
    return repeatVerdict(record, request, existing);
  }

  const now = runtime.clock.now();
  if (request.kind === 'receipt' && record.expiresAtMs !== undefined && now >= record.expiresAtMs) {
    return { kind: 'expired' };
  }
  const receiptedValue =
    request.kind === 'release'
      ? 0n
      : request.kind === 'refund'
        ? record.value
        : (request.receiptedValue ?? record.value);
  if (receiptedValue > record.value) {
    throw new AcquireError(
      ErrorCode.RECEIPT_EXCEEDS_PROVISIONAL,
      `a receipt of transaction ${record.uid} cannot pay more than its provisional value`,
    );
  }
  const key = request.idempotencyKey;
  return {
    kind: 'go',
    settlement: {
      kind: request.kind,
      value: record.value,
      receiptedValue,
      timeMs: now,
      ...(key === undefined ? {} : { idempotencyKey: key }),
    },
  };
}

function repeatVerdict(
  record: PerformedRecord,
  request: SettleRequest,
  existing: Settlement,
): Verdict {
  const sameKey =
    request.idempotencyKey !== undefined && existing.idempotencyKey === request.idempotencyKey;
  const repeat = existing.kind === request.kind && (request.kind === 'release' || sameKey);
  if (!repeat) {
    throw new AcquireError(
      ErrorCode.TRANSACTION_ALREADY_SETTLED,
      `transaction ${record.uid} was already ${settlementStates(existing.kind).done}`,
      { details: { transactionUid: record.uid, settlement: existing.kind } },
    );
  }
  const asked = request.receiptedValue;
  if (request.kind === 'receipt' && asked !== undefined && asked !== existing.receiptedValue) {
    throw new AcquireError(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      'the idempotency key was used for a receipt of another value',
    );
  }
  return isSettled(record.state)
    ? { kind: 'settled', record }
    : { kind: 'wait', sinceMs: existing.timeMs };
}

async function anchorStep(
  runtime: LedgerRuntime,
  found: Found,
  settlement: Settlement,
  head: AccountHead,
  fresh: boolean,
): Promise<HeadStepResult<Marker | Extract<SettleAttempt, { kind: 'blocked' | 'retry' }>>> {
  const uid = found.record.uid;
  if (findMarker(head, 'settle', uid) !== undefined) {
    return { stop: { kind: 'retry' } };
  }
  if (fresh) {
    const again = await readPerformed(runtime, uid);
    if (again.version !== found.version) {
      return { stop: { kind: 'retry' } };
    }
  }
  const prepared = await prepareHead(runtime, head, settlement.timeMs);
  if (!prepared.ready) {
    return { stop: { kind: 'blocked', blockers: prepared.blockers } };
  }
  const marker = settleMarker(runtime, found.record, settlement, 'anchor', prepared.timeMs);
  return { next: withMarker(prepared.head, marker), result: marker };
}
