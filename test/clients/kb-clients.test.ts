import { afterAll, describe, expect, test } from 'bun:test';
import { createIngestionJobsClient } from '../../src/clients/bedrock-ingestion.ts';
import { createBedrockRetriever } from '../../src/clients/bedrock-retrieve.ts';
import { createS3Client } from '../../src/clients/s3.ts';
import { isAppError } from '../../src/models/index.ts';
import {
  closedPortUrl,
  DATA_SOURCE_ID,
  failure,
  KB_BUCKET,
  KB_CREDENTIALS,
  KB_ID,
  KB_REGION,
  startTestKbServer,
} from './kb-fixtures.ts';

const server = startTestKbServer();
afterAll(() => server[Symbol.asyncDispose]());

const sleeps: number[] = [];
const common = {
  region: KB_REGION,
  credentials: async () => KB_CREDENTIALS,
  baseUrl: server.url,
  sleep: async (ms: number) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
};
const s3 = createS3Client({ ...common, bucket: KB_BUCKET });
const jobs = createIngestionJobsClient({ ...common, knowledgeBaseId: KB_ID, dataSourceId: DATA_SOURCE_ID });
const retriever = createBedrockRetriever({ ...common, knowledgeBaseId: KB_ID });
const text = (body: string) => new TextEncoder().encode(body);

type Client = 'retrieve' | 'start' | 'put' | 'head' | 'get' | 'list';

/** Run one call of each client, through a given set of options (to point it at a dead or slow server). */
function callOf(client: Client, options: Partial<typeof common> & { timeoutMs?: number; maxAttempts?: number } = {}) {
  const merged = { ...common, ...options };
  const clients = {
    s3: createS3Client({ ...merged, bucket: KB_BUCKET }),
    jobs: createIngestionJobsClient({ ...merged, knowledgeBaseId: KB_ID, dataSourceId: DATA_SOURCE_ID }),
    retriever: createBedrockRetriever({ ...merged, knowledgeBaseId: KB_ID }),
  };
  switch (client) {
    case 'retrieve':
      return () => clients.retriever.retrieve({ query: 'sticky cache', limit: 3 });
    case 'start':
      return () => clients.jobs.start();
    case 'get':
      return () => clients.jobs.get({ jobId: 'JOB0000001' });
    case 'list':
      return () => clients.jobs.list();
    case 'put':
      return () => clients.s3.putObject({ key: 'rag/x.md', body: text('# X\n'), contentType: 'text/markdown' });
    case 'head':
      return () => clients.s3.headObject({ key: 'rag/x.md' });
  }
}

