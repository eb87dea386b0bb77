/**
 * `callFunction`: calls a function of another service over HTTP. It fetches (and caches) the
 * service's public info, checks it against pinned fingerprints when given, seals the arguments,
 * asks for a sealed and signed reply, verifies it, and turns an error reply back into an
 * AcquireError with the service's own code.
 *
 * Calls are not retried unless marked idempotent: a call that timed out may still have run.
 *
 * @module
 */

import { utf8Decode } from '../crypto/encoding.js';
import { decodePublicKey } from '../crypto/public-key.js';
import { randomBytes } from '../crypto/random.js';
import { generateEncryptionKeyPair } from '../crypto/sealed-box.js';
import { AcquireError, ErrorCode } from '../errors.js';
import { type Clock, systemClock } from '../time/clock.js';
import { sealCall } from './call-envelope.js';
import {
  type FetchedResponse,
  type FetchFunction,
  fetchWithLimits,
  globalFetch,
} from './http-fetch.js';
import { HttpStatus } from './http-status.js';
import {
  type ErrorReply,
  isWrappedReply,
  type PlainReply,
  REPLY_MESSAGE_LENGTH_MAX_CHARS,
  type ReplyExpectation,
  type ReplySigningKey,
  unpackReply,
} from './reply-envelope.js';
import {
  assertInfoMatchesPins,
  type PinnedServiceKeys,
  type ServicePublicInfo,
} from './service-info.js';
import {
  createServiceInfoCache,
  fetchServicePublicInfo,
  type ServiceInfoCache,
} from './service-info-client.js';
import { canonicalServiceUrl, type ServiceType } from './service-url.js';

/** A call gets this long for its answer, headers and body, per attempt. */
export const CALL_TIMEOUT_MS = 10_000;

/** An idempotent call is retried at most this many times after its first attempt. */
export const CALL_RETRIES_MAX = 2;

/** The first retry waits this long; each later one twice as long, plus jitter. */
export const CALL_RETRY_BACKOFF_MS = 100;

/** Replies are records; 4 MiB leaves room for long statements and refuses anything absurd. */
export const REPLY_BYTES_MAX: number = 4 * 1024 * 1024;

/** HTTP statuses after which an idempotent call is tried again: the service is briefly away. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([
  HttpStatus.BAD_GATEWAY,
  HttpStatus.SERVICE_UNAVAILABLE,
  HttpStatus.GATEWAY_TIMEOUT,
]);

/** The cache used when a call names none: shared by every call in this process. */
const sharedInfoCache: ServiceInfoCache = createServiceInfoCache();

/** Options for {@link callFunction}. */
export interface CallFunctionOptions {
  /** The fetch to use. @default globalThis.fetch */
  readonly fetchImpl?: FetchFunction;
  /** Fingerprints the service's keys must match (directly or by an endorsed rotation). */
  readonly pinned?: PinnedServiceKeys;
  /** The type the service must have. */
  readonly expectedType?: ServiceType;
  /** Ask for a reply sealed to a fresh one-time key. @default true */
  readonly sealReply?: boolean;
  /** Ask for a reply signed by the service. @default true */
  readonly signReply?: boolean;
  /** Per-attempt time limit. @default CALL_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** The call may safely run twice; only then are failed attempts retried. @default false */
  readonly idempotent?: boolean;
  /** Retries for an idempotent call. @default CALL_RETRIES_MAX */
  readonly retriesMax?: number;
  /** Aborts the call. */
  readonly signal?: AbortSignal;
  /** The time source, for nonces' timestamps and the cache. @default systemClock */
  readonly clock?: Clock;
  /** Where public info is cached. @default a cache shared by the process */
  readonly infoCache?: ServiceInfoCache;
}

/** A call's result: the `result` object of an `ok` reply. */
export type CallResult = Readonly<Record<string, unknown>>;

