/**
 * The few calls on raw file descriptors the store makes on every write: open, write, read, flush
 * and close. They go through Node's callback API, which costs the event loop noticeably less per
 * call than `FileHandle` objects do, and a write of a few hundred bytes is a handful of calls.
 *
 * @module
 */

import {
  type BigIntStats,
  close,
  fdatasync,
  fstat,
  fsync,
  lstat,
  open,
  read,
  write,
} from 'node:fs';

/**
 * Opens a file.
 *
 * @param path - the path
 * @param flags - `open(2)` flags
 * @returns the descriptor
 */
export function openDescriptor(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, flags, 0o666, (error, fd) => (error === null ? resolve(fd) : reject(error)));
  });
}

/**
 * Writes all of `bytes` from the start of a file just opened.
 *
 * @param fd - the descriptor
 * @param bytes - the content
 */
export async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await new Promise<number>((resolve, reject) => {
      write(fd, bytes, offset, bytes.length - offset, offset, (error, written) =>
        error === null ? resolve(written) : reject(error),
      );
    });
  }
}

/**
 * Reads from the start of a file into a buffer, once.
 *
 * @param fd - the descriptor
 * @param buffer - where to read to
 * @returns how many bytes were read
 */
export function readStart(fd: number, buffer: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, buffer.length, 0, (error, bytesRead) =>
      error === null ? resolve(bytesRead) : reject(error),
    );
  });
}

/**
 * Flushes a file's data to disk.
 *
 * @param fd - the descriptor
 */
export function flushData(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fdatasync(fd, (error) => (error === null ? resolve() : reject(error)));
  });
}

/**
 * Flushes a file's data and metadata to disk; for a directory, its entries.
 *
 * @param fd - the descriptor
 */
export function flushAll(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (error) => (error === null ? resolve() : reject(error)));
  });
}

/**
 * Tells which file a descriptor is open on.
 *
 * @param fd - the descriptor
 * @returns its device and inode numbers
 */
export function describeDescriptor(fd: number): Promise<BigIntStats> {
  return new Promise((resolve, reject) => {
    fstat(fd, { bigint: true }, (error, stats) =>
      error === null ? resolve(stats) : reject(error),
    );
  });
}

/**
 * Tells which file a path names now, without following a link.
 *
 * @param path - the path
 * @returns its device and inode numbers
 */
export function describePath(path: string): Promise<BigIntStats> {
  return new Promise((resolve, reject) => {
    lstat(path, { bigint: true }, (error, stats) =>
      error === null ? resolve(stats) : reject(error),
    );
  });
}

/**
 * Closes a descriptor.
 *
 * @param fd - the descriptor
 */
export function closeDescriptor(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    close(fd, (error) => (error === null ? resolve() : reject(error)));
  });
}
