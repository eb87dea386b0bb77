#!/usr/bin/env node
/**
 * The `acquire` executable.
 *
 * @module
 */

import { processIo } from './cli-io.js';
import type { GlobalOptions } from './cli-session.js';
import { reportFailure } from './command-runner.js';
import { markDashLedUids } from './dash-led-uids.js';
import { createProgram } from './program.js';

const program = createProgram(processIo, (code) => {
  process.exitCode = code;
});

program.parseAsync(markDashLedUids(process.argv)).catch((error: unknown) => {
  reportFailure(processIo, error, program.opts<GlobalOptions>());
  process.exitCode = 1;
});
