import { describe, expect, test } from 'bun:test';
import type { MetricStyle } from '../../src/models/index.ts';
import { buildSignalQueries, SIGNAL_CATALOG } from '../../src/signals/catalog.ts';
import type { QueryOutcome } from '../../src/signals/snapshot.ts';
import { assembleSnapshot } from '../../src/signals/snapshot.ts';

const STYLES: MetricStyle[] = ['otel', 'tally'];
const prod = [{ name: 'cluster', op: '=' as const, value: 'prod' }];

function queryOf(style: MetricStyle, id: string): string {
  const found = buildSignalQueries({ style, matchers: [] }).find((q) => q.id === id);
  return Object.values(found?.inputs ?? {}).join(' ; ');
}

describe('signal catalog', () => {
  test('ids are unique', () => {
    const ids = SIGNAL_CATALOG.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test.each(STYLES)('%s: every snapshot field is covered and a full result set validates', (style) => {
    const queries = buildSignalQueries({ style, matchers: prod });
    const outcomes = new Map<string, QueryOutcome>();
    for (const q of queries)
      for (const promql of Object.values(q.inputs)) outcomes.set(promql, { kind: 'value', value: 1 });
    const snapshot = assembleSnapshot({ cluster: 'prod', atMs: 0, style, queries, outcomes });
    const notMeasurable = SIGNAL_CATALOG.filter((s) => s.measure.kind === 'not_measurable').map((s) => s.id);
    expect(snapshot.missing.map((m) => m.signal)).toEqual(notMeasurable);
    expect(snapshot.missing.every((m) => m.reason === 'not_measurable' && (m.detail ?? '').length > 0)).toBe(true);
  });

  test.each(STYLES)('%s: no constant fallbacks, every selector carries the cluster matcher', (style) => {
    for (const q of buildSignalQueries({ style, matchers: prod })) {
      for (const promql of Object.values(q.inputs)) {
        expect(promql).not.toContain('vector(');
        expect(promql).not.toContain('+ 0.001');
        for (const metric of q.metrics.filter((name) => promql.includes(name))) {
          // Every occurrence of the metric is inside a selector that has the cluster matcher.
          const bare = new RegExp(`(?<![\\w])${metric}(?![\\w{])`);
          expect(promql).toContain(`${metric}{`);
          expect(promql).not.toMatch(bare);
          const selectors = promql.match(new RegExp(`${metric}\\{[^}]*\\}`, 'g')) ?? [];
          for (const s of selectors) expect(s).toContain('cluster="prod"');
        }
      }
    }
  });

  test('throughput counts state-transition observations (_count), never _sum', () => {
    expect(queryOf('otel', 'primary.state_transitions.throughput_per_sec')).toBe(
      'sum(rate(state_transition_count_ratio_count[1m]))',
    );
    expect(queryOf('tally', 'primary.state_transitions.throughput_per_sec')).toBe(
      'sum(rate(state_transition_count_count[1m]))',
    );
  });

  test('tally timers are seconds: ms fields ×1000, seconds fields as-is; OTel the reverse', () => {
    expect(queryOf('tally', 'primary.persistence.latency_p99_ms')).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(persistence_latency_bucket{service_name="history"}[5m]))) * 1000',
    );
    expect(queryOf('otel', 'primary.persistence.latency_p99_ms')).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(persistence_latency_milliseconds_bucket{service_name="history"}[5m])))',
    );
    expect(queryOf('otel', 'primary.history.backlog_age_sec')).toEndWith('/ 1000');
    expect(queryOf('tally', 'primary.history.backlog_age_sec')).not.toContain('1000');
  });

  // common/api/metadata.go names every PollingAlways method Poll*; telemetry.go renames an awaited result
  // (GetWorkflowExecutionHistory with WaitNewEvent) to PollWorkflowExecutionHistory.
  test('frontend latency excludes every long poll, awaited results included; the raw long-poll p99 does not', () => {
    expect(queryOf('otel', 'primary.frontend.latency_p99_ms')).toContain('operation!~"Poll.*"');
    for (const operation of [
      'PollWorkflowTaskQueue',
      'PollActivityTaskQueue',
      'PollNexusTaskQueue',
      'PollWorkflowExecutionHistory',
      'PollWorkflowExecutionUpdate',
      'PollActivityExecution',
      'PollNexusOperationExecution',
      'PollWorkflowExecutionTimeSkipping',
    ]) {
      expect(/^Poll.*$/.test(operation)).toBe(true);
    }
    expect(/^Poll.*$/.test('GetWorkflowExecutionHistory')).toBe(false);
    expect(queryOf('otel', 'primary.frontend.long_poll_latency_p99_ms')).not.toContain('operation');
  });

  test('matching backlog does not use the non-existent matching task_latency_queue series', () => {
    const q = queryOf('otel', 'primary.matching.workflow_backlog_age_sec');
    expect(q).not.toContain('task_latency_queue');
    expect(q).toContain('asyncmatch_latency_milliseconds_bucket{service_name="matching",task_type=~"Workflow|');
  });
});
