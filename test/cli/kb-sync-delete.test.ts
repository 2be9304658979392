import { afterAll, describe, expect, test } from 'bun:test';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKbCommand } from '../../src/cli/kb.ts';
import { loadConfig } from '../../src/config.ts';
import { iamHint, isAppError } from '../../src/models/index.ts';
import { KB_BUCKET, KB_CREDENTIALS, KB_REGION, kbEnv } from '../clients/kb-fixtures.ts';
import { startKbServer } from '../support/bedrock-kb-server.ts';

/**
 * `kb sync` against the local S3/Bedrock server, for notes removed from the corpus: stale without --delete,
 * would_delete with --dry-run --delete, deleted with --delete, and gone from Retrieve after the next ingestion job.
 * The server holds 3 keys a ListObjectsV2 page, so every sync reads several pages.
 */

const tempDirs: string[] = [];
afterAll(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function corpusCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-delete-'));
  tempDirs.push(dir);
  await cp(new URL('../../docs/rag', import.meta.url).pathname, dir, { recursive: true });
  return dir;
}

function serverWithOthers() {
  const server = startKbServer({
    region: KB_REGION,
    credentials: [KB_CREDENTIALS],
    bucket: KB_BUCKET,
    maxKeysPerPage: 3,
  });
  // Under the prefix but not corpus files (a sub-folder, other extensions), and outside the prefix: never touched.
  for (const key of [
    'rag/sub/old-note.md',
    'rag/diagram.png',
    'rag/sticky-cache.md.bak',
    'other/old.md',
    'ragged.md',
  ]) {
    server.objects.set(key, { body: `# ${key}\n\nsticky cache evictions\n`, contentType: 'text/plain', metadata: {} });
  }
  return server;
}
const UNTOUCHABLE = ['other/old.md', 'rag/diagram.png', 'rag/sticky-cache.md.bak', 'rag/sub/old-note.md', 'ragged.md'];

async function run(argv: string[], url: string, extra: Record<string, string> = {}) {
  const env = kbEnv(url, extra);

  const out: string[] = [];
  const command = createKbCommand({ loadConfig: () => loadConfig(env), credentials: async () => KB_CREDENTIALS });
  const io = { readStdin: async () => '', out: (t: string) => out.push(t), err: () => {} };
  const outcome = await command.run(argv, io).then(
    (code) => ({ code, error: null as unknown }),
    (error: unknown) => ({ code: null, error }),
  );
  return { ...outcome, out: out.join('') };
}

async function ingest(url: string) {
  const jobId = JSON.parse((await run(['start-ingestion', '--format', 'json'], url)).out).job.ingestionJobId;
  await run(['status', jobId], url);
  return JSON.parse((await run(['status', jobId, '--format', 'json'], url)).out).job;
}

const sources = async (url: string) =>
  JSON.parse(
    (await run(['search', 'sticky', 'cache', 'evictions', '--limit', '20', '--format', 'json'], url)).out,
  ).passages.map((passage: { source: string }) => passage.source);

