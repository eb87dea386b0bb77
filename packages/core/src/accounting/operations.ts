/**
 * The retry loops around single attempts, and the recovery every reader takes part in: a marker
 * left in flight past the timeout is rolled forward when its operation committed, and rolled
 * back (by writing the `aborted` record that keeps it from ever committing) when it did not.
 *
 * @module
 */

import { AcquireError, ErrorCode } from '../errors.js';
import { backOff } from '../store/json.js';
import { findMarker, type Marker } from './account-head.js';
import { isStale, operationStatus, readHead } from './head-store.js';
import { claimIdempotencyKey } from './idempotency-claims.js';
import type { LedgerRuntime } from './ledger-runtime.js';
import { attemptPerform, type PerformOperation, preparePerform } from './perform.js';
import { abandonPerform, rollForwardPerform } from './perform-finish.js';
import type { PerformRequest } from './perform-plan.js';
import { type Refusal, recordRefusal, refusalError } from './perform-refusals.js';
import { attemptSettle, type SettleRequest } from './settle.js';
import { attemptRollForwardSettle, readPerformed } from './settle-finish.js';
import { expiryPrefix, parseExpiryKey } from './store-layout.js';
import { isSettled, type PerformedRecord, readTransactionRecord } from './transaction-records.js';

/**
 * Attempts per operation. Most attempts that do not finish waited for another process (with
 * back-off of up to 20 ms), so 32 give up after about half a second.
 */
export const OPERATION_ATTEMPTS_MAX = 32;

/** Finishing one stuck operation may need another finished first; deeper chains just wait. */
const RESOLVE_DEPTH_MAX = 2;

/** Due expiries released in one call, so that no single call does unbounded work. */
export const EXPIRIES_RELEASED_PER_CALL_MAX = 100;

/**
 * Performs a batch of transfers, retrying attempts that were blocked.
 *
 * @param runtime - the ledger runtime
 * @param request - a checked request
 * @returns the batch's records
 * @throws AcquireError `INSUFFICIENT_FUNDS`, `DAILY_LIMIT_EXCEEDED`, `TRANSACTION_ABORTED`,
 *   `IDEMPOTENCY_KEY_REUSED`, `TRANSACTION_IN_PROGRESS` or `LEDGER_BUSY`
 */
export async function performWithRetries(
  runtime: LedgerRuntime,
  request: PerformRequest,
): Promise<PerformedRecord[]> {
  const operation = preparePerform(runtime, request);
  if (operation.digest !== undefined) {
    await claimIdempotencyKey(runtime.store, operation.batchUid, operation.digest);
  }
  let relieved = false;
  let waitingForRepeat = false;

  for (let attempt = 0; attempt < OPERATION_ATTEMPTS_MAX; attempt++) {
    const outcome = await attemptPerform(runtime, operation);
    waitingForRepeat = outcome.kind === 'repeat';
    if (outcome.kind === 'performed') {
      return outcome.records;
    }
    if (outcome.kind === 'repeat') {
      const records = await awaitRepeat(runtime, operation, attempt);
      if (records !== undefined) {
        return records;
      }
    } else if (outcome.kind === 'blocked') {
      await clearBlockers(runtime, outcome.blockers, attempt, 0);
    } else if (!relieved && (await relieve(runtime, outcome.accountUid))) {
      relieved = true;
    } else {
      return refuse(runtime, operation, outcome);
    }
  }
  throw waitingForRepeat ? inProgress(operation.batchUid) : busy();
}

/**
 * Settles a transaction, retrying attempts that were blocked or had to wait.
 *
 * @param runtime - the ledger runtime
 * @param request - the settlement
 * @returns the settled record
 * @throws AcquireError as {@link attemptSettle} does, `TRANSACTION_EXPIRED` for a receipt after
 *   expiry (the value is released instead), `TRANSACTION_IN_PROGRESS` or `LEDGER_BUSY`
 */
