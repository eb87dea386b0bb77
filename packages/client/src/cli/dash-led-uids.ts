/**
 * Account uids are 22 base64url characters, so one in 64 begins with `-`, and a command line
 * parser takes such a word for an option. Before parsing, every word shaped like a uid that
 * begins with `-` is marked so that the parser sees an ordinary argument; before a command
 * runs, the marks are taken off its arguments and option values. Any other word that begins
 * with `-` is still an option, so a mistyped option is refused, never taken for a value.
 *
 * @module
 */

import type { Command } from 'commander';

/** A uid beginning with `-`: 22 characters of the base64url alphabet. */
const DASH_LED_UID = /^-[A-Za-z0-9_-]{21}$/;

/** Marks a word; no word a shell passes can hold a NUL character. */
const MARK = '\u0000';

/**
 * Marks the words of a command line that are uids beginning with `-`.
 *
 * @param argv - the command line, as in `process.argv`
 * @returns it with those words marked
 */
export function markDashLedUids(argv: readonly string[]): string[] {
  return argv.map((word) => (DASH_LED_UID.test(word) ? `${MARK}${word}` : word));
}

/**
 * Takes the marks off a command's arguments and option values; a `preAction` hook.
 *
 * @param _program - the program the hook is on
 * @param command - the command about to run
 */
export function unmarkDashLedUids(_program: Command, command: Command): void {
  command.processedArgs = command.processedArgs.map(unmark);
  for (const [name, value] of Object.entries(command.opts())) {
    if (typeof value === 'string' && value.startsWith(MARK)) {
      command.setOptionValue(name, unmark(value));
    }
  }
}

function unmark(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith(MARK) ? value.slice(MARK.length) : value;
}