describe('kb sync and notes removed from the corpus', () => {
  test('stale without --delete, would_delete with --dry-run, deleted with --delete; nothing else touched', async () => {
    await using server = serverWithOthers();
    const dir = await corpusCopy();
    const first = JSON.parse((await run(['sync', '--dir', dir, '--format', 'json'], server.url)).out);
    expect([first.stale, first.deleted, first.orphans]).toEqual([0, 0, []]);
    // Nothing was under these keys yet, and the listing says so: no HEAD is needed to find that out.
    expect(server.received.filter((r) => r.operation === 'head')).toHaveLength(0);
    const bodies = () => UNTOUCHABLE.map((key) => server.objects.get(key)?.body);
    const before = bodies();

    await rm(join(dir, 'sticky-cache.md'));
    const key = 'rag/sticky-cache.md';
    const stale = await run(['sync', '--dir', dir], server.url);
    const files = first.files.length - 1;
    expect(stale.out).toBe(
      `uploaded 0, unchanged ${files} of ${files} file(s), stale 1, deleted 0 in s3://${KB_BUCKET}/rag/\n` +
        `  stale s3://${KB_BUCKET}/${key} (no such file in ${dir})\n` +
        'rerun with --delete to remove the 1 stale object(s)\n',
    );
    const staleJson = JSON.parse((await run(['sync', '--dir', dir, '--format', 'json'], server.url)).out);
    expect(staleJson).toMatchObject({ uploaded: 0, unchanged: files, stale: 1, deleted: 0 });
    expect(staleJson.orphans).toEqual([{ key, action: 'stale' }]);

    const dry = await run(['sync', '--dir', dir, '--delete', '--dry-run'], server.url);
    expect(dry.out).toStartWith(`would upload 0, unchanged ${files} of ${files} file(s), stale 0, would delete 1 in`);
    expect(dry.out).toContain(`  would delete s3://${KB_BUCKET}/${key} (no such file in ${dir})\n`);
    expect(dry.out).not.toContain('rerun with --delete');
    expect(server.objects.has(key)).toBe(true);
    expect(server.received.filter((r) => r.operation === 'delete')).toHaveLength(0);

    const deleted = JSON.parse((await run(['sync', '--dir', dir, '--delete', '--format', 'json'], server.url)).out);
    expect(deleted).toMatchObject({ stale: 0, deleted: 1, orphans: [{ key, action: 'deleted' }] });
    expect(server.objects.has(key)).toBe(false);
    const deletes = server.received.filter((r) => r.operation === 'delete');
    expect(deletes.map((r) => [r.path, r.verified])).toEqual([[`/${KB_BUCKET}/${key}`, true]]);
    expect(bodies()).toEqual(before);

    const again = await run(['sync', '--dir', dir, '--delete'], server.url);
    expect(again.out).toBe(
      `uploaded 0, unchanged ${files} of ${files} file(s), stale 0, deleted 0 in s3://${KB_BUCKET}/rag/\n`,
    );
    // Pages of 3 keys: the first sync saw only the 3 non-corpus keys; four saw the files, the removed note and those
    // 3; the last saw the files and the 3.
    const pages = (keys: number) => Math.ceil(keys / 3);
    expect(server.received.filter((r) => r.operation === 'listObjects')).toHaveLength(
      pages(3) + 4 * pages(files + 4) + pages(files + 3),
    );
    expect(server.received.every((r) => r.verified)).toBe(true);
  });

  test('end to end: after sync --delete and an ingestion job, Retrieve no longer returns the removed note', async () => {
    await using server = serverWithOthers();
    const dir = await corpusCopy();
    const key = `s3://${KB_BUCKET}/rag/sticky-cache.md`;
    await run(['sync', '--dir', dir], server.url);
    expect((await ingest(server.url)).status).toBe('COMPLETE');
    expect(await sources(server.url)).toContain(key);

    await rm(join(dir, 'sticky-cache.md'));
    expect((await run(['sync', '--dir', dir, '--delete'], server.url)).code).toBe(0);
    const job = await ingest(server.url);
    expect(job).toMatchObject({ status: 'COMPLETE', statistics: { numberOfDocumentsDeleted: 1 } });
    const after = await sources(server.url);
    expect(after).not.toContain(key);
    expect(after.length).toBeGreaterThan(0);
  });

  test('--delete with an empty corpus folder is refused before any request', async () => {
    await using server = serverWithOthers();
    const empty = await mkdtemp(join(tmpdir(), 'kb-empty-'));
    tempDirs.push(empty);
    const result = await run(['sync', '--dir', empty, '--delete'], server.url);
    expect(isAppError(result.error, 'INVALID_INPUT')).toBe(true);
    expect(server.received).toEqual([]);
  });

  test('--delete without a key prefix is refused before any request: the bucket root is not the corpus alone', async () => {
    await using server = serverWithOthers();
    const dir = await corpusCopy();
    const result = await run(['sync', '--dir', dir, '--delete'], server.url, { COPILOT_KB_PREFIX: '' });
    expect(isAppError(result.error, 'INVALID_INPUT')).toBe(true);
    expect(String(result.error)).toContain('COPILOT_KB_PREFIX');
    expect(server.received).toEqual([]);
    // Without --delete an empty prefix still syncs (it only ever uploads).
    expect((await run(['sync', '--dir', dir, '--dry-run'], server.url, { COPILOT_KB_PREFIX: '' })).code).toBe(0);
  });

  test('a folder holding a few of the notes cannot delete the rest: refused before any change unless --max-delete allows it', async () => {
    await using server = serverWithOthers();
    const dir = await corpusCopy();
    const synced = JSON.parse((await run(['sync', '--dir', dir, '--format', 'json'], server.url)).out);
    const notes: string[] = synced.files.map((file: { file: string }) => file.file);
    // A wrong --dir: another checkout that kept only two of the notes.
    for (const name of notes.slice(2)) await rm(join(dir, name));
    const doomed = notes.length - 2;
    const changes = () => server.received.filter((r) => r.operation === 'put' || r.operation === 'delete').length;
    const before = changes();
    for (const argv of [['--delete'], ['--delete', '--dry-run'], ['--delete', '--max-delete', String(doomed - 1)]]) {
      const refused = await run(['sync', '--dir', dir, ...argv], server.url);
      expect(isAppError(refused.error, 'INVALID_INPUT')).toBe(true);
      expect(String(refused.error)).toContain(`refusing to delete ${doomed} of the ${notes.length} notes`);
      expect(String(refused.error)).toContain(`--max-delete ${doomed}`);
    }
    expect(changes()).toBe(before);
    expect(notes.every((name) => server.objects.has(`rag/${name}`))).toBe(true);

    const allowed = JSON.parse(
      (await run(['sync', '--dir', dir, '--delete', '--max-delete', String(doomed), '--format', 'json'], server.url))
        .out,
    );
    expect(allowed).toMatchObject({ deleted: doomed, stale: 0 });
    expect(notes.filter((name) => server.objects.has(`rag/${name}`))).toEqual(notes.slice(0, 2));
    expect(UNTOUCHABLE.every((key) => server.objects.has(key))).toBe(true);
  });

  test('--max-delete needs --delete and a whole number', async () => {
    for (const argv of [
      ['--max-delete', '3'],
      ['--delete', '--max-delete=-1'],
      ['--delete', '--max-delete', '2.5'],
    ]) {
      const result = await run(['sync', '--dir', 'unused', ...argv], 'http://unused');
      expect(isAppError(result.error, 'INVALID_INPUT')).toBe(true);
      expect(String(result.error)).toContain('--max-delete');
    }
  });

  test('a listing the role may not make stops the sync as AUTH_FAILED naming s3:ListBucket, before any upload', async () => {
    await using server = serverWithOthers();
    server.failNext('listObjects', 'denied');
    const result = await run(['sync', '--dir', await corpusCopy(), '--delete'], server.url);
    expect(isAppError(result.error, 'AUTH_FAILED')).toBe(true);
    expect(String(result.error)).toContain(iamHint('s3ListObjects'));
    expect(server.received.map((r) => r.operation)).toEqual(['listObjects']);
  });

  test('--help says what --delete removes and what it never touches', async () => {
    const help = (await run(['sync', '--help'], 'http://unused')).out;
    expect(help).toContain('--delete');
    expect(help).toContain('never listed as stale nor touched');
  });
});
