import { afterAll, expect, test } from 'bun:test';
import { createApiCommand } from '../../src/cli/api.ts';
import { loadConfig } from '../../src/config.ts';
import { writeAssessment } from '../../src/db/index.ts';
import { StatusResponse } from '../../src/models/index.ts';
import { shape } from '../api/helpers.ts';
import { openPostgres } from '../db/backends.ts';
import { assessment } from '../db/fixtures.ts';

const db = await openPostgres();
afterAll(() => db.close());

test('copilot api serves the store until told to stop', async () => {
  await writeAssessment(db.sql, assessment({ cluster: 'cli', key: 'a1', atMs: Date.now() }));
  const out: string[] = [];
  const stop = Promise.withResolvers<void>();
  const listening = Promise.withResolvers<string>();
  const command = createApiCommand({
    loadConfig: () =>
      loadConfig({
        DATABASE_URL: db.url,
        COPILOT_CLUSTERS: JSON.stringify([{ name: 'cli', prometheus_url: 'http://127.0.0.1:9' }]),
      }),
    waitForStop: () => stop.promise,
  });
  const io = {
    readStdin: async () => '',
    out: (text: string) => {
      out.push(text);
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1]) listening.resolve(match[1]);
    },
    err: () => {},
  };
  const exit = command.run(['--port', '0'], io);
  const base = await listening.promise;
  const reply = await fetch(`${base}/status`);
  // The assessment touched the cluster but no cycle exists: known cluster, unknown state.
  expect(reply.status).toBe(200);
  expect(shape(StatusResponse, await reply.json())).toMatchObject({ cluster: 'cli', health_state: 'unknown' });
  stop.resolve();
  expect(await exit).toBe(0);
});

test('copilot api rejects a bad port', async () => {
  const command = createApiCommand({ loadConfig: () => loadConfig({ DATABASE_URL: db.url }) });
  const io = { readStdin: async () => '', out: () => {}, err: () => {} };
  await expect(command.run(['--port', '70000'], io)).rejects.toThrow('--port');
});

test('copilot api on a port already in use exits with a clear error instead of hanging', async () => {
  await using taken = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('taken') });
  // A real process: the bug was a poll loop and an open pool keeping it alive after the failure, which only the
  // process exiting (or not) shows.
  const proc = Bun.spawn(['bun', 'src/cli/main.ts', 'api', '--host', '127.0.0.1', '--port', String(taken.port)], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', DATABASE_URL: db.url },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  try {
    const [code, stdout, stderr] = await Promise.all([
      proc.exited,
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    expect({ code, stdout, stderr: stderr.trim() }).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `error CONFIG_INVALID: cannot listen on 127.0.0.1:${taken.port}: the port is in use; ` +
        'choose another with --port or COPILOT_API_PORT',
    });
  } finally {
    if (proc.exitCode === null) proc.kill();
  }
});
