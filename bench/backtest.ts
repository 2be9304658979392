// A 24-hour backtest (30 s step) against a local Prometheus loaded with 24 h of fixture data, as a ratio to one
// query_range over the same span. Run: bun bench/backtest.ts
import { runBacktest } from '../src/cli/backtest.ts';
import { createPrometheusClient } from '../src/clients/prometheus.ts';
import { startPrometheusWithFixtures } from '../src/demo/local-prometheus.ts';
import { HEALTHY } from '../src/demo/scenario-metrics.ts';
import { FIXTURE_START_MS } from '../src/demo/scenarios.ts';

const DAY_SEC = 86_400;
const STEP_MS = 30_000;
const loadStart = performance.now();
await using prometheus = await startPrometheusWithFixtures({
  style: 'tally',
  startMs: FIXTURE_START_MS,
  scenarios: [
    {
      cluster: 'day',
      durationSec: DAY_SEC,
      // A diurnal load curve with an hour-long persistence slowdown in the afternoon.
      profile: (t) => ({
        ...HEALTHY,
        stPerSec: 100 + 80 * Math.sin((2 * Math.PI * t) / DAY_SEC),
        persistenceLatencyMs: t > 14 * 3600 && t < 15 * 3600 ? 400 : 8,
      }),
    },
  ],
});
console.log(`fixture generation + promtool backfill + start: ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
const client = createPrometheusClient({ baseUrl: prometheus.url, timeoutMs: 60_000 });
const range = { startMs: FIXTURE_START_MS, endMs: FIXTURE_START_MS + DAY_SEC * 1000, stepMs: STEP_MS };

let start = performance.now();
await client.queryRange({ query: 'sum(rate(state_transition_count_count{cluster="day"}[1m]))', ...range });
const oneRangeMs = performance.now() - start;

start = performance.now();
const report = await runBacktest({
  prometheus: client,
  cluster: { name: 'day', prometheus_url: prometheus.url, selector: 'cluster="day"' },
  metricStyle: 'tally',
  ...range,
});
const backtestMs = performance.now() - start;
console.log(`steps: ${report.summary.steps}; states: ${JSON.stringify(report.summary.state_counts)}`);
console.log(`one query_range over 24 h: ${oneRangeMs.toFixed(1)} ms`);
console.log(`24 h backtest: ${backtestMs.toFixed(1)} ms (${(backtestMs / report.summary.steps).toFixed(2)} ms/step)`);
console.log(`backtest / one range query = ${(backtestMs / oneRangeMs).toFixed(1)}`);
