import { afterAll, describe, expect, test } from 'bun:test';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKbCommand } from '../../src/cli/kb.ts';
import { runCli } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';
import { isAppError } from '../../src/models/index.ts';
import { KB_BUCKET, KB_CREDENTIALS, KB_ID, KB_REGION, kbEnv, startTestKbServer } from '../clients/kb-fixtures.ts';

const corpus = await mkdtemp(join(tmpdir(), 'kb-corpus-'));
await cp(new URL('../../docs/rag', import.meta.url).pathname, corpus, { recursive: true });
afterAll(() => rm(corpus, { recursive: true, force: true }));

const envFor = kbEnv;

async function run(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const command = createKbCommand({ loadConfig: () => loadConfig(env), credentials: async () => KB_CREDENTIALS });
  const io = { readStdin: async () => '', out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  const outcome = await command.run(argv, io).then(
    (code) => ({ code, error: null as unknown }),
    (error: unknown) => ({ code: null, error }),
  );
  return { ...outcome, out: out.join(''), err: err.join('') };
}

describe('copilot kb', () => {
  test.each(['sync', 'start-ingestion', 'status', 'list-jobs', 'search'])('%s --help', async (sub) => {
    const result = await run([sub, '--help'], {});
    expect(result.code).toBe(0);
    expect(result.out).toStartWith(`usage: bun run copilot kb ${sub}`);
  });

  test('kb is registered; without a subcommand it prints usage and exits 2', async () => {
    const out: string[] = [];
    const io = { readStdin: async () => '', out: (t: string) => out.push(t), err: () => {} };
    expect(await runCli(['--help'], io)).toBe(0);
    expect(out.join('')).toMatch(/^ {2}kb +knowledge base/m);
    const bare = await run([], {});
    expect(bare.code).toBe(2);
    expect(bare.out).toContain('start-ingestion');
  });

  test('sync uploads every file once, then only the file that changed', async () => {
    await using server = startTestKbServer();
    const env = envFor(server.url);
    const first = await run(['sync', '--dir', corpus, '--format', 'json'], env);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.out);
    expect(report.uploaded).toBeGreaterThanOrEqual(12);
    expect(report.unchanged).toBe(0);
    expect(server.objects.get('rag/sticky-cache.md')?.metadata['content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(first.err).toMatch(
      /^\[1\/\d+\] uploaded deploys-and-membership-churn\.md -> s3:\/\/copilot-kb-corpus\/rag\//,
    );

    const puts = () => server.received.filter((r) => r.operation === 'put').length;
    const putsBefore = puts();
    const second = await run(['sync', '--dir', corpus], env);
    expect(second.out).toBe(
      `uploaded 0, unchanged ${report.uploaded} of ${report.uploaded} file(s), stale 0, deleted 0 in s3://${KB_BUCKET}/rag/\n`,
    );
    expect(puts()).toBe(putsBefore);

    await writeFile(
      join(corpus, 'sticky-cache.md'),
      `${await Bun.file(join(corpus, 'sticky-cache.md')).text()}\nEdited.\n`,
    );
    const dry = await run(['sync', '--dir', corpus, '--dry-run'], env);
    expect(dry.out).toStartWith('would upload 1,');
    expect(puts()).toBe(putsBefore);
    const third = await run(['sync', '--dir', corpus, '--format', 'json'], env);
    const changed = JSON.parse(third.out).files.filter((f: { action: string }) => f.action === 'uploaded');
    expect(changed.map((f: { file: string }) => f.file)).toEqual(['sticky-cache.md']);
    expect(puts()).toBe(putsBefore + 1);
    expect(server.objects.get('rag/sticky-cache.md')?.body).toEndWith('Edited.\n');
    expect(server.received.every((r) => r.verified)).toBe(true);
  });

  test('start-ingestion, status and list-jobs follow one job; a second start while it runs is refused', async () => {
    await using server = startTestKbServer();
    const env = envFor(server.url);
    const none = await run(['status'], env);
    expect(none).toMatchObject({ code: 1, out: 'no ingestion jobs on this data source\n' });
    const started = await run(['start-ingestion', '--format', 'json'], env);
    expect(started.code).toBe(0);
    const jobId = JSON.parse(started.out).job.ingestionJobId;
    expect(jobId).toMatch(/^[0-9A-Z]{10}$/);
    const again = await run(['start-ingestion'], env);
    expect(again.code).toBe(1);
    expect(again.out).toBe(`not started: job ${jobId} is STARTING; wait for it, then start again\n`);
    expect((await run(['status', jobId], env)).out).toStartWith(`${jobId}  IN_PROGRESS`);
    const done = await run(['status', '--format', 'json'], env);
    expect(JSON.parse(done.out).job).toMatchObject({ ingestionJobId: jobId, status: 'COMPLETE' });
    const listed = await run(['list-jobs', '--limit', '5', '--format', 'json'], env);
    expect(JSON.parse(listed.out).jobs.map((j: { ingestionJobId: string }) => j.ingestionJobId)).toEqual([jobId]);
    expect((await run(['list-jobs'], env)).out).toContain(`${jobId}  COMPLETE`);
  });

  test('search uses Bedrock Retrieve over what was synced and ingested when COPILOT_KB_ID is set', async () => {
    await using server = startTestKbServer();
    const env = envFor(server.url);
    await run(['sync', '--dir', corpus], env);
    const jobId = JSON.parse((await run(['start-ingestion', '--format', 'json'], env)).out).job.ingestionJobId;
    await run(['status', jobId], env);
    await run(['status', jobId], env);
    const found = await run(['search', 'sticky', 'cache', 'evictions', '--limit', '3', '--format', 'json'], env);
    const body = JSON.parse(found.out);
    expect(body.backend).toBe('bedrock');
    expect(body.passages[0].source).toBe(`s3://${KB_BUCKET}/rag/sticky-cache.md`);
    expect(server.received.filter((r) => r.operation === 'retrieve')).toHaveLength(1);
  });

  test('search uses the local index without COPILOT_KB_ID', async () => {
    const result = await run(['search', 'sticky cache hit rate'], {});
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^local:\n1\. docs\/rag\/sticky-cache\.md#/);
    const json = JSON.parse((await run(['search', 'OCC conflicts', '--format', 'json', '--limit', '2'], {})).out);
    expect(json.backend).toBe('local');
    expect(json.passages).toHaveLength(2);
  });

  test('missing configuration and bad flags are clear errors', async () => {
    const sync = await run(['sync'], {});
    expect(isAppError(sync.error, 'CONFIG_INVALID')).toBe(true);
    expect(String(sync.error)).toContain('COPILOT_KB_BUCKET');
    const jobs = await run(['list-jobs'], { AWS_REGION: KB_REGION, COPILOT_KB_ID: KB_ID });
    expect(String(jobs.error)).toContain('COPILOT_KB_DATA_SOURCE_ID');
    for (const argv of [
      ['search'],
      ['nope'],
      ['list-jobs', '--limit', '0'],
      ['status', 'a', 'b'],
      ['sync', '--format', 'xml'],
    ]) {
      expect(isAppError((await run(argv, {})).error, 'INVALID_INPUT')).toBe(true);
    }
    expect(() => loadConfig({ COPILOT_KB_ID: KB_ID })).toThrow('AWS_REGION');
    expect(() => loadConfig({ AWS_REGION: KB_REGION, COPILOT_KB_ID: 'short' })).toThrow('COPILOT_KB_ID');
  });
});
