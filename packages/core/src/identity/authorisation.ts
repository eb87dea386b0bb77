/**
 * Authorisations: what a logged-in client attaches to a request to prove who sends it. The
 * session's Ed25519 key (RFC 8032) signs a canonical serialisation of every other field, so
 * none of them can be changed without breaking the signature.
 *
 * @module
 */

import * as v from 'valibot';
import { base64UrlEncode, utf8Encode } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/random.js';
import { sign } from '../crypto/signing.js';
import { canonicalJson } from '../service/request-resource.js';
import type { Clock } from '../time/clock.js';
import { parseInput } from '../validation.js';
import { UID_SCHEMA } from './argument-schemas.js';

/** 128 random bits make a nonce that never repeats by chance. */
export const AUTHORISATION_NONCE_BYTES = 16;

/** An identity service URL fits in 2,048 characters, the common practical URL limit. */
export const IDENTITY_URL_LENGTH_MAX_CHARS = 2048;

/** A resource is a function name and a digest, or a short name; 1,024 characters is ample. */
export const RESOURCE_LENGTH_MAX_CHARS = 1024;

/** Unpadded base64url of 16 bytes is 22 characters. */
const NONCE_LENGTH_CHARS = 22;

/** Unpadded base64url of a 64-byte Ed25519 signature is 86 characters. */
const SIGNATURE_LENGTH_CHARS = 86;

/** Prefixed to the signed text so a signature made here means nothing in any other protocol. */
const SIGNING_CONTEXT = 'acquire/authorisation/v1\n';

/** A signed authorisation; plain JSON, safe to send. */
export interface Authorisation {
  /** The signing user's uid. */
  readonly userUid: string;
  /** The session whose key signed. */
  readonly sessionUid: string;
  /** The identity service that approved the session, which verifiers ask for its certificate. */
  readonly identityUrl: string;
  /** What the authorisation is for, for example `requestResource('perform', args)`. */
  readonly resource: string;
  /** When it was signed, in ms since the epoch, by the signer's clock. */
  readonly timestampMs: number;
  /** 16 random bytes as base64url, so a single-use authorisation can be spent once. */
  readonly nonce: string;
  /** Ed25519 signature over the other fields, as base64url. */
  readonly signature: string;
}

/** Options for {@link createAuthorisation}. */
export interface CreateAuthorisationOptions {
  /** The user's uid. */
  readonly userUid: string;
  /** The approved session's uid. */
  readonly sessionUid: string;
  /** The identity service URL that approved the session. */
  readonly identityUrl: string;
  /** The resource to authorise. */
  readonly resource: string;
  /** The session's 32-byte Ed25519 secret seed. */
  readonly signingSecretKey: Uint8Array;
  /** The signer's clock. */
  readonly clock: Clock;
}

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

const TEXT_FIELDS = {
  userUid: UID_SCHEMA,
  sessionUid: UID_SCHEMA,
  identityUrl: v.pipe(v.string(), v.minLength(1), v.maxLength(IDENTITY_URL_LENGTH_MAX_CHARS)),
  resource: v.pipe(v.string(), v.minLength(1), v.maxLength(RESOURCE_LENGTH_MAX_CHARS)),
};

const AUTHORISATION_SCHEMA = v.strictObject({
  ...TEXT_FIELDS,
  timestampMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  nonce: v.pipe(v.string(), v.length(NONCE_LENGTH_CHARS), v.regex(BASE64URL_PATTERN)),
  signature: v.pipe(v.string(), v.length(SIGNATURE_LENGTH_CHARS), v.regex(BASE64URL_PATTERN)),
});

/** An authorisation as a function argument: its shape only; verifiers check the rest. */
export const AUTHORISATION_ARGUMENT_SCHEMA: v.GenericSchema<Authorisation> = AUTHORISATION_SCHEMA;

const FIELDS_TO_SIGN_SCHEMA = v.object(TEXT_FIELDS);

/**
 * Signs an authorisation with a session key.
 *
 * @param options - who signs, for what, with which key and clock
 * @returns the authorisation
 * @throws AcquireError `INVALID_ARGUMENT` when a field is malformed or too long
 * @example
 * ```ts
 * import { createAuthorisation, requestResource, systemClock } from '@acquire/core';
 *
 * const authorisation = createAuthorisation({
 *   userUid,
 *   sessionUid,
 *   identityUrl: 'https://id.example',
 *   resource: requestResource('logout', { username, sessionUid }),
 *   signingSecretKey: sessionKeys.secretKey,
 *   clock: systemClock,
 * });
 * ```
 */
export function createAuthorisation(options: CreateAuthorisationOptions): Authorisation {
  const fields = parseInput(FIELDS_TO_SIGN_SCHEMA, options, 'authorisation fields');
  const unsigned = {
    userUid: fields.userUid,
    sessionUid: fields.sessionUid,
    identityUrl: fields.identityUrl,
    resource: fields.resource,
    timestampMs: options.clock.now(),
    nonce: base64UrlEncode(randomBytes(AUTHORISATION_NONCE_BYTES)),
  };
  const signature = sign(authorisationMessage(unsigned), options.signingSecretKey);
  return { ...unsigned, signature: base64UrlEncode(signature) };
}

/**
 * Checks the shape of an authorisation received from a caller.
 *
 * @param value - anything
 * @returns the typed authorisation (its signature not yet checked)
 * @throws AcquireError `INVALID_ARGUMENT` naming the malformed fields
 */
export function parseAuthorisation(value: unknown): Authorisation {
  return parseInput(AUTHORISATION_SCHEMA, value, 'authorisation');
}

/**
 * The bytes an authorisation's signature covers: a fixed context line, then canonical JSON of
 * every field but the signature.
 *
 * @param fields - the authorisation, with or without its signature
 * @returns the message to sign or verify
 */
export function authorisationMessage(fields: Omit<Authorisation, 'signature'>): Uint8Array {
  return utf8Encode(
    SIGNING_CONTEXT +
      canonicalJson({
        userUid: fields.userUid,
        sessionUid: fields.sessionUid,
        identityUrl: fields.identityUrl,
        resource: fields.resource,
        timestampMs: fields.timestampMs,
        nonce: fields.nonce,
      }),
  );
}
