/**
 * The object-store contract: the only place Acquire keeps state.
 *
 * Keys are `/`-separated strings (see {@link assertValidKey}); values are bytes; every stored
 * object has an opaque version tag that changes on each write. Conditional writes are the
 * concurrency primitive: anything that must happen once is a {@link ObjectStore.writeIfAbsent}
 * or {@link ObjectStore.writeIfVersion}, never a read followed by a write.
 *
 * @module
 */

/** An object read from a store. */
export interface StoredObject {
  /** The stored bytes. The caller owns this array. */
  readonly value: Uint8Array;
  /** An opaque tag that changes whenever the object is written. */
  readonly version: string;
}

/** What a store guarantees, declared so services can refuse a store that is not safe for them. */
export interface StoreCapabilities {
  /** Conditional writes and deletes are atomic, also against other processes sharing the store. */
  readonly atomicConditionalWrites: boolean;
  /** A completed write survives a crash of the process (and, where stated, of the machine). */
  readonly durable: boolean;
  /** Several processes may use the same underlying storage at once. */
  readonly sharedAcrossProcesses: boolean;
}

/** Options for {@link ObjectStore.listPage}. */
export interface ListPageOptions {
  /** Only keys strictly after this one are returned. */
  startAfter?: string;
  /** At most this many keys; capped by {@link LIST_PAGE_SIZE_MAX}. @default LIST_PAGE_SIZE_MAX */
  limit?: number;
}

/** One page of a listing. */
export interface ListPage {
  /** Full keys, sorted by Unicode code point (the same as UTF-8 byte order). */
  readonly keys: readonly string[];
  /** Present when more keys may follow: pass it as `startAfter` for the next page. */
  readonly next?: string;
}

/** Options for conditional deletes. */
export interface DeleteOptions {
  /** Delete only when the stored version is this one. */
  ifVersion?: string;
}

/** Listing returns at most 1,000 keys a page, the same as S3's ListObjectsV2. */
export const LIST_PAGE_SIZE_MAX = 1000;

/**
 * A key-value store of bytes with version tags and conditional writes.
 *
 * Every method validates its key first and throws `INVALID_KEY` for a bad one, then its other
 * arguments with the shared checks (`assertStoreValue` and its neighbours), throwing
 * `INVALID_ARGUMENT` before it touches storage. Every adapter runs the conformance suite from
 * `@acquire/core/testing`.
 */
export interface ObjectStore {
  /** What this store guarantees. */
  readonly capabilities: StoreCapabilities;

  /**
   * Reads an object.
   *
   * @param key - the key
   * @returns the value and version, or `undefined` when there is none
   */
  read(key: string): Promise<StoredObject | undefined>;

  /**
   * Writes an object, replacing any previous value.
   *
   * @param key - the key
   * @param value - the bytes; the store keeps its own copy
   * @returns the new version tag
   * @throws AcquireError `INVALID_ARGUMENT` when `value` is not a `Uint8Array`
   */
  write(key: string, value: Uint8Array): Promise<string>;

  /**
   * Writes an object only when the key holds nothing.
   *
   * @param key - the key
   * @param value - the bytes
   * @returns the new version tag
   * @throws AcquireError `INVALID_ARGUMENT` when `value` is not a `Uint8Array`;
   *   `PRECONDITION_FAILED` when an object already exists
   */
  writeIfAbsent(key: string, value: Uint8Array): Promise<string>;

  /**
   * Writes an object only when its current version is `version`.
   *
   * @param key - the key
   * @param value - the bytes
   * @param version - the version the caller read
   * @returns the new version tag
   * @throws AcquireError `INVALID_ARGUMENT` when `value` is not a `Uint8Array` or `version` is
   *   not a non-empty string; `PRECONDITION_FAILED` when the object is absent or has another
   *   version
   */
  writeIfVersion(key: string, value: Uint8Array, version: string): Promise<string>;

  /**
   * Deletes an object. Deleting an absent key without a condition succeeds.
   *
   * @param key - the key
   * @param options - an optional version condition
   * @throws AcquireError `INVALID_ARGUMENT` for options of the wrong shape;
   *   `PRECONDITION_FAILED` when a condition was given and not met
   */
  delete(key: string, options?: DeleteOptions): Promise<void>;

  /**
   * Lists one page of keys under a prefix. The prefix names whole segments: `a/b` lists
   * `a/b/c` and `a/b/c/d` but never `a/bc`. The empty prefix lists everything.
   *
   * @param prefix - `''` or a valid key
   * @param options - where to start and how many
   * @returns a page of keys in order
   * @throws AcquireError `INVALID_ARGUMENT` for options of the wrong shape or a bad limit
   */
  listPage(prefix: string, options?: ListPageOptions): Promise<ListPage>;
}
