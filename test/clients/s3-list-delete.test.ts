import { describe, expect, test } from 'bun:test';
import { createS3Client } from '../../src/clients/s3.ts';
import type { ErrorCode } from '../../src/models/index.ts';
import { iamHint, isAppError } from '../../src/models/index.ts';
import type { KbFault } from '../support/bedrock-kb-server.ts';
import { startKbServer } from '../support/bedrock-kb-server.ts';
import { closedPortUrl, failure, KB_BUCKET, KB_CREDENTIALS, KB_REGION } from './kb-fixtures.ts';

/** ListObjectsV2 and DeleteObject against the local server, which verifies every signature and pages for real. */

function serverWith(options: { maxKeysPerPage?: number } = {}) {
  return startKbServer({ region: KB_REGION, credentials: [KB_CREDENTIALS], bucket: KB_BUCKET, ...options });
}

function clientOf(url: string, options: { maxAttempts?: number; secret?: string } = {}) {
  return createS3Client({
    region: KB_REGION,
    bucket: KB_BUCKET,
    baseUrl: url,
    credentials: async () => ({ ...KB_CREDENTIALS, secretAccessKey: options.secret ?? KB_CREDENTIALS.secretAccessKey }),
    sleep: async () => {},
    random: () => 0.5,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}

const object = (body: string) => ({ body, contentType: 'text/markdown', metadata: {} });

/** Keys with XML-special characters, spaces, non-ASCII and an astral character; listed in UTF-8 byte order. */
const UNDER_PREFIX = [
  'rag/ leading space.md',
  'rag/a&b <c> "d" \'e\'.md',
  'rag/plain.md',
  'rag/sub/nested.md',
  'rag/tab\there.md',
  'rag/zz-é.md',
  'rag/zz-😀.md',
];
const OUTSIDE = ['other/plain.md', 'ragged.md', 'top.md'];

function seeded(server: ReturnType<typeof serverWith>) {
  for (const key of [...OUTSIDE, ...UNDER_PREFIX].reverse()) server.objects.set(key, object(`# ${key}\n`));
}

describe('s3.listObjects (ListObjectsV2)', () => {
  test('reads every page when the client asks for 2 keys a page, with the tokens signed and sent encoded', async () => {
    await using server = serverWith();
    seeded(server);
    const listed = await clientOf(server.url).listObjects({ prefix: 'rag/', maxKeys: 2 });
    expect(listed.map((o) => o.key)).toEqual(UNDER_PREFIX);
    expect(listed[2]).toEqual({
      key: 'rag/plain.md',
      etag: `"${new Bun.CryptoHasher('md5').update('# rag/plain.md\n').digest('hex')}"`,
      sizeBytes: 15,
    });
    const lists = server.received.filter((r) => r.operation === 'listObjects');
    expect(lists.map((r) => r.verified)).toEqual([true, true, true, true]);
    // Page 1 has no token; every later one carries the base64 token, whose `=` or `/` or `+` must travel escaped.
    expect(lists.map((r) => r.search.includes('continuation-token='))).toEqual([false, true, true, true]);
    expect(lists.slice(1).every((r) => /continuation-token=[A-Za-z0-9%]+(&|$)/.test(r.search))).toBe(true);
    expect(lists.slice(1).some((r) => /%(2B|2F|3D)/.test(r.search))).toBe(true);
  });

  test("pages on the server's cap too, and an empty prefix lists the whole bucket", async () => {
    await using server = serverWith({ maxKeysPerPage: 3 });
    seeded(server);
    const client = clientOf(server.url);
    expect((await client.listObjects({ prefix: 'rag/' })).map((o) => o.key)).toEqual(UNDER_PREFIX);
    expect((await client.listObjects({ prefix: '' })).length).toBe(UNDER_PREFIX.length + OUTSIDE.length);
    expect(await client.listObjects({ prefix: 'nothing-here/' })).toEqual([]);
    expect(server.received.filter((r) => r.operation === 'listObjects')).toHaveLength(3 + 4 + 1);
  });

  test('a bad page size is INVALID_INPUT before any request', async () => {
    await using server = serverWith();
    for (const maxKeys of [0, 1001, 1.5]) {
      expect(
        isAppError(await failure(clientOf(server.url).listObjects({ prefix: '', maxKeys })), 'INVALID_INPUT'),
      ).toBe(true);
    }
    expect(server.received).toEqual([]);
  });
});

describe('s3.deleteObject', () => {
  test('removes exactly that key; a key that does not exist is a success too (204, as S3 answers)', async () => {
    await using server = serverWith();
    seeded(server);
    const client = clientOf(server.url);
    await client.deleteObject({ key: 'rag/a&b <c> "d" \'e\'.md' });
    await client.deleteObject({ key: 'rag/never-existed.md' });
    expect(server.objects.has('rag/a&b <c> "d" \'e\'.md')).toBe(false);
    expect(server.objects.size).toBe(UNDER_PREFIX.length + OUTSIDE.length - 1);
    expect(server.received.map((r) => [r.operation, r.method, r.verified])).toEqual([
      ['delete', 'DELETE', true],
      ['delete', 'DELETE', true],
    ]);
  });
});

type Call = 'listObjects' | 'delete';
const CALLS: Call[] = ['listObjects', 'delete'];

function callOf(call: Call, client: ReturnType<typeof clientOf>) {
  return call === 'listObjects'
    ? client.listObjects({ prefix: 'rag/', maxKeys: 2 })
    : client.deleteObject({ key: 'rag/plain.md' });
}

describe('faults on list and delete', () => {
  test.each(CALLS)('%s: throttled (503 SlowDown) and 5xx, then served', async (call) => {
    await using server = serverWith();
    seeded(server);
    server.failNext(call, 'throttle', '5xx');
    await callOf(call, clientOf(server.url));
    // listObjects: the first page three times (two faults), then the three pages after it.
    expect(server.received.filter((r) => r.operation === call)).toHaveLength(call === 'listObjects' ? 6 : 3);
  });

  test.each([
    ['listObjects', ['throttle', 'throttle', 'throttle'], 'UPSTREAM_THROTTLED'],
    ['delete', ['throttle', 'throttle', 'throttle'], 'UPSTREAM_THROTTLED'],
    ['listObjects', ['5xx', '5xx', '5xx'], 'UPSTREAM_STATUS'],
    ['delete', ['5xx', '5xx', '5xx'], 'UPSTREAM_STATUS'],
    ['listObjects', ['garbage'], 'UPSTREAM_BAD_BODY'],
    ['listObjects', ['truncated'], 'UPSTREAM_BAD_BODY'],
    ['listObjects', ['denied'], 'AUTH_FAILED'],
    ['delete', ['denied'], 'AUTH_FAILED'],
  ] as [Call, KbFault[], ErrorCode][])('%s: %p is %s', async (call, faults, code) => {
    await using server = serverWith();
    seeded(server);
    server.failNext(call, ...faults);
    const error = await failure(callOf(call, clientOf(server.url, { maxAttempts: 3 })));
    expect(isAppError(error, code)).toBe(true);
    if (code === 'AUTH_FAILED') {
      expect(String(error)).toContain(iamHint(call === 'listObjects' ? 's3ListObjects' : 's3DeleteObject'));
      expect(String(error)).toContain(call === 'listObjects' ? 's3:ListBucket' : 's3:DeleteObject');
    }
    // A permanent answer is not retried.
    if (code === 'AUTH_FAILED' || code === 'UPSTREAM_BAD_BODY') {
      expect(server.received.filter((r) => r.operation === call)).toHaveLength(1);
    }
    expect(server.objects.has('rag/plain.md')).toBe(true);
  });

  test('page 2 cut short fails the whole listing: no partial result comes back', async () => {
    await using server = serverWith();
    seeded(server);
    server.failNext('listObjects', 'ok', 'truncated');
    const error = await failure(clientOf(server.url).listObjects({ prefix: 'rag/', maxKeys: 2 }));
    expect(isAppError(error, 'UPSTREAM_BAD_BODY')).toBe(true);
    expect(server.received.filter((r) => r.operation === 'listObjects')).toHaveLength(2);
  });

  test.each(CALLS)('%s: a wrong signature is AUTH_FAILED (SignatureDoesNotMatch), not retried', async (call) => {
    await using server = serverWith();
    seeded(server);
    const error = await failure(callOf(call, clientOf(server.url, { secret: 'not-the-secret' })));
    expect(isAppError(error, 'AUTH_FAILED')).toBe(true);
    expect(String(error)).toContain('SignatureDoesNotMatch');
    expect(server.received).toHaveLength(1);
    expect(server.objects.has('rag/plain.md')).toBe(true);
  });

  test.each(CALLS)('%s: a server that is down is UPSTREAM_UNREACHABLE', async (call) => {
    const error = await failure(callOf(call, clientOf(closedPortUrl(), { maxAttempts: 2 })));
    expect(isAppError(error, 'UPSTREAM_UNREACHABLE')).toBe(true);
  });
});
