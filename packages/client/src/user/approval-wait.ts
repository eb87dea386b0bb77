/**
 * Waiting for a person to approve a login session: poll its status with growing pauses until it
 * is approved, refused, or the time is up.
 *
 * @module
 */

import { AcquireError, type Clock, systemClock } from '@acquire/core';
import type { IdentityClient } from '../clients/identity-client.js';
import type { WalletSessionInfo } from '../wallet/wallet.js';

/** A person gets five minutes to approve a login; the request itself expires after 30. */
export const APPROVAL_WAIT_MS_DEFAULT: number = 5 * 60 * 1000;

/** The first pause between polls. */
export const APPROVAL_POLL_MS_MIN = 250;

/** Pauses grow by half each time up to this, so a slow approval costs few requests. */
export const APPROVAL_POLL_MS_MAX = 5000;

/** Polls stop after this many even if the clock stands still, so a wait always ends. */
export const APPROVAL_POLLS_MAX = 1000;

/** The session waited for was not approved in time. */
export const LOGIN_TIMEOUT = 'LOGIN_TIMEOUT';

/** The session ended in a state that can never become approved. */
export const LOGIN_REFUSED = 'LOGIN_REFUSED';

/** Options for waiting on an approval. */
export interface WaitForApprovalOptions {
  /** Give up after this long. @default APPROVAL_WAIT_MS_DEFAULT */
  readonly timeoutMs?: number;
  /** The first pause between polls. @default APPROVAL_POLL_MS_MIN */
  readonly pollMs?: number;
  /** Stops waiting early. */
  readonly signal?: AbortSignal;
  /** The time source for the deadline. @default systemClock */
  readonly clock?: Clock;
}

const REFUSED_STATUSES = new Set(['denied', 'suspicious', 'logged_out']);

/**
 * Polls `get_status` until the session is approved.
 *
 * @param identity - the identity client
 * @param session - the session waited for
 * @param options - time limit, first pause and abort signal
 * @throws AcquireError `LOGIN_TIMEOUT` or `LOGIN_REFUSED`
 */
export async function waitForApproval(
  identity: IdentityClient,
  session: WalletSessionInfo,
  options: WaitForApprovalOptions = {},
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const deadlineMs = clock.now() + (options.timeoutMs ?? APPROVAL_WAIT_MS_DEFAULT);
  let pauseMs = options.pollMs ?? APPROVAL_POLL_MS_MIN;

  for (let poll = 0; poll < APPROVAL_POLLS_MAX && clock.now() < deadlineMs; poll++) {
    options.signal?.throwIfAborted();
    const { status } = await identity.getStatus({
      username: session.username,
      sessionUid: session.sessionUid,
    });

    if (status === 'approved') {
      return;
    }
    if (REFUSED_STATUSES.has(status)) {
      throw new AcquireError(LOGIN_REFUSED, `the login session ended ${status}`);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(pauseMs, deadlineMs - clock.now())),
    );
    pauseMs = Math.min(APPROVAL_POLL_MS_MAX, pauseMs * 1.5);
  }

  throw new AcquireError(LOGIN_TIMEOUT, 'the login session was not approved in time');
}