describe('knowledge-base clients against the local SigV4-verifying server', () => {
  test('sync, ingest, retrieve: every request signed with the service AWS expects', async () => {
    expect(await s3.headObject({ key: 'rag/sticky cache (v2).md' })).toBeNull();
    await s3.putObject({
      key: 'rag/sticky cache (v2).md',
      body: text('# Sticky cache\n\nThe sticky cache keeps workflow executions warm.\n'),
      contentType: 'text/markdown',
      metadata: { 'content-sha256': 'abc123' },
    });
    expect(await s3.headObject({ key: 'rag/sticky cache (v2).md' })).toMatchObject({
      metadata: { 'content-sha256': 'abc123' },
    });
    expect(server.objects.get('rag/sticky cache (v2).md')?.contentType).toBe('text/markdown');

    const started = await jobs.start({ description: 'test sync' });
    expect(started).toMatchObject({ knowledgeBaseId: KB_ID, dataSourceId: DATA_SOURCE_ID, status: 'STARTING' });
    const conflict = await failure(jobs.start());
    expect(isAppError(conflict, 'UPSTREAM_QUERY_ERROR')).toBe(true);
    expect(String(conflict)).toContain('ConflictException');
    expect((await jobs.list({ statuses: ['STARTING', 'IN_PROGRESS'] })).ingestionJobSummaries).toHaveLength(1);
    expect((await jobs.get({ jobId: started.ingestionJobId })).status).toBe('IN_PROGRESS');
    const done = await jobs.get({ jobId: started.ingestionJobId });
    expect(done).toMatchObject({ status: 'COMPLETE', statistics: { numberOfNewDocumentsIndexed: 1 } });

    const passages = await retriever.retrieve({ query: 'sticky cache warm', limit: 2 });
    expect(passages).toEqual([
      {
        source: `s3://${KB_BUCKET}/rag/sticky cache (v2).md`,
        text: '# Sticky cache\n\nThe sticky cache keeps workflow executions warm.',
        score: 1,
      },
    ]);
    expect(await retriever.retrieve({ query: '   ', limit: 2 })).toEqual([]);

    const services = new Set(server.received.map((r) => `${r.operation}:${r.service}:${r.verified}`));
    expect([...services].sort()).toEqual([
      'get:bedrock:true',
      'head:s3:true',
      'list:bedrock:true',
      'put:s3:true',
      'retrieve:bedrock:true',
      'start:bedrock:true',
    ]);
  });

  test('a start retried after a 5xx reuses its client token and so starts one job', async () => {
    await using local = startTestKbServer();
    const client = createIngestionJobsClient({
      ...common,
      baseUrl: local.url,
      knowledgeBaseId: KB_ID,
      dataSourceId: DATA_SOURCE_ID,
    });
    local.failNext('start', '5xx');
    await client.start();
    const bodies = local.received.filter((r) => r.operation === 'start').map((r) => JSON.parse(r.body).clientToken);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toBe(bodies[1]);
    expect((await client.list()).ingestionJobSummaries).toHaveLength(1);
  });

  test('wrong credentials are refused by the server and surface as AUTH_FAILED, not retried', async () => {
    const before = server.received.length;
    const wrong = createS3Client({
      ...common,
      bucket: KB_BUCKET,
      credentials: async () => ({ ...KB_CREDENTIALS, secretAccessKey: 'not-the-secret' }),
    });
    const error = await failure(wrong.putObject({ key: 'rag/y.md', body: text('y'), contentType: 'text/markdown' }));
    expect(isAppError(error, 'AUTH_FAILED')).toBe(true);
    expect(String(error)).toContain('SignatureDoesNotMatch');
    expect(server.received.length - before).toBe(1);
  });

  const ALL: Client[] = ['retrieve', 'start', 'get', 'list', 'put', 'head'];

  test.each(ALL)('%s: throttled or 5xx twice, then served', async (client) => {
    await using local = startTestKbServer();
    const operation = client;
    local.failNext(operation, 'throttle', '5xx');
    const call = callOf(client, { baseUrl: local.url });
    const outcome = await call().then(
      () => 'ok',
      (error: unknown) => (isAppError(error) ? error.code : String(error)),
    );
    // get of a job that does not exist is a 404 after the faults: the point is that the faults were retried.
    expect(outcome).toBe(client === 'get' ? 'UPSTREAM_QUERY_ERROR' : 'ok');
    expect(local.received.filter((r) => r.operation === operation)).toHaveLength(3);
  });

  test.each(ALL)('%s: throttled on every attempt is UPSTREAM_THROTTLED after maxAttempts', async (client) => {
    await using local = startTestKbServer();
    local.failNext(client, 'throttle', 'throttle', 'throttle');
    const error = await failure(callOf(client, { baseUrl: local.url, maxAttempts: 3 })());
    // A HEAD answer has no body, so S3's SlowDown arrives as a bare 503.
    expect(isAppError(error, client === 'head' ? 'UPSTREAM_STATUS' : 'UPSTREAM_THROTTLED')).toBe(true);
    expect(local.received.filter((r) => r.operation === client)).toHaveLength(3);
  });

  test.each(ALL)('%s: a server that is down is UPSTREAM_UNREACHABLE', async (client) => {
    const error = await failure(callOf(client, { baseUrl: closedPortUrl(), maxAttempts: 2 })());
    expect(isAppError(error, 'UPSTREAM_UNREACHABLE')).toBe(true);
  });

  test.each(ALL)('%s: a server that never answers is UPSTREAM_TIMEOUT', async (client) => {
    await using local = startTestKbServer();
    local.failNext(client, 'hang', 'hang');
    const error = await failure(callOf(client, { baseUrl: local.url, timeoutMs: 50, maxAttempts: 2 })());
    expect(isAppError(error, 'UPSTREAM_TIMEOUT')).toBe(true);
  });

  test.each(['retrieve', 'start', 'list'] as const)('%s: a garbage 200 body is UPSTREAM_BAD_BODY', async (client) => {
    await using local = startTestKbServer();
    local.failNext(client, 'garbage');
    const error = await failure(callOf(client, { baseUrl: local.url })());
    expect(isAppError(error, 'UPSTREAM_BAD_BODY')).toBe(true);
  });

  test('a validation error is not retried', async () => {
    await using local = startTestKbServer();
    local.failNext('retrieve', 'validation');
    const error = await failure(callOf('retrieve', { baseUrl: local.url })());
    expect(isAppError(error, 'UPSTREAM_QUERY_ERROR')).toBe(true);
    expect(local.received).toHaveLength(1);
  });

  test('a cancelled call is CANCELLED', async () => {
    const error = await failure(retriever.retrieve({ query: 'x y z', limit: 1, signal: AbortSignal.abort() }));
    expect(isAppError(error, 'CANCELLED')).toBe(true);
  });

  test('backoff waits stay within the jittered cap', () => {
    expect(sleeps.every((ms) => ms >= 0 && ms <= 5000)).toBe(true);
  });
});
