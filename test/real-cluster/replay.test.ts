import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type } from 'arktype';
import type { BacktestReport } from '../../src/cli/backtest.ts';
import { runBacktest } from '../../src/cli/backtest.ts';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusFromOpenMetrics } from '../../src/demo/local-prometheus.ts';
import type { MetricStyle, TimerUnit } from '../../src/models/index.ts';
import { observeCluster } from '../../src/signals/index.ts';
import { expectPlanMatchesDirect } from '../signals/plan-equivalence.ts';
import type { Phase } from './cluster-run.ts';
import { FIXTURE_DIR, FIXTURE_OPENMETRICS, FIXTURE_PHASES } from './fixture.ts';
import { expectJudgement, expectWorkerSignals, reportPhases } from './judge.ts';
import { toOtelNaming } from './record.ts';

/**
 * The recorded real run (judgement.test.ts with RECORD_REAL_CLUSTER=1: a real dev server under real SDK load and
 * real faults) replayed through a real Prometheus in both namings: the dev server's own tally names, and the same
 * samples under the OpenTelemetry exporter's names and units. The same promises hold, in seconds instead of 13
 * minutes, so every rule change is judged against what Temporal really emitted.
 */

const PhasesFile = type({
  phases: type({
    name: "'healthy' | 'worker_outage' | 'recovery' | 'server_restart' | 'unpolled_queue' | 'idle'",
    startMs: 'number',
    endMs: 'number',
  }).array(),
});

const phases: Phase[] = PhasesFile.assert(JSON.parse(readFileSync(join(FIXTURE_DIR, FIXTURE_PHASES), 'utf8'))).phases;
const recorded = new TextDecoder().decode(Bun.gunzipSync(readFileSync(join(FIXTURE_DIR, FIXTURE_OPENMETRICS))));

interface Variant {
  name: string;
  openMetrics: () => string;
  /** The style detected from the names, and the timer unit the queries must read. */
  style: MetricStyle;
  timerUnit: TimerUnit;
}

const VARIANTS: readonly Variant[] = [
  { name: 'the dev server’s own tally naming', openMetrics: () => recorded, style: 'tally', timerUnit: 'sec' },
  { name: 'OTel exporter naming', openMetrics: () => toOtelNaming(recorded), style: 'otel', timerUnit: 'ms' },
  // Bare `_bucket` names like tally, in milliseconds: read as tally seconds, every timer would be 1000× too high.
  {
    name: 'OTel with withoutUnitSuffix',
    openMetrics: () => toOtelNaming(recorded, { withoutUnitSuffix: true }),
    style: 'tally',
    timerUnit: 'ms',
  },
  {
    name: 'OTel with recordTimerInSeconds',
    openMetrics: () => toOtelNaming(recorded, { recordTimerInSeconds: true }),
    style: 'otel',
    timerUnit: 'sec',
  },
];

for (const variant of VARIANTS) {
  describe(`the recorded real run replayed in ${variant.name}`, () => {
    let prometheus: LocalPrometheus;
    let report: BacktestReport;
    beforeAll(async () => {
      prometheus = await startPrometheusFromOpenMetrics({ openMetrics: variant.openMetrics() });
      const first = phases[0];
      const last = phases.at(-1);
      if (!first || !last) throw new Error('the fixture has no phases');
      report = await runBacktest({
        prometheus: createPrometheusClient({ baseUrl: prometheus.url }),
        cluster: { name: 'recorded', prometheus_url: prometheus.url },
        startMs: first.startMs,
        endMs: last.endMs,
        stepMs: 15_000,
      });
    }, 120_000);
    afterAll(async () => {
      await prometheus?.stop();
    });

    test('the naming and the timer unit are detected from the recorded names and bucket bounds', async () => {
      expect(report.summary.metric_style).toBe(variant.style);
      const healthy = phases.find((phase) => phase.name === 'healthy');
      const snapshot = await observeCluster({
        cluster: { name: 'recorded', prometheus_url: prometheus.url },
        atMs: (healthy?.endMs ?? 0) - 5_000,
        prometheus: createPrometheusClient({ baseUrl: prometheus.url }),
      });
      expect(snapshot.timer_unit ?? (snapshot.metric_style === 'tally' ? 'sec' : 'ms')).toBe(variant.timerUnit);
      // Milliseconds, not a unit off: a healthy dev server answers its frontend calls within a second at p99.
      expect(snapshot.primary.frontend.latency_p99_ms).toBeGreaterThan(0);
      expect(snapshot.primary.frontend.latency_p99_ms).toBeLessThan(5_000);
    });

    test('every phase is judged as promised', () => {
      const verdicts = report.timeline.map((e) => ({
        atMs: Date.parse(e.at),
        state: e.health_state,
        firing: e.firing,
      }));
      expect(reportPhases(verdicts, phases).length).toBe(phases.length);
      expectJudgement(verdicts, phases, `replay (${variant.name})`);
    });

    test('worker signals use sdk-core’s own naming, and the killed worker reads as a dead endpoint', async () => {
      await expectWorkerSignals({ prometheusUrl: prometheus.url, phases });
    });

    test('the grouped plan reads every catalog query exactly as Prometheus answers it alone, in every phase', async () => {
      const client = createPrometheusClient({ baseUrl: prometheus.url });
      const instantsMs = phases.map((phase) => Math.round((phase.startMs + phase.endMs) / 2));
      const snapshot = await observeCluster({
        cluster: { name: 'recorded', prometheus_url: prometheus.url },
        atMs: instantsMs[0] ?? 0,
        prometheus: client,
      });
      const result = await expectPlanMatchesDirect({
        prometheusUrl: prometheus.url,
        naming: {
          style: snapshot.metric_style,
          counters: snapshot.counter_naming ?? 'total',
          ...(snapshot.sdk_naming ? { sdk: snapshot.sdk_naming } : {}),
          ...(snapshot.timer_unit ? { timerUnit: snapshot.timer_unit } : {}),
        },
        matchers: [],
        instantsMs,
      });
      // Real data, not empty answers agreeing: most queries carry a value in these phases.
      expect(result.withValue).toBeGreaterThan(result.compared / 2);
      expect(result.requests).toBeLessThan(result.queries);
    }, 120_000);

    test('healthy and idle phases are complete, not partial', () => {
      for (const name of ['healthy', 'idle'] as const) {
        const phase = phases.find((p) => p.name === name);
        const steps = report.timeline.filter(
          (e) => phase && Date.parse(e.at) >= phase.startMs + 90_000 && Date.parse(e.at) <= phase.endMs,
        );
        expect(steps.map((e) => [name, e.data_quality, e.unevaluated_rules])).toEqual(
          steps.map(() => [name, 'complete', []]),
        );
      }
    });
  });
}
