import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { runDoctor } from '../../src/cli/doctor.ts';
import type { PrometheusClient } from '../../src/clients/prometheus.ts';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusScraping } from '../../src/demo/local-prometheus.ts';
import type { SignalsSnapshot } from '../../src/models/index.ts';
import { catalogMetrics, EMITTED_ONLY_WHEN } from '../../src/signals/catalog.ts';
import {
  detectMetricNaming,
  detectMetricStyle,
  sdkNamingFromSeries,
  timerUnitFromBuckets,
} from '../../src/signals/detect-style.ts';
import { observeCluster } from '../../src/signals/observe.ts';
import type { TemporalDevServer } from '../support/temporal-dev-server.ts';
import { startTemporalDevServer } from '../support/temporal-dev-server.ts';

/**
 * The catalog against a real Temporal server (`temporal server start-dev`, server 1.29) and a real Prometheus
 * scraping it every second: names the catalog reads must exist there or be explained in EMITTED_ONLY_WHEN, the
 * naming is detected, and the core signals have values once a few workflows have run.
 */

// A bound for a loaded 2-core machine, never an expected duration: each wait ends as soon as its condition holds.
const WAIT_BOUND_MS = 40_000;
// What Prometheus 2.x sends when scraping: OpenMetrics preferred, text 0.0.4 accepted.
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** Poll `problems` until it returns none or the bound passes; returns the last problems seen (empty = held). */
async function eventually(problems: () => Promise<string[]>): Promise<string[]> {
  const deadline = Date.now() + WAIT_BOUND_MS;
  for (;;) {
    const found = await problems().catch((error: unknown) => [String(error)]);
    if (found.length === 0 || Date.now() > deadline) return found;
    await Bun.sleep(250);
  }
}

const CORE_SIGNALS = [
  'primary.state_transitions.throughput_per_sec',
  'primary.state_transitions.latency_p95_ms',
  'primary.workflow_completion.completion_rate',
  'primary.workflow_completion.success_per_sec',
  'primary.workflow_completion.failed_per_sec',
  'primary.history.backlog_age_sec',
  'primary.history.task_processing_rate_per_sec',
  'primary.frontend.latency_p95_ms',
  'primary.frontend.long_poll_latency_p99_ms',
  'primary.poller.long_poll_latency_ms',
  'primary.persistence.latency_p95_ms',
  'primary.system_operations.deletion_rate_per_sec',
  'primary.system_operations.cleanup_delete_rate_per_sec',
  'amplifiers.queue.task_backlog_depth',
  'amplifiers.grpc.in_flight_requests',
  'amplifiers.runtime.goroutines',
  'amplifiers.host.memory_rss_bytes',
] as const;

function valueAt(snapshot: SignalsSnapshot, path: string): unknown {
  let node: unknown = snapshot;
  for (const key of path.split('.')) node = typeof node === 'object' && node !== null ? Reflect.get(node, key) : null;
  return node;
}

/** Metric names in a Prometheus text exposition (the part before labels or value). */
function namesIn(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    names.add(line.replace(/[{ ].*$/s, ''));
  }
  return names;
}

let server: TemporalDevServer;
let prometheus: LocalPrometheus;
let client: PrometheusClient;

