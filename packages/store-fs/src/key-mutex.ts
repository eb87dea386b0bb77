/**
 * An in-process queue per key, so that operations of one process on one key take turns without
 * polling the lock file against each other; the file lock then only arbitrates between processes.
 *
 * @module
 */

/** What a task of {@link KeyMutex.runHeld} gives back. */
export interface HeldResult<T> {
  /** The task's result, handed to the caller at once. */
  readonly value: T;
  /** Work still under way that the key stays held for, such as releasing a file lock. */
  readonly afterwards: Promise<void>;
}

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

  /**
   * Runs `task` once every earlier task on the same key has settled, and returns its value as
   * soon as it has one; the next task on the key waits until the task's `afterwards` settles
   * too. Whoever starts `afterwards` deals with its failure; here it only frees the key.
   *
   * @param key - the key
   * @param task - the work
   * @returns the value `task` gives back
   */
  runHeld<T>(key: string, task: () => Promise<HeldResult<T>>): Promise<T>;
}

/**
 * Creates an empty {@link KeyMutex}. Keys with nothing queued take no memory.
 *
 * @returns the mutex
 */
export function createKeyMutex(): KeyMutex {
  const tails = new Map<string, Promise<void>>();

  const runHeld = async <T>(key: string, task: () => Promise<HeldResult<T>>): Promise<T> => {
    const previous = tails.get(key);
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous === undefined ? done : previous.then(() => done);
    tails.set(key, tail);
    const free = (): void => {
      release();
      if (tails.get(key) === tail) {
        tails.delete(key);
      }
    };

    let held: HeldResult<T>;
    try {
      await previous;
      held = await task();
    } catch (error) {
      free();
      throw error;
    }
    held.afterwards.then(free, free);
    return held.value;
  };

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      return runHeld(key, async () => ({ value: await task(), afterwards: Promise.resolve() }));
    },
    runHeld,
  };
}