export async function settleWithRetries(
  runtime: LedgerRuntime,
  request: SettleRequest,
): Promise<PerformedRecord> {
  const uid = request.transactionUid;
  let waiting = false;
  for (let attempt = 0; attempt < OPERATION_ATTEMPTS_MAX; attempt++) {
    const outcome = await attemptSettle(runtime, request);
    waiting = outcome.kind === 'wait';
    if (outcome.kind === 'settled') {
      return outcome.record;
    }
    if (outcome.kind === 'committed-blocked') {
      return rollForwardSettle(runtime, uid, 0);
    }
    if (outcome.kind === 'expired') {
      await releaseQuietly(runtime, uid);
      throw new AcquireError(
        ErrorCode.TRANSACTION_EXPIRED,
        `transaction ${uid} expired and its provisional value was released`,
      );
    }
    if (outcome.kind === 'blocked') {
      await clearBlockers(runtime, outcome.blockers, attempt, 0);
    } else if (outcome.kind === 'wait' && isPast(runtime, outcome.sinceMs)) {
      await rollForwardSettle(runtime, uid, 0);
    } else {
      await backOff(attempt);
    }
  }
  throw waiting ? inProgress(uid) : busy();
}

/**
 * Releases a provisional transaction's due value, ignoring one that is already settled.
 *
 * @param runtime - the ledger runtime
 * @param transactionUid - the transaction
 * @returns true when this call released it
 */
async function releaseQuietly(runtime: LedgerRuntime, transactionUid: string): Promise<boolean> {
  // Finishing a perform writes its expiry entries again, also after an earlier release removed
  // them; a transaction already settled is then only a stale entry.
  const found = await readTransactionRecord(runtime.store, transactionUid);
  if (found !== undefined && isSettled(found.record.state)) {
    return false;
  }
  try {
    await settleWithRetries(runtime, { kind: 'release', transactionUid });
    return true;
  } catch (error) {
    if (
      AcquireError.is(error, ErrorCode.TRANSACTION_ALREADY_SETTLED) ||
      AcquireError.is(error, ErrorCode.TRANSACTION_NOT_FOUND)
    ) {
      return false;
    }
    throw error;
  }
}

/**
 * Releases an account's provisional debits whose expiry has passed, oldest first, at most
 * {@link EXPIRIES_RELEASED_PER_CALL_MAX} a call.
 *
 * @param runtime - the ledger runtime
 * @param accountUid - the paying account
 * @returns how many were released
 */
export async function releaseDue(runtime: LedgerRuntime, accountUid: string): Promise<number> {
  const page = await runtime.store.listPage(expiryPrefix(accountUid), {
    limit: EXPIRIES_RELEASED_PER_CALL_MAX,
  });
  const now = runtime.clock.now();
  let released = 0;
  for (const key of page.keys) {
    const entry = parseExpiryKey(key);
    if (entry !== undefined && entry.expiresAtMs > now) {
      break;
    }
    if (entry !== undefined && (await releaseQuietly(runtime, entry.transactionUid))) {
      released++;
    }
    await runtime.store.delete(key);
  }
  return released;
}

/**
 * Tries to make room on an account whose debit was refused: releases its due expiries and
 * resolves markers of operations left in flight past the timeout.
 *
 * @param runtime - the ledger runtime
 * @param accountUid - the account
 * @returns true when something changed, so that the debit is worth retrying
 */
async function relieve(runtime: LedgerRuntime, accountUid: string): Promise<boolean> {
  let changed = (await releaseDue(runtime, accountUid)) > 0;
  const { head } = await readHead(runtime, accountUid);
  for (const marker of head.markers.filter((candidate) => isStale(runtime, candidate))) {
    changed = (await resolveMarker(runtime, marker, 0)) !== 'in-flight' || changed;
  }
  return changed;
}

/**
 * Reports a refusal. An idempotent perform first makes it final; when an earlier attempt of the
 * same request committed first, that attempt's outcome is the answer instead.
 */
async function refuse(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  refusal: Refusal,
): Promise<PerformedRecord[]> {
  if (
    operation.digest === undefined ||
    (await recordRefusal(runtime, operation.batchUid, operation.digest, refusal))
  ) {
    throw refusalError(refusal);
  }
  return rollForwardPerform(runtime, operation.batchUid);
}

