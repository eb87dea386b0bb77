/**
 * Answers `POST /`: reads the call envelope within the size limit, finds the function, opens the
 * arguments, runs the function, and packs the reply as the caller asked. Every failure becomes a
 * reply with a stable code; failures the runtime does not explain (plain exceptions, store
 * faults) are logged with the request id and answered with a generic message.
 *
 * @module
 */

import { utf8Decode } from '../crypto/encoding.js';
import { AcquireError, ErrorCode } from '../errors.js';
import type { Logger } from '../logging.js';
import { readBodyWithLimit } from './body-reader.js';
import { openCallArguments, type ParsedCall, parseCallEnvelope } from './call-envelope.js';
import { HttpStatus, httpStatusForCode } from './http-status.js';
import { type PlainReply, packReply, type WrappedReply } from './reply-envelope.js';
import { canonicalJson } from './request-resource.js';
import type { ServiceKeeper, ServiceState } from './service-keeper.js';
import { SETUP_FUNCTION_NAME } from './setup-function.js';

/** The message of every reply that succeeded. */
export const OK_MESSAGE = 'ok';

/** What the call handler needs from the runtime. */
export interface CallHandlerOptions {
  /** The service's identity. */
  readonly keeper: ServiceKeeper;
  /** Runs a function by name with the request's context; `undefined` for unknown names. */
  readonly run: (name: string) => ((args: unknown) => Promise<unknown>) | undefined;
  /** Functions whose replies must be sealed. */
  readonly replyKeyRequired: ReadonlySet<string>;
  /** The request body limit. */
  readonly bodyBytesMax: number;
  /** Where failures are logged. */
  readonly logger: Logger;
  /** Ties log lines to this request. */
  readonly requestId: string;
}

/** Headers on every wire reply: JSON, never cached, callable from any web origin. */
export const WIRE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'access-control-allow-origin': '*',
};

/**
 * Handles one call.
 *
 * @param request - the `POST /` request
 * @param options - the runtime parts and this request's id
 * @returns the JSON reply
 */
export async function handleCall(request: Request, options: CallHandlerOptions): Promise<Response> {
  let call: ParsedCall | undefined;
  let state: ServiceState | undefined;
  let plain: PlainReply;

  try {
    const body = await readBodyWithLimit(request, options.bodyBytesMax);
    call = parseCallEnvelope(parseJson(body));
    const run = findFunction(call, options);
    state = await options.keeper.state();
    if (state.record === undefined && call.functionName !== SETUP_FUNCTION_NAME) {
      throw new AcquireError(ErrorCode.SERVICE_NOT_SET_UP, 'service is not set up yet');
    }

    const opened = await openArguments(call, state, options.keeper);
    state = opened.state;
    plain = okReply(await run(opened.args));
  } catch (error) {
    plain = errorReply(error, call, options);
  }

  return respond(plain, call, state, options);
}

function findFunction(
  call: ParsedCall,
  options: CallHandlerOptions,
): (args: unknown) => Promise<unknown> {
  const run = options.run(call.functionName);
  if (run === undefined) {
    throw new AcquireError(
      ErrorCode.UNKNOWN_FUNCTION,
      `this service has no function ${call.functionName}`,
    );
  }
  if (options.replyKeyRequired.has(call.functionName) && call.replyKey === undefined) {
    throw new AcquireError(
      ErrorCode.REPLY_KEY_REQUIRED,
      `${call.functionName} answers only with a sealed reply; send a replyKey`,
    );
  }
  return run;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(utf8Decode(body));
  } catch {
    throw new AcquireError(ErrorCode.MALFORMED_ENVELOPE, 'request body is not JSON');
  }
}

/**
 * Opens the arguments; when they do not open, rereads the identity once, since another instance
 * may have rotated the keys since the last read. Returns the state whose keys opened them, so
 * the reply is signed with the keys the caller knows.
 */
async function openArguments(
  call: ParsedCall,
  state: ServiceState,
  keeper: ServiceKeeper,
): Promise<{ args: unknown; state: ServiceState }> {
  try {
    return { args: openCallArguments(call, [state.keys, ...state.retiredKeys]), state };
  } catch (error) {
    if (!AcquireError.is(error, ErrorCode.ARGUMENTS_UNDECRYPTABLE)) {
      throw error;
    }
    const fresh = await keeper.refresh();
    return { args: openCallArguments(call, [fresh.keys, ...fresh.retiredKeys]), state: fresh };
  }
}

function okReply(result: unknown): PlainReply {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new TypeError('a service function must return a plain object');
  }
  return { status: 'ok', message: OK_MESSAGE, result: result as Readonly<Record<string, unknown>> };
}

function errorReply(
  error: unknown,
  call: ParsedCall | undefined,
  options: CallHandlerOptions,
): PlainReply {
  const functionName = call?.functionName;
  if (AcquireError.is(error) && httpStatusForCode(error.code) < HttpStatus.INTERNAL_SERVER_ERROR) {
    options.logger.debug(
      { requestId: options.requestId, function: functionName, code: error.code },
      'call refused',
    );
    return { status: 'error', code: error.code, message: error.message };
  }

  options.logger.error(
    {
      requestId: options.requestId,
      function: functionName,
      ...describeInternalError(error),
    },
    'call failed',
  );
  const code = AcquireError.is(error) ? error.code : ErrorCode.INTERNAL_ERROR;
  return {
    status: 'error',
    code,
    message: `the service failed; quote request id ${options.requestId} to its operator`,
  };
}

/**
 * What is logged about an unexpected failure: its name, code and stack frames, but not its
 * message, which for some built-in errors (a JSON parse error) quotes the input.
 */
function describeInternalError(error: unknown): Record<string, unknown> {
  if (AcquireError.is(error)) {
    return { code: error.code, errorMessage: error.message };
  }
  if (error instanceof Error) {
    const frames = (error.stack ?? '')
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '));
    return { errorName: error.name, stack: frames.join('\n') };
  }
  return { errorName: typeof error };
}

function respond(
  plain: PlainReply,
  call: ParsedCall | undefined,
  state: ServiceState | undefined,
  options: CallHandlerOptions,
): Response {
  const status = plain.status === 'ok' ? HttpStatus.OK : httpStatusForCode(plain.code);
  let body: PlainReply | WrappedReply = plain;
  let text: string;
  try {
    if (call !== undefined && state !== undefined) {
      body = packReply(plain, call, state.keys, state.info);
    }
    text = body === plain ? JSON.stringify(plain) : canonicalJson(body);
  } catch (error) {
    // A result JSON cannot hold (a bigint, a cycle) is the function's fault, not the caller's.
    const failed = errorReply(error, call, options);
    const wrapped =
      call !== undefined && state !== undefined
        ? packReply(failed, call, state.keys, state.info)
        : failed;
    return new Response(JSON.stringify(wrapped), {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      headers: { ...WIRE_HEADERS, 'x-request-id': options.requestId },
    });
  }
  return new Response(text, {
    status,
    headers: { ...WIRE_HEADERS, 'x-request-id': options.requestId },
  });
}
