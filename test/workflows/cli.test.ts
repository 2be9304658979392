import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { runProcess } from '../support/run-process.ts';
import { REPO_ROOT, waitFor } from '../support/temporal.ts';
import type { TemporalDevServer } from '../support/temporal-dev-server.ts';
import { startTemporalDevServer } from '../support/temporal-dev-server.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file starts real servers.
setDefaultTimeout(600_000);

/** `copilot workflows start|list|stop` as users run it, against a real dev server (no worker needed to start). */

let server: TemporalDevServer;

async function copilot(args: readonly string[], clusters: readonly string[]) {
  return runProcess({
    cmd: ['bun', 'src/cli/main.ts', 'workflows', ...args],
    cwd: REPO_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/root',
      TEMPORAL_ADDRESS: server.address,
      COPILOT_TASK_QUEUE: 'copilot-cli-test',
      COPILOT_CLUSTERS: JSON.stringify(
        clusters.map((name) => ({ name, prometheus_url: 'http://127.0.0.1:1', loki_url: 'http://127.0.0.1:2' })),
      ),
    },
  });
}

beforeAll(async () => {
  server = await startTemporalDevServer();
});
afterAll(async () => {
  await server?.stop();
});

test('start is idempotent, list shows each cluster, a removed cluster is stopped, stop cancels', async () => {
  const first = await copilot(['start', '--format', 'json'], ['a', 'b']);
  expect(first.code).toBe(0);
  const again = await copilot(['start', '--format', 'json'], ['a', 'b']);
  const firstRuns = JSON.parse(first.stdout).started;
  expect(JSON.parse(again.stdout).started).toEqual(firstRuns);
  expect(firstRuns.map((w: { workflowId: string }) => w.workflowId)).toEqual([
    'copilot-observe-a',
    'copilot-scheduled-a',
    'copilot-logs-a',
    'copilot-observe-b',
    'copilot-scheduled-b',
    'copilot-logs-b',
  ]);
  await waitFor({
    what: 'visibility to list six workflows',
    check: async () => JSON.parse((await copilot(['list', '--format', 'json'], ['a', 'b'])).stdout).length === 6,
  });
  const removed = await copilot(['start', '--format', 'json'], ['a']);
  expect(JSON.parse(removed.stdout).stopped.sort()).toEqual([
    'copilot-logs-b',
    'copilot-observe-b',
    'copilot-scheduled-b',
  ]);
  const stopped = await copilot(['stop', '--cluster', 'a', '--format', 'json'], ['a']);
  expect(JSON.parse(stopped.stdout).stopped).toEqual(['copilot-observe-a', 'copilot-logs-a', 'copilot-scheduled-a']);
  const help = await copilot(['--help'], []);
  expect([help.code, help.stdout.includes('workflows <start|stop|list>')]).toEqual([0, true]);
});
