#!/usr/bin/env node
/**
 * The `acquire` executable.
 *
 * @module
 */

import { describeFailure, processIo } from './cli-io.js';
import { markDashLedUids } from './dash-led-uids.js';
import { createProgram } from './program.js';

const program = createProgram(processIo, (code) => {
  process.exitCode = code;
});

program.parseAsync(markDashLedUids(process.argv)).catch((error: unknown) => {
  processIo.err(describeFailure(error));
  process.exitCode = 1;
});