async function scrape(): Promise<{ contentType: string; names: Set<string> }> {
  const response = await fetch(`http://${server.metricsTarget}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
  return { contentType: response.headers.get('content-type') ?? '', names: namesIn(await response.text()) };
}

/** A few workflows without a worker: timeouts, a batch terminate run by the server's own worker, a delete. */
async function driveLoad(): Promise<void> {
  const start = (id: string, extra: string[] = []) =>
    server.cli([
      'workflow',
      'start',
      '--task-queue',
      'copilot-probe',
      '--type',
      'CopilotProbe',
      '--workflow-id',
      id,
      ...extra,
    ]);
  await Promise.all([
    ...[1, 2, 3].map((i) => start(`copilot-timeout-${i}`, ['--execution-timeout', '2s'])),
    ...[1, 2, 3].map((i) => start(`copilot-idle-${i}`)),
    start('copilot-delete'),
  ]);
  await server.cli(['workflow', 'delete', '--workflow-id', 'copilot-delete']);
  await server.cli([
    'workflow',
    'terminate',
    '--query',
    'WorkflowId STARTS_WITH "copilot-idle-"',
    '--yes',
    '--reason',
    'probe',
  ]);
}

beforeAll(async () => {
  // Polls expire after 2 s instead of 1 min so poll timeouts, poll latency and the poll ratios exist within the test;
  // matching syncs queue state (and emits approximate_backlog_count) every second instead of every minute.
  server = await startTemporalDevServer({
    dynamicConfig: { 'matching.longPollExpirationInterval': '2s', 'matching.updateAckInterval': '1s' },
  });
  prometheus = await startPrometheusScraping({ targets: [server.metricsTarget], scrapeIntervalSec: 1 });
  client = createPrometheusClient({ baseUrl: prometheus.url, maxAttempts: 1 });
  // Load must land after Prometheus has samples, or rates and quantiles have no increase to see.
  const scraped = await eventually(async () => {
    const result = await client.query({
      query: 'count_over_time(up{job="temporal"}[1m]) >= 2 and up{job="temporal"} == 1',
    });
    return result.resultType === 'vector' && result.series.length === 1
      ? []
      : ['Prometheus has not scraped the dev server twice'];
  });
  expect(scraped).toEqual([]);
  await driveLoad();
}, 120_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), server?.stop()]);
});

describe('signal catalog against a real Temporal dev server', () => {
  test('the server serves Prometheus text (no OpenMetrics), so counters have no _total and Prometheus keeps them bare', async () => {
    const { contentType, names } = await scrape();
    expect(contentType).toStartWith('text/plain; version=0.0.4');
    expect(names.has('service_requests')).toBe(true);
    expect(names.has('service_requests_total')).toBe(false);
    const stored = new Set(await client.metricNames());
    expect(stored.has('service_requests')).toBe(true);
    expect(stored.has('service_requests_total')).toBe(false);
  });

  test('naming is detected from what Prometheus stored: tally style, bare counters', async () => {
    expect(await detectMetricStyle({ prometheus: client })).toBe('tally');
    // Bare `_bucket` timers: the names leave the unit open (tally seconds or OTel without unit suffix).
    expect(await detectMetricNaming({ prometheus: client })).toEqual({
      style: 'tally',
      counters: 'bare',
      timerUnit: null,
    });
    // The bucket bounds say seconds; and the server's own Go SDK series (service_name="worker") are no user worker.
    expect(await timerUnitFromBuckets({ prometheus: client })).toBe('sec');
    expect(await sdkNamingFromSeries({ prometheus: client })).toBeNull();
  });

  test('every name the catalog reads is on the server, or its condition is in EMITTED_ONLY_WHEN', async () => {
    const metrics = catalogMetrics({ style: 'tally', counters: 'bare' });
    const missing = await eventually(async () => {
      const { names } = await scrape();
      return metrics.filter((m) => !names.has(m.name) && m.emittedOnlyWhen === undefined).map((m) => m.name);
    });
    expect(missing).toEqual([]);
    // And Prometheus stores them under the same names.
    const { names } = await scrape();
    const unstored = await eventually(async () => {
      const stored = new Set(await client.metricNames());
      return metrics.filter((m) => names.has(m.name) && !stored.has(m.name)).map((m) => m.name);
    });
    expect(unstored).toEqual([]);
  }, 60_000);

  test('doctor reports the real naming and no unexpected missing metric names', async () => {
    const unexpected = await eventually(async () => {
      const report = await runDoctor({ prometheus: client, prometheusUrl: prometheus.url, nowMs: Date.now() });
      expect(report.prometheus).toMatchObject({ detected_style: 'tally', counter_naming: 'bare', reachable: true });
      return report.metrics.missing.filter((m) => m.emitted_only_when === undefined).map((m) => m.name);
    });
    expect(unexpected).toEqual([]);
  }, 60_000);

  test('EMITTED_ONLY_WHEN has no dead entries: each is a family the catalog reads, with its condition', () => {
    const families = new Set(catalogMetrics({ style: 'tally' }).map((m) => m.family));
    for (const [family, condition] of Object.entries(EMITTED_ONLY_WHEN)) {
      expect(families.has(family)).toBe(true);
      expect(condition.length).toBeGreaterThan(20);
    }
  });

  test('observeCluster gets values for the core signals once load has run', async () => {
    const cluster = { name: 'dev', prometheus_url: prometheus.url };
    let snapshot: SignalsSnapshot | undefined;
    const nulls = await eventually(async () => {
      snapshot = await observeCluster({ cluster, atMs: Date.now(), prometheus: client });
      const current = snapshot;
      return CORE_SIGNALS.filter((id) => typeof valueAt(current, id) !== 'number').map(
        (id) => `${id}: ${JSON.stringify(current.missing.find((m) => m.signal === id))}`,
      );
    });
    expect(nulls).toEqual([]);
    expect(snapshot).toMatchObject({ metric_style: 'tally', counter_naming: 'bare' });
    // Workflows timed out (failures) and the batch workflow succeeded: the ratio is strictly between 0 and 1.
    const completion = snapshot?.primary.workflow_completion.completion_rate ?? Number.NaN;
    expect(completion).toBeGreaterThanOrEqual(0);
    expect(completion).toBeLessThanOrEqual(1);
    expect(snapshot?.primary.history.task_processing_rate_per_sec).toBeGreaterThan(0);
    // No application worker ever polled: the poll ratios have no outcomes to divide (only Temporal's own queues time
    // out here, and they are excluded), which is low volume, not an unscraped matching.
    for (const id of ['primary.poller.poll_success_rate', 'primary.poller.poll_timeout_rate'] as const) {
      expect(snapshot?.missing.find((m) => m.signal === id)?.reason).toBe('low_volume');
    }
  }, 60_000);

  test('never-created error and failure counters read 0 (not null) because the server is scraped', async () => {
    // Nothing here makes a persistence call or an RPC fail unexpectedly, and no worker fails a workflow.
    const { names } = await scrape();
    for (const family of ['persistence_errors', 'service_errors', 'workflow_failed'])
      expect(names.has(family)).toBe(false);
    const snapshot = await observeCluster({
      cluster: { name: 'dev', prometheus_url: prometheus.url },
      atMs: Date.now(),
      prometheus: client,
    });
    expect(snapshot.primary.persistence.error_rate_per_sec).toBe(0);
    expect(snapshot.primary.frontend.error_rate_per_sec).toBe(0);
    expect(snapshot.amplifiers.throttling.rate_limit_events_per_sec).toBe(0);
    // The unscraped case stays unknown: a cluster selector matching no target reads the same signals as no_series.
    const elsewhere = await observeCluster({
      cluster: { name: 'gone', prometheus_url: prometheus.url, selector: 'job="no-such-job"' },
      atMs: Date.now(),
      prometheus: client,
    });
    for (const id of ['primary.persistence.error_rate_per_sec', 'primary.frontend.error_rate_per_sec'] as const) {
      expect(elsewhere.missing.find((m) => m.signal === id)?.reason).toBe('no_series');
    }
  }, 30_000);

  test("the server's own worker role is not read as the user's workers, and one process is counted once", async () => {
    const atMs = Date.now();
    const snapshot = await observeCluster({
      cluster: { name: 'dev', prometheus_url: prometheus.url },
      atMs,
      prometheus: client,
    });
    // The dev server's worker role exports SDK slots and pollers for system workflows; no user worker runs.
    const { names } = await scrape();
    expect(names.has('temporal_worker_task_slots_available')).toBe(true);
    expect(snapshot.worker.workflow_slots_available).toBeNull();
    expect(snapshot.missing.find((m) => m.signal === 'worker.workflow_slots_available')?.reason).toBe('no_series');
    // All four roles run in one process and each reports its goroutines: the signal counts the process once.
    const perRole = await client.query({ query: 'max(num_goroutines)', timeMs: atMs });
    expect(perRole.resultType === 'vector' ? perRole.series[0]?.value : undefined).toBe(
      snapshot.amplifiers.runtime.goroutines ?? -1,
    );
  }, 30_000);
});