async function awaitRepeat(
  runtime: LedgerRuntime,
  operation: PerformOperation,
  attempt: number,
): Promise<PerformedRecord[] | undefined> {
  const found = await readTransactionRecord(runtime.store, operation.batchUid);
  if (found !== undefined) {
    if (
      found.record.requestDigest !== undefined &&
      found.record.requestDigest !== operation.digest
    ) {
      throw new AcquireError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'the idempotency key was already used for a perform with other arguments',
      );
    }
    return rollForwardPerform(runtime, operation.batchUid);
  }

  const heads = await Promise.all(operation.plans.map((plan) => readHead(runtime, plan.uid)));
  const markers = heads.flatMap(
    ({ head }) => findMarker(head, 'perform', operation.batchUid) ?? [],
  );
  const stale = markers.find((marker) => isStale(runtime, marker));
  if (stale !== undefined) {
    await abandonPerform(runtime, operation.batchUid, stale.requestDigest);
    return undefined;
  }
  // Two repeats that each won some of the accounts both undid theirs; waiting a random while
  // keeps them from meeting again in step.
  await backOff(attempt);
  return undefined;
}

/**
 * Finishes a settlement that was begun, waiting for or resolving whatever blocks it.
 *
 * @param runtime - the ledger runtime
 * @param transactionUid - the transaction
 * @param depth - how deep in a chain of resolutions this call is
 * @returns the record, settled unless no settlement was under way
 * @throws AcquireError `LEDGER_BUSY` when it stayed blocked
 */
export async function rollForwardSettle(
  runtime: LedgerRuntime,
  transactionUid: string,
  depth: number,
): Promise<PerformedRecord> {
  for (let attempt = 0; attempt < OPERATION_ATTEMPTS_MAX; attempt++) {
    const outcome = await attemptRollForwardSettle(runtime, transactionUid);
    if (outcome.kind === 'settled') {
      return outcome.record;
    }
    if (outcome.kind === 'retry') {
      return (await readPerformed(runtime, transactionUid)).record;
    }
    await clearBlockers(runtime, outcome.blockers, attempt, depth + 1);
  }
  throw busy();
}

async function clearBlockers(
  runtime: LedgerRuntime,
  blockers: readonly Marker[],
  attempt: number,
  depth: number,
): Promise<void> {
  const stale =
    depth < RESOLVE_DEPTH_MAX ? blockers.filter((marker) => isStale(runtime, marker)) : [];
  for (const marker of stale) {
    await resolveMarker(runtime, marker, depth);
  }
  if (stale.length === 0) {
    await backOff(attempt);
  }
}

/**
 * Rolls the operation of a marker left in flight past the timeout forward or back.
 *
 * @param runtime - the ledger runtime
 * @param marker - the marker
 * @param depth - how deep in a chain of resolutions this call is
 * @returns what was done
 */
export async function resolveMarker(
  runtime: LedgerRuntime,
  marker: Marker,
  depth: number,
): Promise<'rolled-forward' | 'rolled-back' | 'finished' | 'in-flight'> {
  const status = await operationStatus(runtime, marker.kind, marker.op);
  if (status === 'uncommitted') {
    await abandonPerform(runtime, marker.op, marker.requestDigest);
    return 'rolled-back';
  }
  if (status !== 'committed') {
    return 'finished';
  }
  if (marker.kind === 'perform') {
    await rollForwardPerform(runtime, marker.op);
    return 'rolled-forward';
  }
  if (depth >= RESOLVE_DEPTH_MAX) {
    return 'in-flight';
  }
  await rollForwardSettle(runtime, marker.op, depth);
  return 'rolled-forward';
}

function isPast(runtime: LedgerRuntime, sinceMs: number): boolean {
  return runtime.clock.now() - sinceMs > runtime.inflightTimeoutMs;
}

function inProgress(uid: string): AcquireError {
  return new AcquireError(
    ErrorCode.TRANSACTION_IN_PROGRESS,
    `transaction ${uid} is still under way elsewhere; retry later`,
  );
}

function busy(): AcquireError {
  return new AcquireError(ErrorCode.LEDGER_BUSY, 'the accounts stayed too contended; retry later');
}