/**
 * Calls a function of another service.
 *
 * @param url - the service URL
 * @param name - the function's wire name
 * @param args - JSON-safe arguments
 * @param options - pinning, reply protection, time limit, retries and injected parts
 * @returns the result fields of the reply
 * @throws AcquireError with the service's own code when it refused the call; `CALL_TIMEOUT`,
 *   `SERVICE_UNREACHABLE`, `SERVICE_INFO_MISMATCH`, `REPLY_MALFORMED`, `REPLY_REPLAYED` or
 *   `REPLY_INVALID_SIGNATURE` when the exchange itself failed
 * @example
 * ```ts
 * import { callFunction } from '@acquire/core';
 *
 * const keys = await callFunction('https://id.example.com', 'get_keys', { userUid, sessionUid }, {
 *   idempotent: true,
 * });
 * ```
 */
export async function callFunction<TResult extends CallResult = CallResult>(
  url: string,
  name: string,
  args: unknown,
  options: CallFunctionOptions = {},
): Promise<TResult> {
  const canonical = canonicalServiceUrl(url);
  const retriesMax = options.idempotent === true ? (options.retriesMax ?? CALL_RETRIES_MAX) : 0;

  for (let attempt = 0; attempt < retriesMax; attempt++) {
    try {
      return (await attemptCall(canonical, name, args, options)) as TResult;
    } catch (error) {
      if (!isRetryable(error) || options.signal?.aborted === true) {
        throw error;
      }
    }
    await sleep(retryDelayMs(attempt));
  }
  return (await attemptCall(canonical, name, args, options)) as TResult;
}

async function attemptCall(
  url: string,
  name: string,
  args: unknown,
  options: CallFunctionOptions,
): Promise<CallResult> {
  const cached = await serviceInfo(url, options, false);
  let info = cached;
  let exchange = await exchangeCall(info, name, args, options);

  // A reply signed by a key we do not know means stale info (the service rotated its keys), and
  // the function may have run: fetch the info again and judge the same reply.
  if (exchange.outcome === 'unknown-key' && cached.fromCache) {
    info = await serviceInfo(url, options, true);
    const signingKey = signingKeyOf(info.info);
    exchange = judgeReply(exchange.body, { ...exchange.expected, signingKey }, exchange.status);
  }
  // A signed refusal to open the arguments means they were sealed to keys the service no
  // longer has, and the function did not run: send the call once more, with fresh info.
  if (exchange.outcome === 'undecryptable' && cached.fromCache) {
    info = info === cached ? await serviceInfo(url, options, true) : info;
    exchange = await exchangeCall(info, name, args, options);
  }
  if (exchange.outcome !== 'reply') {
    throw exchange.error;
  }
  return resultOf(exchange.reply, url, exchange.status);
}

/** A reply as judged against the call: its expectations, status and body travel with it. */
interface Judged {
  readonly body: unknown;
  readonly expected: ReplyExpectation;
  readonly status: number;
}

type Exchange =
  | ({ readonly outcome: 'reply'; readonly reply: PlainReply } & Judged)
  | ({ readonly outcome: 'undecryptable'; readonly error: AcquireError } & Judged)
  | ({ readonly outcome: 'unknown-key'; readonly error: AcquireError } & Judged);

async function exchangeCall(
  info: CheckedInfo,
  name: string,
  args: unknown,
  options: CallFunctionOptions,
): Promise<Exchange> {
  const clock = options.clock ?? systemClock;
  const replyKeyPair = options.sealReply === false ? undefined : generateEncryptionKeyPair();
  const signReply = options.signReply !== false;
  const envelope = sealCall(name, args, decodePublicKey('x25519', info.info.encryptionKey), {
    ...(replyKeyPair === undefined ? {} : { replyKey: replyKeyPair.publicKey }),
    signReply,
    timestampMs: clock.now(),
  });

  const response = await postEnvelope(info.info.url, JSON.stringify(envelope), options);
  const expected: ReplyExpectation = {
    url: info.info.url,
    functionName: name,
    nonce: envelope.nonce as string,
    timestampMs: envelope.timestampMs as number,
    ...(replyKeyPair === undefined ? {} : { replyKeyPair }),
    ...(signReply ? { signingKey: signingKeyOf(info.info) } : {}),
  };
  return judgeReply(parseReplyBody(response), expected, response.status);
}

