import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusWithFixtures } from '../../src/demo/local-prometheus.ts';
import { atMinute, FIXTURE_START_MS, SCENARIO_DURATION_SEC, scenarioSpecs } from '../../src/demo/scenarios.ts';
import { checkIdle } from '../../src/health/context.ts';
import type { CounterNaming, SignalsSnapshot } from '../../src/models/index.ts';
import { buildSignalQueries, EMITTED_ONLY_WHEN } from '../../src/signals/catalog.ts';
import { observeRange } from '../../src/signals/range.ts';

/**
 * Temporal creates error and failure counters (and asyncmatch_latency) on their first occurrence. Absent, they are
 * 0 only while a counter the same service always exports is scraped; with the exporter gone they stay unknown.
 */

const prod = [{ name: 'cluster', op: '=' as const, value: 'prod' }];
const inputsOf = (id: string, counters: CounterNaming) =>
  buildSignalQueries({ style: 'tally', counters, matchers: prod }).find((q) => q.id === id)?.inputs ?? {};

describe('first-occurrence counters in the catalog', () => {
  test('persistence error rate: the exact PromQL in both counter namings', () => {
    expect(inputsOf('primary.persistence.error_rate_per_sec', 'total')['value']).toBe(
      'sum(rate(persistence_errors_total{service_name="history",cluster="prod"}[1m])) or ' +
        '(0 * sum(rate(persistence_requests_total{service_name="history",cluster="prod"}[1m])))',
    );
    expect(inputsOf('primary.persistence.error_rate_per_sec', 'bare')['value']).toBe(
      'sum(rate(persistence_errors{service_name="history",cluster="prod"}[1m])) or ' +
        '(0 * sum(rate(persistence_requests{service_name="history",cluster="prod"}[1m])))',
    );
  });

  test('every first-occurrence counter read has an always-exported sibling with the same cluster and service', () => {
    const conditional = ['persistence_errors', 'service_errors', 'workflow_failed', 'workflow_timeout'];
    const reads = buildSignalQueries({ style: 'otel', matchers: prod }).flatMap((q) => Object.values(q.inputs));
    for (const family of [...conditional, 'workflow_success', 'persistence_error_with_type']) {
      expect(EMITTED_ONLY_WHEN[family]).toBeDefined();
      const using = reads.filter((promql) => promql.includes(`${family}_total{`));
      expect(using.length).toBeGreaterThan(0);
      for (const promql of using) {
        const [own, sibling] = promql.split(' or (0 * ');
        expect(sibling).toMatch(/^sum\(rate\((persistence|service)_requests_total\{.*cluster="prod".*\}\[1m\]\)\)\)$/);
        const service = /service_name="(\w+)"/.exec(own ?? '')?.[1];
        if (service) expect(sibling).toContain(`service_name="${service}"`);
      }
    }
  });
});

const range = { startMs: FIXTURE_START_MS, endMs: FIXTURE_START_MS + SCENARIO_DURATION_SEC * 1000, stepMs: 30_000 };
const afterFirstMinute = (snapshots: SignalsSnapshot[]) => snapshots.filter((s) => s.at >= atMinute(1));
const ERROR_SIGNALS = [
  'primary.frontend.error_rate_per_sec',
  'primary.persistence.error_rate_per_sec',
  'primary.workflow_completion.failed_per_sec',
  'primary.matching.workflow_backlog_age_sec',
  'primary.matching.activity_backlog_age_sec',
] as const;

for (const counters of ['total', 'bare'] as const) {
  describe(`fixtures without any error series, ${counters} counters, through a real Prometheus`, () => {
    let prometheus: LocalPrometheus;
    beforeAll(async () => {
      const scenarios = scenarioSpecs().filter((s) => /no-error-series|quiet-telemetry-gap/.test(s.cluster));
      prometheus = await startPrometheusWithFixtures({
        style: 'tally',
        counters,
        startMs: FIXTURE_START_MS,
        scenarios,
      });
    });
    afterAll(async () => {
      await prometheus?.stop();
    });
    const observe = (name: string) =>
      observeRange({
        ...range,
        cluster: { name, prometheus_url: prometheus.url, selector: `cluster="${name}"` },
        prometheus: createPrometheusClient({ baseUrl: prometheus.url, maxAttempts: 1 }),
        metricStyle: 'tally',
      });

    test('the fixture really has no error, failure, success or asyncmatch series', async () => {
      const names = await createPrometheusClient({ baseUrl: prometheus.url, maxAttempts: 1 }).query({
        query:
          'count by (__name__) ({cluster="quiet-no-error-series", __name__=~"workflow_(success|failed|timeout).*|.*_errors.*|asyncmatch.*"})',
        timeMs: Date.parse(atMinute(20)),
      });
      expect(
        names.resultType === 'vector' ? names.series.map((x) => x.metric['__name__'] ?? '?') : ['not a vector'],
      ).toEqual([]);
    });

    test('quiet cluster: errors, failures and backlog ages are 0 (not null) and idle is claimed', async () => {
      const snapshots = afterFirstMinute(await observe('quiet-no-error-series'));
      expect(snapshots.length).toBe(89);
      for (const snapshot of snapshots) {
        expect(snapshot.primary.frontend.error_rate_per_sec).toBe(0);
        expect(snapshot.primary.persistence.error_rate_per_sec).toBe(0);
        expect(snapshot.primary.workflow_completion.failed_per_sec).toBe(0);
        expect(snapshot.primary.matching.workflow_backlog_age_sec).toBe(0);
        expect(snapshot.primary.matching.activity_backlog_age_sec).toBe(0);
        expect(checkIdle(snapshot.primary)).toEqual({ value: true, undetermined: false });
      }
    });

    test('busy cluster: persistence errors 0 and completion 1 although no error series ever existed', async () => {
      for (const snapshot of afterFirstMinute(await observe('busy-no-error-series'))) {
        expect(snapshot.primary.persistence.error_rate_per_sec).toBe(0);
        expect(snapshot.primary.workflow_completion.completion_rate).toBe(1);
        expect(snapshot.primary.workflow_completion.success_per_sec).toBeCloseTo(5, 6);
      }
    });

    test('exporter gone: the same signals are null with no_series, idle is not claimed', async () => {
      // Backfilled blocks have no staleness markers, so the backlog gauge's last sample lingers for the 5m lookback;
      // a live Prometheus marks it stale on the first failed scrape.
      const gap = (await observe('quiet-telemetry-gap')).filter((s) => s.at >= atMinute(20) && s.at < atMinute(30));
      expect(gap.length).toBe(20);
      for (const snapshot of gap) {
        for (const id of ERROR_SIGNALS) {
          expect(snapshot.missing.find((m) => m.signal === id)?.reason).toBe('no_series');
        }
        expect(snapshot.primary.persistence.error_rate_per_sec).toBeNull();
        expect(checkIdle(snapshot.primary).value).toBe(false);
      }
    });
  });
}
