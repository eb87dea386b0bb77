/**
 * Remembers, per key, the last version this process replaced. Version tags are random and never
 * come back, so a compare-and-swap that expects a replaced version is bound to fail, and can be
 * refused at once. Under contention most queued attempts expect exactly that version; refusing
 * them without touching the disk keeps the queue moving.
 *
 * @module
 */

/**
 * Only the most recently written keys matter: attempts queue on a key for milliseconds. A
 * thousand entries of a key and a tag each stay well under a megabyte.
 */
const SUPERSEDED_KEYS_MAX = 1000;

/** The last replaced version per key, for the most recently written keys. */
export interface SupersededVersions {
  /**
   * Tells whether a version is known to have been replaced.
   *
   * @param key - the key
   * @param version - a version a caller expects
   * @returns true when this process replaced exactly that version last
   */
  has(key: string, version: string): boolean;

  /**
   * Records that this process replaced a version.
   *
   * @param key - the key
   * @param version - the version that is no longer current
   */
  remember(key: string, version: string): void;
}

/**
 * Creates an empty, bounded record of replaced versions.
 *
 * @returns the record
 */
export function createSupersededVersions(): SupersededVersions {
  const versions = new Map<string, string>();

  return {
    has: (key, version) => versions.get(key) === version,
    remember(key, version) {
      versions.delete(key);
      versions.set(key, version);
      if (versions.size > SUPERSEDED_KEYS_MAX) {
        const oldest = versions.keys().next().value as string;
        versions.delete(oldest);
      }
    },
  };
}