function judgeReply(body: unknown, expected: ReplyExpectation, status: number): Exchange {
  const judged = { body, expected, status };
  try {
    const reply = unpackReply(body, expected);
    // Only a signed refusal proves the function did not run; an unsigned one may be forged by
    // someone who passed the call on, and sending the call again could run it twice.
    if (
      reply.status === 'error' &&
      reply.code === ErrorCode.ARGUMENTS_UNDECRYPTABLE &&
      expected.signingKey !== undefined &&
      isWrappedReply(body)
    ) {
      return {
        outcome: 'undecryptable',
        error: remoteError(reply, expected.url, status),
        ...judged,
      };
    }
    return { outcome: 'reply', reply, ...judged };
  } catch (error) {
    if (
      AcquireError.is(error, ErrorCode.REPLY_INVALID_SIGNATURE) &&
      error.details?.unknownKey === true
    ) {
      return { outcome: 'unknown-key', error, ...judged };
    }
    throw error;
  }
}

function signingKeyOf(info: ServicePublicInfo): ReplySigningKey {
  return {
    publicKey: decodePublicKey('ed25519', info.signingKey),
    fingerprint: info.signingKeyFingerprint,
  };
}

interface CheckedInfo {
  readonly info: ServicePublicInfo;
  readonly fromCache: boolean;
}

async function serviceInfo(
  url: string,
  options: CallFunctionOptions,
  forceFetch: boolean,
): Promise<CheckedInfo> {
  const clock = options.clock ?? systemClock;
  const cache = options.infoCache ?? sharedInfoCache;
  const cached = forceFetch ? undefined : cache.get(url, clock.now());
  const info =
    cached ??
    (await fetchServicePublicInfo(url, {
      ...(options.fetchImpl === undefined ? {} : { fetchImpl: options.fetchImpl }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }));

  if (options.expectedType !== undefined && info.type !== options.expectedType) {
    throw new AcquireError(
      ErrorCode.SERVICE_INFO_MISMATCH,
      `${url} is a ${info.type} service, not ${options.expectedType}`,
    );
  }
  if (options.pinned !== undefined) {
    assertInfoMatchesPins(info, options.pinned, clock.now());
  }
  if (cached === undefined) {
    cache.set(info, clock.now());
  }
  return { info, fromCache: cached !== undefined };
}

function postEnvelope(
  url: string,
  body: string,
  options: CallFunctionOptions,
): Promise<FetchedResponse> {
  return fetchWithLimits(
    options.fetchImpl ?? globalFetch,
    `${url}/`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
    },
    {
      timeoutMs: options.timeoutMs ?? CALL_TIMEOUT_MS,
      bodyBytesMax: REPLY_BYTES_MAX,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
}

function parseReplyBody(response: FetchedResponse): unknown {
  try {
    return JSON.parse(utf8Decode(response.body));
  } catch {
    const code =
      response.status >= HttpStatus.INTERNAL_SERVER_ERROR
        ? ErrorCode.SERVICE_UNREACHABLE
        : ErrorCode.REPLY_MALFORMED;
    throw new AcquireError(code, `reply is not JSON (HTTP ${response.status})`, {
      details: { httpStatus: response.status },
    });
  }
}

function resultOf(reply: PlainReply, url: string, status: number): CallResult {
  if (reply.status === 'error') {
    throw remoteError(reply, url, status);
  }
  return reply.result;
}

function remoteError(reply: ErrorReply, url: string, status: number): AcquireError {
  return new AcquireError(reply.code, reply.message.slice(0, REPLY_MESSAGE_LENGTH_MAX_CHARS), {
    details: { service: url, httpStatus: status },
  });
}

function isRetryable(error: unknown): boolean {
  if (!AcquireError.is(error)) {
    return false;
  }
  if (error.code === ErrorCode.CALL_TIMEOUT || error.code === ErrorCode.SERVICE_UNREACHABLE) {
    return true;
  }
  const status = error.details?.httpStatus;
  return typeof status === 'number' && RETRYABLE_STATUSES.has(status);
}

function retryDelayMs(attempt: number): number {
  const jitter = (randomBytes(1)[0] as number) / 255;
  return CALL_RETRY_BACKOFF_MS * 2 ** attempt * (1 + jitter);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
