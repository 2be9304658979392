import { createHash } from 'node:crypto';

/**
 * The S3 half of the local knowledge-base server (test/support/bedrock-kb-server.ts), path-style: PutObject,
 * HeadObject, ListObjectsV2 and DeleteObject on one bucket held in a Map. Signatures are verified by the server
 * before a request gets here. ListObjectsV2 pages as S3 does: keys in UTF-8 binary order, at most `max-keys` per
 * page (and at most the server's own cap, as S3 caps at 1000), `IsTruncated` with an opaque
 * `NextContinuationToken` that holds characters (`+`, `/`, `=`) a client must percent-encode when it sends it back.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
 */
export interface StoredObject {
  body: string;
  contentType: string;
  metadata: Record<string, string>;
}

export type S3Operation = 'put' | 'head' | 'listObjects' | 'delete';

export function s3Error(status: number, code: string, message: string): Response {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>1</RequestId></Error>`;
  return new Response(xml, { status, headers: { 'content-type': 'application/xml' } });
}

/** XML character data as S3 writes it: the five predefined entities, control characters as numeric references. */
export function xmlEscape(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += XML_ENTITIES[c] ?? (code < 0x20 ? `&#${code};` : c);
  }
  return out;
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export interface ListedObject {
  key: string;
  etag: string;
  sizeBytes: number;
}

export interface ListBucketResultInput {
  bucket: string;
  prefix: string;
  maxKeys: number;
  objects: readonly ListedObject[];
  continuationToken: string | null;
  nextContinuationToken: string | null;
}

/** A ListObjectsV2 response body, element order as in the API reference. */
export function renderListBucketResult(input: ListBucketResultInput): string {
  const contents = input.objects.map(
    (object) =>
      `<Contents><Key>${xmlEscape(object.key)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>` +
      `<ETag>${xmlEscape(object.etag)}</ETag><Size>${object.sizeBytes}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
  );
  const token = (name: string, value: string | null) =>
    value === null ? '' : `<${name}>${xmlEscape(value)}</${name}>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Name>${xmlEscape(input.bucket)}</Name><Prefix>${xmlEscape(input.prefix)}</Prefix>` +
    `<KeyCount>${input.objects.length}</KeyCount><MaxKeys>${input.maxKeys}</MaxKeys>` +
    `<IsTruncated>${input.nextContinuationToken !== null}</IsTruncated>` +
    `${contents.join('')}${token('ContinuationToken', input.continuationToken)}` +
    `${token('NextContinuationToken', input.nextContinuationToken)}</ListBucketResult>`
  );
}

const etagOf = (body: string) => `"${createHash('md5').update(body).digest('hex')}"`;
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export interface S3RequestInput {
  operation: S3Operation;
  request: Request;
  url: URL;
  body: string;
  objects: Map<string, StoredObject>;
  bucket: string;
  /** The most keys one page holds, whatever `max-keys` asks for. */
  maxKeysCap: number;
}

function listObjects(input: S3RequestInput): Response {
  const query = input.url.searchParams;
  const prefix = query.get('prefix') ?? '';
  const maxKeysText = query.get('max-keys') ?? '1000';
  if (!/^\d+$/.test(maxKeysText)) return s3Error(400, 'InvalidArgument', 'max-keys must be an integer');
  const maxKeys = Math.min(Number(maxKeysText), input.maxKeysCap);
  const continuationToken = query.get('continuation-token');
  const after = continuationToken === null ? null : Buffer.from(continuationToken, 'base64').toString('utf8');
  if (continuationToken !== null && Buffer.from(after ?? '').toString('base64') !== continuationToken) {
    return s3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
  }
  const keys = [...input.objects.keys()]
    .filter((key) => key.startsWith(prefix) && (after === null || utf8Order(key, after) > 0))
    .sort(utf8Order);
  const page = keys.slice(0, maxKeys);
  const last = page.at(-1);
  const nextContinuationToken =
    keys.length > page.length && last !== undefined ? Buffer.from(last).toString('base64') : null;
  const objects = page.map((key) => {
    const body = input.objects.get(key)?.body ?? '';
    return { key, etag: etagOf(body), sizeBytes: Buffer.byteLength(body) };
  });
  const xml = renderListBucketResult({
    bucket: input.bucket,
    prefix,
    maxKeys,
    objects,
    continuationToken,
    nextContinuationToken,
  });
  return new Response(xml, { status: 200, headers: { 'content-type': 'application/xml' } });
}

/** Serve one verified S3 request for `input.bucket`. */
export function serveS3(input: S3RequestInput): Response {
  const [, bucket = '', ...rest] = input.url.pathname.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  if (decodeURIComponent(bucket) !== input.bucket) {
    return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
  }
  switch (input.operation) {
    case 'listObjects':
      return listObjects(input);
    case 'delete':
      // S3 answers 204 whether or not the key existed.
      input.objects.delete(key);
      return new Response(null, { status: 204 });
    case 'head': {
      const object = input.objects.get(key);
      if (!object) return new Response(null, { status: 404 });
      const headers = new Headers({ etag: etagOf(object.body) });
      for (const [name, value] of Object.entries(object.metadata)) headers.set(`x-amz-meta-${name}`, value);
      return new Response(null, { status: 200, headers });
    }
    case 'put': {
      const metadata: Record<string, string> = {};
      input.request.headers.forEach((value, name) => {
        if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
      });
      const contentType = input.request.headers.get('content-type') ?? '';
      input.objects.set(key, { body: input.body, contentType, metadata });
      return new Response(null, { status: 200, headers: { etag: etagOf(input.body) } });
    }
  }
}

/** Which S3 operation a path-style request is: the bucket itself (GET ?list-type=2) or one of its keys. */
export function s3OperationOf(method: string, url: URL): S3Operation | 'unknown' {
  const isBucket = /^\/[^/]+\/?$/.test(url.pathname);
  if (isBucket) return method === 'GET' && url.searchParams.get('list-type') === '2' ? 'listObjects' : 'unknown';
  switch (method) {
    case 'PUT':
      return 'put';
    case 'HEAD':
      return 'head';
    case 'DELETE':
      return 'delete';
    default:
      return 'unknown';
  }
}
