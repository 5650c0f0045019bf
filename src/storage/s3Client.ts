// How dwgen talks to S3: the client every thread builds from an S3StoreDescription (credentials
// from the SDK's default chain, never from the description), the names of things for messages
// (s3://bucket/key, the endpoint, which credential source was used) and what an SDK error means.
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3StoreDescription } from './store.js';

/** S3's limits on a multipart upload: every part but the last at least 5 MiB, at most 5 GiB, 10,000 parts. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;
export const MAX_PARTS = 10_000;
/** 16 MiB: a part file of up to 156 GiB fits in 10,000 parts, and a worker holds few of them. */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
/** Parts one thread uploads at once while it fills the next: two keep the link busy while one waits. */
export const DEFAULT_IN_FLIGHT = 2;
/**
 * Attempts per request (the SDK's standard retry: exponential backoff with jitter) unless
 * AWS_MAX_ATTEMPTS says otherwise: a run of thousands of requests meets a transient error.
 */
const MAX_ATTEMPTS = 5;

/**
 * The SDK version dwgen pins supports Node 20, but every SDK client warns (once per thread, seven
 * lines on stderr) that versions published after January 2027 will not: noise a user of the pinned
 * version cannot act on. Unless the user set the variable, dwgen silences it.
 */
function silenceNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/**
 * One S3 client of this thread. Checksums: since 3.729 the SDK adds a CRC32 to every PutObject and
 * UploadPart (and validates one on GetObject) by default; S3-compatible servers that predate
 * flexible checksums (older MinIO and Ceph RGW, some GCS and R2 paths, s3rver) reject the extra
 * headers or the aws-chunked encoding. 'WHEN_REQUIRED' sends a checksum only where the API demands
 * one (DeleteObjects). Integrity does not suffer: dwgen hashes every part file with sha256 as it
 * writes it, records that hash, and verifies it on --resume.
 */
export async function s3Client(d: S3StoreDescription): Promise<S3Client> {
  silenceNodeVersionWarning();
  const { S3Client } = await import('@aws-sdk/client-s3'); // loaded by the threads that send requests only
  return new S3Client({
    ...(d.region ? { region: d.region } : {}),
    ...(d.endpoint ? { endpoint: d.endpoint } : {}),
    forcePathStyle: d.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: MAX_ATTEMPTS }),
    // A server that accepts no connection in 10 s, or sends nothing for 2 min, is retried.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

/** s3://bucket/prefix (no trailing slash). */
export function s3Url(d: S3StoreDescription): string {
  return `s3://${d.bucket}${d.prefix ? `/${d.prefix}` : ''}`;
}

/** The object key of a dataset-relative path. */
export function s3Key(d: S3StoreDescription, path: string): string {
  return d.prefix ? `${d.prefix}/${path}` : path;
}

/** Where requests go, for messages. */
export function endpointName(d: S3StoreDescription): string {
  return d.endpoint ?? `AWS S3${d.region ? ` (${d.region})` : ''}`;
}

/**
 * Which credentials the SDK's default chain picks, in its own order (environment, then profile,
 * then web identity, container, instance role): the variable or profile name, never a value.
 */
export function credentialSource(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AWS_ACCESS_KEY_ID) return env.AWS_SESSION_TOKEN ? 'AWS_ACCESS_KEY_ID with AWS_SESSION_TOKEN' : 'AWS_ACCESS_KEY_ID';
  if (env.AWS_PROFILE) return `AWS_PROFILE=${env.AWS_PROFILE}`;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return 'AWS_WEB_IDENTITY_TOKEN_FILE';
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return 'the container credentials (AWS_CONTAINER_CREDENTIALS_*)';
  return 'the default profile or the instance role';
}

/** An SDK error as plain data (it crosses threads). */
export interface S3Failure {
  /** The S3 error code (NoSuchBucket, AccessDenied …) or the SDK's error name. */
  name: string;
  message: string;
  /** The network error code (ECONNREFUSED …), when there is one. */
  code?: string;
  status?: number;
}

export function s3Failure(err: unknown): S3Failure {
  const e = err as { name?: unknown; message?: unknown; code?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number }; cause?: { code?: unknown } };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const name = typeof e?.Code === 'string' ? e.Code : typeof e?.name === 'string' ? e.name : 'Error';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const status = e?.$metadata?.httpStatusCode;
  return { name, message, ...(code ? { code } : {}), ...(typeof status === 'number' ? { status } : {}) };
}

/** Whether the failure is the key (or upload) not being there. */
export function isNotFound(f: S3Failure): boolean {
  return f.name === 'NoSuchKey' || f.name === 'NotFound' || f.name === 'NoSuchUpload' || (f.status === 404 && f.name !== 'NoSuchBucket');
}

/** Whether the server refused a conditional write (If-None-Match / If-Match did not hold). */
export function isPreconditionFailed(f: S3Failure): boolean {
  return f.name === 'PreconditionFailed' || f.name === 'ConditionalRequestConflict' || f.status === 412 || f.status === 409;
}

/** Credential errors: the key is unknown, the signature is wrong, or the token has expired. */
const CREDENTIAL_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'InvalidClientTokenId']);

export function isCredentialError(f: S3Failure): boolean {
  return CREDENTIAL_ERRORS.has(f.name);
}

/**
 * A failure said in a few words for an OutputError: "NoSuchUpload: The specified upload does not
 * exist. (HTTP 404)", or the network error ("connect ECONNREFUSED 127.0.0.1:9000"). The code it
 * carries is the network code, or the S3 error code.
 */
export function outputCause(f: S3Failure): { message: string; code: string } {
  if (f.status !== undefined && f.name !== 'Error') {
    const detail = f.message && f.message !== f.name && f.message !== 'UnknownError' ? `: ${f.message}` : '';
    return { message: `${f.name}${detail} (HTTP ${f.status})`, code: f.name };
  }
  return { message: f.message, code: f.code ?? f.name };
}
