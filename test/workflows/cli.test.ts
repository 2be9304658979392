import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ClusterConfig, ObserveClusterInput } from '../../src/models/index.ts';
import type { TemporalHandle } from '../../src/temporal.ts';
import { connectTemporal } from '../../src/temporal.ts';
import { runProcess } from '../support/run-process.ts';
import { REPO_ROOT, waitFor } from '../support/temporal.ts';
import type { TemporalDevServer } from '../support/temporal-dev-server.ts';
import { startTemporalDevServer } from '../support/temporal-dev-server.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file starts real servers.
setDefaultTimeout(600_000);

/** `copilot workflows start|list|stop` as users run it, against a real dev server (no worker needed to start). */

let server: TemporalDevServer;

async function copilot(args: readonly string[], clusters: readonly (string | ClusterConfig)[]) {
  return runProcess({
    cmd: ['bun', 'src/cli/main.ts', 'workflows', ...args],
    cwd: REPO_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/root',
      TEMPORAL_ADDRESS: server.address,
      COPILOT_TASK_QUEUE: 'copilot-cli-test',
      // No clusters: COPILOT_CLUSTERS unset, as on a worker whose environment lost it.
      ...(clusters.length === 0
        ? {}
        : {
            COPILOT_CLUSTERS: JSON.stringify(
              clusters.map((cluster) =>
                typeof cluster === 'string'
                  ? { name: cluster, prometheus_url: 'http://127.0.0.1:1', loki_url: 'http://127.0.0.1:2' }
                  : cluster,
              ),
            ),
          }),
    },
  });
}

let temporal: TemporalHandle;

beforeAll(async () => {
  server = await startTemporalDevServer();
  temporal = await connectTemporal({ address: server.address, namespace: 'default' });
});
afterAll(async () => {
  await temporal?.close();
  await server?.stop();
});

/** The input the RUNNING run of the observer was started with (no worker runs here, so it is the first event). */
async function runningObserverInput(cluster: string): Promise<ObserveClusterInput> {
  const history = await temporal.client.workflow.getHandle(`copilot-observe-${cluster}`).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`no input in the history of copilot-observe-${cluster}`);
  return defaultPayloadConverter.fromPayload(payload);
}

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
  // The retention workflow runs once per deployment, untouched by cluster changes.
  const retention = await temporal.client.workflow.getHandle('copilot-retention').describe();
  expect(retention.status.name).toBe('RUNNING');
  const help = await copilot(['--help'], []);
  expect([help.code, help.stdout.includes('workflows <start|stop|list>')]).toEqual([0, true]);
});

test('an empty cluster list stops nothing and says so', async () => {
  await copilot(['start', '--format', 'json'], ['keep']);
  // Visibility lags: wait until a stop-everything would actually find `keep`, so the test can catch one.
  await waitFor({
    what: 'visibility to list keep',
    check: async () =>
      JSON.parse((await copilot(['list', '--format', 'json'], ['keep'])).stdout).some(
        (w: { cluster: string }) => w.cluster === 'keep',
      ),
  });
  const empty = await copilot(['start', '--format', 'json'], []);
  expect(empty.code).toBe(0);
  expect(JSON.parse(empty.stdout)).toEqual({ started: [], stopped: [], retention: null });
  expect(empty.stderr).toContain('no clusters configured: nothing started, nothing stopped');
  const status = (await temporal.client.workflow.getHandle('copilot-observe-keep').describe()).status.name;
  expect(status).toBe('RUNNING');
});

test('an edited cluster config restarts its workflows with the new input; an unchanged one is left alone', async () => {
  const before = { name: 'edited', prometheus_url: 'http://127.0.0.1:1' };
  const after = { ...before, prometheus_url: 'http://127.0.0.1:3', selector: 'cluster="prod"' };
  const first = JSON.parse((await copilot(['start', '--format', 'json'], [before, 'steady'])).stdout).started;
  const edited = JSON.parse((await copilot(['start', '--format', 'json'], [after, 'steady'])).stdout).started;
  const summary = (runs: { workflowId: string; runId: string; restarted: boolean }[]) =>
    runs.map((w) => [w.workflowId, w.restarted]);
  expect(summary(edited)).toEqual([
    ['copilot-observe-edited', true],
    ['copilot-scheduled-edited', true],
    ['copilot-observe-steady', false],
    ['copilot-scheduled-steady', false],
    ['copilot-logs-steady', false],
  ]);
  expect(edited[0].runId).not.toBe(first[0].runId);
  expect(edited[2].runId).toBe(first[2].runId);
  expect((await runningObserverInput('edited')).cluster).toEqual(after);
  const again = JSON.parse((await copilot(['start', '--format', 'json'], [after, 'steady'])).stdout).started;
  expect(again.map((w: { restarted: boolean }) => w.restarted)).toEqual([false, false, false, false, false]);
});
