import { AppError } from '../models/index.ts';
import { createSigV4Signer, encodeRfc3986 } from './aws/index.ts';
import type { AwsServiceClientOptions } from './aws-service-errors.ts';
import { retryOptions, s3ServiceError, serviceError } from './aws-service-errors.ts';
import { requestWithRetry } from './http.ts';
import type { S3ObjectSummary } from './s3-list-xml.ts';
import { parseListObjectsV2 } from './s3-list-xml.ts';

export type { S3ObjectSummary } from './s3-list-xml.ts';

/**
 * The S3 calls `kb sync` needs: ListObjectsV2 (what is under the prefix), HeadObject (read the content hash a previous
 * sync stored as user metadata), PutObject (upload a changed file) and DeleteObject (remove a note deleted from the
 * corpus). Hand-rolled `fetch`, SigV4 with signing name `s3` and the path signed as sent
 * (S3 is the one service that does not escape the path twice); the body's SHA-256 goes into
 * `x-amz-content-sha256`, which S3 requires. 503 SlowDown and 5xx are retried with full jitter.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
export interface S3ClientOptions extends AwsServiceClientOptions {
  bucket: string;
  /**
   * With `baseUrl` (MinIO, a local server, an S3 VPC endpoint URL) requests are path-style
   * (`{baseUrl}/{bucket}/{key}`); without it virtual-hosted (`https://{bucket}.s3.{region}.amazonaws.com/{key}`).
   */
  baseUrl?: string;
}

