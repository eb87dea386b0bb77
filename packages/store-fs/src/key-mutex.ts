/**
 * An in-process queue per key, so that operations of one process on one key take turns without
 * polling the lock file against each other; the file lock then only arbitrates between processes.
 *
 * @module
 */

/** Runs tasks one at a time per key. */
export interface KeyMutex {
  /**
   * Runs `task` once every earlier task on the same key has settled.
   *
   * @param key - the key
   * @param task - the work
   * @returns what `task` returns
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/**
 * Creates an empty {@link KeyMutex}. Keys with nothing queued take no memory.
 *
 * @returns the mutex
 */
export function createKeyMutex(): KeyMutex {
  const tails = new Map<string, Promise<void>>();

  return {
    async run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key);
      let release = (): void => undefined;
      const done = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tail = previous === undefined ? done : previous.then(() => done);
      tails.set(key, tail);

      try {
        await previous;
        return await task();
      } finally {
        release();
        if (tails.get(key) === tail) {
          tails.delete(key);
        }
      }
    },
  };
}
