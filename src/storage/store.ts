// The storage seam: where a run's bytes go. A Store publishes part files atomically (written under
// a temporary name or as an unfinished upload, visible under the final name only once committed),
// puts and reads small objects (records, manifests, metadata) atomically, lists, removes, verifies
// and locks. The run, the workers and the metadata name things by dataset-relative POSIX paths
// ('data/orders/part-00003.csv', '.dwgen/run.json'); only a store knows where they really are.
// Workers receive a StoreDescription (plain data, cloned to each thread) and open their own store.

/** A serialisable description of a store, for the worker threads. */
export type StoreDescription = LocalStoreDescription | StdoutStoreDescription | S3StoreDescription;

/** Standard output (generate --stdout): it lives on the main thread only; workers return chunks. */
export interface StdoutStoreDescription {
  readonly kind: 'stdout';
  readonly faults?: undefined;
}

/**
 * An S3 bucket (or an S3-compatible server) under a key prefix: storage/s3Store.ts. No secrets:
 * every thread takes its credentials from the SDK's default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE …).
 */
export interface S3StoreDescription {
  readonly kind: 's3';
  readonly bucket: string;
  /** The key prefix, without leading or trailing '/' ('' for the bucket's root). */
  readonly prefix: string;
  /** A custom endpoint (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL), else the SDK's AWS endpoint. */
  readonly endpoint?: string;
  /** Else the SDK's chain (AWS_REGION, the profile's region). */
  readonly region?: string;
  /** Path-style addressing (http://host/bucket/key), as MinIO and most S3-compatible servers expect. */
  readonly forcePathStyle: boolean;
  /** Bytes of every part of a multipart upload but the last (5 MiB … 5 GiB). */
  readonly partSize: number;
  /** Parts one thread may have uploading at once, besides the one each open part file is filling. */
  readonly inFlight: number;
  /** TEST-ONLY fault spec (DWGEN_FAULT), as for a local store. */
  readonly faults?: string;
}

export interface LocalStoreDescription {
  readonly kind: 'local';
  /** The dataset root (absolute). */
  readonly root: string;
  /** TEST-ONLY fault spec (DWGEN_FAULT): the store is wrapped by storage/faultyStore.ts. */
  readonly faults?: string;
}

/** A part file complete under its temporary name (or upload): what commit needs to publish it. */
export interface PendingPart {
  readonly path: string;
}

export interface FinishedPart {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly pending: PendingPart;
}

/** One part file being written: bytes in, then finish (sizes, sha256), then the store commits or discards it. */
export interface PartSink {
  readonly path: string;
  write(chunk: Uint8Array): void;
  /** Completes the bytes (not yet visible under the final name): call commit, or discard. */
  finish(): Promise<FinishedPart>;
  /** Abandons the part: nothing of it stays. */
  abort(): Promise<void>;
}

/** A file grown by appending (the single-file layout), with a journal of its partition boundaries. */
export interface AppendFile {
  readonly path: string;
  append(chunks: readonly Uint8Array[], rows: number): Promise<void>;
  /** Journals that everything up to partition `partition` is in the file. */
  mark(partition: number): void;
  /** Durable and renamed into place. */
  commit(): Promise<{ rows: number; bytes: number; sha256: string }>;
  /** Closes, keeping what was written and its journal, for a later resume. */
  close(): Promise<void>;
}

/** A single file's journal entry: its state after partition p (p = −1: after the header). */
export interface JournalEntry {
  p: number;
  bytes: number;
  rows: number;
  sha256: string;
}

/** Where an interrupted append file can continue: after partition entry.p. */
export interface AppendResume {
  entry: JournalEntry;
  /** Opaque to the run: the store's own state for continuing (hash state, verified entries). */
  readonly state: unknown;
}

export interface StoreLock {
  /** A note for the user when a stale lock was taken over, else null. */
  readonly note: string | null;
  release(): Promise<void>;
}

export interface Store {
  readonly description: StoreDescription;
  /** Whether files can be grown by appending (the single-file layout needs it). */
  readonly canAppend: boolean;
  /** Where a path is, for messages: an absolute file path, or a URL. */
  locate(path: string): string;

  /** Proves the dataset root can be written (refusing with a UsageError naming what cannot). */
  prepare(): Promise<void>;
  createPart(path: string): PartSink;
  /** Publishes a finished part under its final name (durably). */
  commit(part: PendingPart): Promise<void>;
  /** Deletes a finished part that will not be committed. */
  discard(part: PendingPart): Promise<void>;

  /**
   * Writes a small object atomically; `durable`: fsynced (or the store's equivalent) before it is
   * visible. The store keeps no reference to `data` once the promise settles (the caller may reuse it).
   */
  put(path: string, data: string | Uint8Array, options?: { durable?: boolean }): Promise<void>;
  /** A small object's bytes, or null when it does not exist. */
  get(path: string): Promise<Uint8Array | null>;
  /** Every path under a prefix (a directory, for a local store), sorted; [] when there is none. */
  list(prefix: string): Promise<string[]>;
  /** Removes objects (missing ones are fine). */
  remove(paths: readonly string[]): Promise<void>;
  /** Null when the object has these bytes and sha256, else why not ("… is missing", "checksum mismatch"). */
  verify(path: string, bytes: number, sha256: string): Promise<string | null>;
  /** Takes an exclusive lock (a UsageError naming the holder when it is held). */
  lock(path: string): Promise<StoreLock>;
  /**
   * Removes leftovers of unfinished writes (temporaries, open uploads): `mine`, only this process's;
   * `owned`, only those whose final path it accepts (a shard sweeps only its own partitions').
   */
  sweep(options?: { mine?: boolean; owned?: (path: string) => boolean }): Promise<void>;

  /** The single-file layout: a file grown by appending (only when canAppend). */
  openAppend(path: string, journal: string, resume: AppendResume | null, header: Uint8Array): Promise<AppendFile>;
  /** What an earlier run left of an append file: the last journaled boundary that still verifies. */
  inspectAppend(path: string, journal: string): Promise<AppendResume | null>;
  /** Removes an append file's unfinished state (partial file and journal). */
  removeAppend(path: string, journal: string): Promise<void>;
}

/** The dataset layout, in one place. */
export const STATE_DIR = '.dwgen';
export const PARTIAL_SUFFIX = '.dwgen-partial';
export const dataPath = (table: string): string => `data/${table}.csv`;
export const partPath = (table: string, partition: number, format: string): string => `data/${table}/${partFileName(partition, format)}`;
export function partFileName(partition: number, format: string): string {
  return `part-${String(partition).padStart(5, '0')}.${format}`;
}
