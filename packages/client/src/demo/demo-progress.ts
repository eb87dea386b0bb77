/**
 * Step-by-step progress for the demo: each step prints its title, then how long it took.
 *
 * @module
 */

/** Runs the demo's steps and reports each one. */
export interface DemoProgress {
  /**
   * Runs one step, printing its number, title and duration.
   *
   * @param title - what the step does
   * @param action - the step
   * @returns what the step returned
   */
  step<T>(title: string, action: () => Promise<T>): Promise<T>;
  /**
   * Prints a line under the current step.
   *
   * @param text - the line, without indentation
   */
  detail(text: string): void;
}

/**
 * Creates the demo's progress reporter.
 *
 * @param write - prints one line
 * @param now - the time in ms, for durations
 * @returns the reporter
 */
export function createDemoProgress(write: (line: string) => void, now: () => number): DemoProgress {
  let stepNumber = 0;

  return {
    async step(title, action) {
      stepNumber += 1;
      write(`\n${String(stepNumber).padStart(2)}. ${title}`);
      const started = now();
      const result = await action();
      write(`    done in ${now() - started} ms`);
      return result;
    },

    detail(text) {
      for (const line of text.split('\n')) {
        write(`    ${line}`);
      }
    },
  };
}