export interface PutObjectInput {
  key: string;
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** User metadata, sent as `x-amz-meta-<name>`; names lower case. */
  metadata?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface HeadObjectResult {
  etag: string | null;
  /** User metadata (`x-amz-meta-*`), names lower case without the prefix. */
  metadata: Record<string, string>;
}

export interface ListObjectsInput {
  /** Only keys starting with it are listed; `''` lists the bucket. */
  prefix: string;
  /** Keys per page (S3 caps it at 1000, its default). Every page is read whatever its size. */
  maxKeys?: number;
  signal?: AbortSignal;
}

export interface S3Client {
  putObject(input: PutObjectInput): Promise<{ etag: string | null }>;
  /** Null when the object does not exist. */
  headObject(input: { key: string; signal?: AbortSignal }): Promise<HeadObjectResult | null>;
  /** Every object under the prefix, all pages, in S3's order (UTF-8 binary order of the keys). */
  listObjects(input: ListObjectsInput): Promise<S3ObjectSummary[]>;
  /** Succeeds for a key that does not exist too, as S3 does (204 either way). */
  deleteObject(input: { key: string; signal?: AbortSignal }): Promise<void>;
}

const META_PREFIX = 'x-amz-meta-';

/** The key as it goes into the URL and the signed path: each segment RFC 3986-encoded once, `/` kept. */
export function encodeS3Key(key: string): string {
  return key.split('/').map(encodeRfc3986).join('/');
}

/**
 * @throws AppError INVALID_INPUT (empty key, bad maxKeys), UPSTREAM_THROTTLED, AUTH_FAILED, UPSTREAM_QUERY_ERROR (no
 * such bucket, bad request), UPSTREAM_STATUS, UPSTREAM_BAD_BODY (a listing that is not ListObjectsV2 XML),
 * UPSTREAM_TIMEOUT, UPSTREAM_UNREACHABLE, CANCELLED.
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const objectUrl = (key: string) => {
    if (key === '' || key.startsWith('/')) throw new AppError('INVALID_INPUT', `s3: invalid object key '${key}'`);
    const path = encodeS3Key(key);
    return options.baseUrl
      ? `${options.baseUrl.replace(/\/+$/, '')}/${encodeRfc3986(options.bucket)}/${path}`
      : `https://${options.bucket}.s3.${options.region}.amazonaws.com/${path}`;
  };
  const bucketUrl = options.baseUrl
    ? `${options.baseUrl.replace(/\/+$/, '')}/${encodeRfc3986(options.bucket)}`
    : `https://${options.bucket}.s3.${options.region}.amazonaws.com/`;
  const upstream = `s3 ${options.bucket}`;
  const sign = createSigV4Signer({
    region: options.region,
    service: 's3',
    credentials: options.credentials,
    uriEscapePath: false,
    ...(options.clock ? { clock: options.clock } : {}),
  });

  return {
    async putObject(input) {
      const url = objectUrl(input.key);
      const headers: Record<string, string> = { 'content-type': input.contentType };
      for (const [name, value] of Object.entries(input.metadata ?? {})) headers[`${META_PREFIX}${name}`] = value;
      const result = await requestWithRetry({
        ...retryOptions(options),
        // The signer hashes this exact body into x-amz-content-sha256; a fixed-length body lets fetch set Content-Length.
        build: () => new Request(url, { method: 'PUT', headers, body: input.body }),
        sign,
        signal: input.signal,
        upstream: `${upstream}/${input.key}`,
      });
      if (result.status !== 200) {
        throw serviceError({
          upstream: `${upstream}/${input.key}`,
          status: result.status,
          ...s3ServiceError(result.text),
          calls: ['s3PutObject'],
        });
      }
      return { etag: result.headers.get('etag') };
    },
    async headObject(input) {
      const url = objectUrl(input.key);
      const result = await requestWithRetry({
        ...retryOptions(options),
        build: () => new Request(url, { method: 'HEAD' }),
        sign,
        signal: input.signal,
        upstream: `${upstream}/${input.key}`,
      });
      if (result.status === 404) return null;
      if (result.status !== 200) {
        // A HEAD error has no body; the status alone says what happened.
        throw serviceError({
          upstream: `${upstream}/${input.key}`,
          status: result.status,
          code: 'HeadObject',
          message: '',
          // A 403 is a missing GetObject (or, for a key that does not exist, a missing ListBucket; sync avoids that
          // case by heading only keys its listing holds).
          calls: ['s3HeadObject'],
        });
      }
      const metadata: Record<string, string> = {};
      result.headers.forEach((value, name) => {
        if (name.toLowerCase().startsWith(META_PREFIX)) metadata[name.toLowerCase().slice(META_PREFIX.length)] = value;
      });
      return { etag: result.headers.get('etag'), metadata };
    },
    async listObjects(input) {
      const maxKeys = input.maxKeys ?? 1000;
      if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) {
        throw new AppError('INVALID_INPUT', `s3: maxKeys must be an integer in 1..1000, got ${maxKeys}`);
      }
      const objects: S3ObjectSummary[] = [];
      const seenTokens = new Set<string>();
      let token: string | null = null;
      do {
        // The signer puts the query on the wire in SigV4 canonical form, so a token's `+`, `/` and `=` arrive
        // percent-encoded exactly as they were signed.
        const query = [
          'list-type=2',
          `prefix=${encodeRfc3986(input.prefix)}`,
          `max-keys=${maxKeys}`,
          ...(token === null ? [] : [`continuation-token=${encodeRfc3986(token)}`]),
        ].join('&');
        const url = `${bucketUrl}?${query}`;
        const result = await requestWithRetry({
          ...retryOptions(options),
          build: () => new Request(url, { method: 'GET' }),
          sign,
          signal: input.signal,
          upstream,
        });
        if (result.status !== 200) {
          throw serviceError({
            upstream,
            status: result.status,
            ...s3ServiceError(result.text),
            calls: ['s3ListObjects'],
          });
        }
        const page = parseListObjectsV2({ upstream, xml: result.text });
        objects.push(...page.objects);
        token = page.nextContinuationToken;
        // A token seen before would page forever; S3 never sends one, a broken proxy or server might.
        if (token !== null && seenTokens.has(token)) {
          throw new AppError('UPSTREAM_BAD_BODY', `${upstream}: ListObjectsV2 repeated a continuation token`);
        }
        if (token !== null) seenTokens.add(token);
      } while (token !== null);
      return objects;
    },
    async deleteObject(input) {
      const url = objectUrl(input.key);
      const result = await requestWithRetry({
        ...retryOptions(options),
        build: () => new Request(url, { method: 'DELETE' }),
        sign,
        signal: input.signal,
        upstream: `${upstream}/${input.key}`,
      });
      // 204 is S3's answer (for a missing key too); some S3-compatible servers answer 200.
      if (result.status !== 204 && result.status !== 200) {
        throw serviceError({
          upstream: `${upstream}/${input.key}`,
          status: result.status,
          ...s3ServiceError(result.text),
          calls: ['s3DeleteObject'],
        });
      }
    },
  };
}
