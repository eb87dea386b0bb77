/**
 * The raw rate of this disk at the moment: write a small file under a temporary name and rename
 * it into place, as the file-system store does for every object, with no locks, headers or
 * checks, and through the same callback calls on file descriptors the store makes. Disk speed
 * swings several-fold between runs on shared machines, so fs figures are judged as a ratio of
 * this rate, measured in the same run and the same temporary directory.
 *
 * @module
 */

import { close, fdatasync, fsync as fsyncDescriptor, open, write } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from '@acquire/core';
import { type Measurement, timeOperation } from './measure.js';

/** About the size of an account head or transaction record with the store's file header. */
const RAW_FILE_BYTES = 512;

/** Renames rotate over this many final names, so the directory stays small. */
const RAW_FINAL_NAMES = 100;

/** Options for {@link createRawWriteSampler}. */
export interface RawWriteOptions {
  /** A directory of its own, created when missing, on the disk being measured. */
  readonly directory: string;
  /** Flush the file's data before the rename and the directory after it, as the store does. */
  readonly fsync: boolean;
}

/** Takes samples of the raw write + rename rate. */
export type RawWriteSampler = (durationMs: number) => Promise<Measurement>;

/**
 * Creates a sampler of the raw write + rename rate in a directory.
 *
 * @param options - where, and whether to fsync
 * @returns a function that measures the rate for a given time
 */
export function createRawWriteSampler(options: RawWriteOptions): RawWriteSampler {
  const { directory, fsync } = options;
  const bytes = randomBytes(RAW_FILE_BYTES);
  let written = 0;

  const writeAndRename = async (): Promise<void> => {
    const index = written++;
    const temporary = join(directory, `.tmp-${index}`);
    const fd = await openFile(temporary, 'wx');
    try {
      await writeFile(fd, bytes, 0, bytes.length, 0);
      if (fsync) {
        await flushData(fd);
      }
    } finally {
      await closeFile(fd);
    }
    await rename(temporary, join(directory, `object-${index % RAW_FINAL_NAMES}`));
    if (fsync) {
      await syncDirectory(directory);
    }
  };

  return async (durationMs) => {
    await mkdir(directory, { recursive: true });
    return timeOperation(rawWriteLabel(fsync), writeAndRename, durationMs);
  };
}

/**
 * Says what the raw figure measures, for the heading of the runs compared with it.
 *
 * @param fsync - whether the raw writes flush as the store's do
 * @returns two lines
 */
export function describeRawWrite(fsync: boolean): readonly string[] {
  const steps = fsync
    ? 'fdatasync it, rename it into place, fsync the directory'
    : 'rename it into place, no fsync';
  return [
    `raw = write ${RAW_FILE_BYTES} bytes to a temporary file, ${steps};`,
    "fs rates are given as a ratio of raw, sampled in the store's temporary directory",
  ];
}

function rawWriteLabel(fsync: boolean): string {
  return fsync ? 'raw write+rename, fsync file+dir' : 'raw write+rename, no fsync';
}

const openFile = promisify(open);
const writeFile = promisify(write);
const flushData = promisify(fdatasync);
const flushAll = promisify(fsyncDescriptor);
const closeFile = promisify(close);

/** Windows cannot open a directory to flush it, and the store skips the step there too. */
async function syncDirectory(path: string): Promise<void> {
  if (process.platform === 'win32') {
    return;
  }
  const fd = await openFile(path, 'r');
  try {
    await flushAll(fd);
  } finally {
    await closeFile(fd);
  }
}
