// One observation cycle against a real local Prometheus, as a ratio to its slowest single query and to running the
// same queries one after another. Run: bun bench/observe-cycle.ts
import { createPrometheusClient } from '../src/clients/prometheus.ts';
import { startPrometheusWithFixtures } from '../src/demo/local-prometheus.ts';
import { FIXTURE_START_MS, scenarioSpecs } from '../src/demo/scenarios.ts';
import { buildSignalQueries, observeCluster } from '../src/signals/index.ts';

const ROUNDS = 5;
await using prometheus = await startPrometheusWithFixtures({
  style: 'otel',
  startMs: FIXTURE_START_MS,
  scenarios: scenarioSpecs(),
});
const client = createPrometheusClient({ baseUrl: prometheus.url });
const cluster = { name: 'healthy', prometheus_url: prometheus.url, selector: 'cluster="healthy"' };
const atMs = FIXTURE_START_MS + 20 * 60_000;
const queries = [
  ...new Set(
    buildSignalQueries({ style: 'otel', matchers: [{ name: 'cluster', op: '=', value: 'healthy' }] }).flatMap((q) =>
      Object.values(q.inputs),
    ),
  ),
];

// Warm up caches once so every measurement sees the same server state.
await observeCluster({ cluster, atMs, prometheus: client, metricStyle: 'otel' });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const cycles: number[] = [];
const slowest: number[] = [];
const sequential: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  let start = performance.now();
  await observeCluster({ cluster, atMs, prometheus: client, metricStyle: 'otel' });
  cycles.push(performance.now() - start);
  const each: number[] = [];
  for (const query of queries) {
    start = performance.now();
    await client.query({ query, timeMs: atMs });
    each.push(performance.now() - start);
  }
  slowest.push(Math.max(...each));
  sequential.push(each.reduce((sum, ms) => sum + ms, 0));
}
const cycle = median(cycles);
console.log(`distinct queries per cycle: ${queries.length} (concurrency 8)`);
console.log(`observe cycle (median of ${ROUNDS}): ${cycle.toFixed(1)} ms`);
console.log(
  `slowest single query: ${median(slowest).toFixed(1)} ms -> cycle / slowest = ${(cycle / median(slowest)).toFixed(2)}`,
);
console.log(
  `sequential sum: ${median(sequential).toFixed(1)} ms -> cycle / sequential = ${(cycle / median(sequential)).toFixed(2)}`,
);
