/**
 * The logger interface Acquire writes to. It matches pino's `(fields, message)` calling
 * convention, so a pino logger can be passed as it is. Library code logs nothing unless given a
 * logger; the default is {@link silentLogger}.
 *
 * @module
 */

/** Structured fields attached to one log line. Never put secrets in them. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A levelled, structured logger. */
export interface Logger {
  /** Detail useful only while debugging. */
  debug(fields: LogFields, message: string): void;
  /** Normal events worth keeping. */
  info(fields: LogFields, message: string): void;
  /** Something unexpected that Acquire recovered from. */
  warn(fields: LogFields, message: string): void;
  /** A failure that a person should look at. */
  error(fields: LogFields, message: string): void;
}

const ignore = (): void => {};

/** A logger that drops everything: the default in library use. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
