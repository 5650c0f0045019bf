// A store from its description (how the main thread and every worker thread open the same store),
// and the description of an --out: a local directory, or s3://BUCKET[/PREFIX]. Any other URL is
// refused with one line (exit 2) before anything is written.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { FaultyStore } from './faultyStore.js';
import { LocalStore } from './localStore.js';
import { DEFAULT_IN_FLIGHT, DEFAULT_PART_SIZE, MAX_PART_SIZE, MIN_PART_SIZE } from './s3Client.js';
import { S3Store } from './s3Store.js';
import type { S3StoreDescription, Store, StoreDescription } from './store.js';

export function openStore(description: StoreDescription): Store {
  if (description.kind === 'stdout') throw new Error('the standard-output store is opened by the main thread only (new StdoutStore())');
  const store = description.kind === 's3' ? new S3Store(description) : new LocalStore(description);
  return description.faults ? new FaultyStore(store, description.faults) : store;
}

/** The description of a local dataset root (absolute), with the test-only fault spec (DWGEN_FAULT) when set. */
export function localStore(root: string, faults: string | undefined = process.env.DWGEN_FAULT): StoreDescription {
  return faults ? { kind: 'local', root, faults } : { kind: 'local', root };
}

export interface StoreOptions {
  /** S3: bytes per part of a multipart upload (default 16 MiB; 5 MiB … 5 GiB). */
  partSize?: number;
  /** S3: parts a thread may have uploading at once (default 2). */
  inFlight?: number;
  /** S3: path-style addressing; default: on when a custom endpoint is set, else off. */
  forcePathStyle?: boolean;
  /** S3: the endpoint; default AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS's own. */
  endpoint?: string;
  /** S3: the region; default AWS_REGION, else AWS_DEFAULT_REGION, else the profile's (us-east-1 with a custom endpoint). */
  region?: string;
  /** Where the variables come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** TEST-ONLY (DWGEN_FAULT). */
  faults?: string;
}

/** A URL-like --out: a scheme of two or more characters, then ':' and '/' or nothing ('C:\…' stays a path). */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):(\/|$)/;

/** Whether an --out or --dir names a store by URL (s3://…, or a scheme storeFromOut refuses) rather than a local path. */
export function isStoreUrl(out: string): boolean {
  return SCHEME.test(out) || /^s3:/i.test(out);
}

const BUCKET_RULE = '3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';

/** Why a bucket name is not one S3 takes, or null. */
export function bucketNameProblem(bucket: string): string | null {
  if (bucket.length < 3 || bucket.length > 63 || !/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) return BUCKET_RULE;
  if (bucket.includes('..')) return 'no two dots in a row';
  if (isIP(bucket) !== 0) return 'not an IP address';
  if (bucket.startsWith('xn--') || bucket.endsWith('-s3alias') || bucket.endsWith('--ol-s3')) return "no 'xn--' prefix and no '-s3alias' or '--ol-s3' suffix";
  return null;
}

/**
 * What --out names: a local directory (resolved against the working directory) or an S3 prefix.
 * An unknown scheme (gs://, hdfs://), a malformed s3 URL (s3:/x, s3://), a bad bucket name or an
 * impossible part size is a UsageError, one line naming it.
 */
export function storeFromOut(out: string, options: StoreOptions = {}): StoreDescription {
  const faults = options.faults ?? process.env.DWGEN_FAULT;
  if (!isStoreUrl(out)) return localStore(resolve(out), faults);
  const scheme = SCHEME.exec(out)?.[1]?.toLowerCase();
  const s3 = /^s3:/i.test(out);
  if (!s3) {
    throw new UsageError(`--out ${out}: unsupported scheme ${scheme ? `${scheme}://` : out} (use a directory or s3://BUCKET/PREFIX; for GCS, R2 or MinIO use s3:// with AWS_ENDPOINT_URL_S3)`);
  }
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(out);
  if (!m) throw new UsageError(`--out ${out}: not an S3 URL (s3://BUCKET/PREFIX)`);
  const bucket = m[1];
  if (bucket === '') throw new UsageError(`--out ${out}: no bucket (s3://BUCKET/PREFIX)`);
  const problem = bucketNameProblem(bucket);
  if (problem) throw new UsageError(`--out ${out}: '${bucket}' is not a valid S3 bucket name (${problem})`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  if (prefix !== '' && prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new UsageError(`--out ${out}: the prefix '${prefix}' has an empty, '.' or '..' segment`);
  }

  const env = options.env ?? process.env;
  const ignoreEnvEndpoint = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true';
  const endpointVar = ignoreEnvEndpoint ? undefined : env.AWS_ENDPOINT_URL_S3 ? 'AWS_ENDPOINT_URL_S3' : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
  const endpoint = options.endpoint ?? (endpointVar ? env[endpointVar] : undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/i.test(endpoint)) {
    throw new UsageError(`${options.endpoint !== undefined ? 'the S3 endpoint' : endpointVar} ${endpoint}: not an http:// or https:// URL`);
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (endpoint !== undefined ? 'us-east-1' : undefined);
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    throw new UsageError(`S3 part size ${partSize} bytes: S3 takes parts of 5 MiB (${MIN_PART_SIZE} bytes) to 5 GiB`);
  }
  const inFlight = options.inFlight ?? DEFAULT_IN_FLIGHT;
  if (!Number.isSafeInteger(inFlight) || inFlight < 1) throw new UsageError(`S3 parts in flight ${inFlight}: must be a whole number of at least 1`);
  const d: S3StoreDescription = {
    kind: 's3',
    bucket,
    prefix,
    ...(endpoint !== undefined ? { endpoint: endpoint.replace(/\/+$/, '') } : {}),
    ...(region !== undefined ? { region } : {}),
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    partSize,
    inFlight,
    ...(faults ? { faults } : {}),
  };
  return d;
}
