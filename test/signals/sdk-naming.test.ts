import { describe, expect, test } from 'bun:test';
import { buildSignalQueries } from '../../src/signals/catalog.ts';
import { sdkNamingFromMetricNames } from '../../src/signals/detect-style.ts';

const queryOf = (input: Parameters<typeof buildSignalQueries>[0], id: string) =>
  buildSignalQueries(input).find((q) => q.id === id)?.inputs['value'] ?? '';

describe('SDK metric naming, detected apart from the server (sdk-core telemetry.rs, prometheus_meter.rs)', () => {
  test("sdk-core's defaults: bare counters, no unit suffix, milliseconds", () => {
    expect(
      sdkNamingFromMetricNames(['temporal_request', 'temporal_long_request_latency_bucket', 'service_latency_bucket']),
    ).toEqual({ counters: 'bare', duration_unit: 'ms', duration_suffix: '' });
  });

  test('counters_total_suffix, unit_suffix and use_seconds_for_durations each change the names', () => {
    expect(
      sdkNamingFromMetricNames(['temporal_request_total', 'temporal_request_latency_milliseconds_bucket']),
    ).toEqual({ counters: 'total', duration_unit: 'ms', duration_suffix: '_milliseconds' });
    expect(sdkNamingFromMetricNames(['temporal_long_request', 'temporal_long_request_latency_seconds_bucket'])).toEqual(
      {
        counters: 'bare',
        duration_unit: 'sec',
        duration_suffix: '_seconds',
      },
    );
  });

  test('no SDK metric at all says nothing', () => {
    expect(sdkNamingFromMetricNames(['service_latency_bucket', 'persistence_requests'])).toBeNull();
  });

  test('worker signals read SDK names even when the server is OTel-named', () => {
    const otelServer = { style: 'otel' as const, counters: 'total' as const, matchers: [] };
    // Server timers gain _milliseconds; sdk-core's default keeps ms in a bare `_bucket`, with no conversion.
    const longPoll = queryOf(otelServer, 'worker_amplifiers.poll.long_poll_latency_p95_ms');
    expect(longPoll).toContain('temporal_long_request_latency_bucket');
    expect(longPoll).not.toContain('* 1000');
    expect(queryOf(otelServer, 'worker_amplifiers.cache.sticky_cache_miss_rate_per_sec')).toContain(
      'rate(temporal_sticky_cache_miss{',
    );
    const seconds = {
      ...otelServer,
      sdk: { counters: 'total' as const, duration_unit: 'sec' as const, duration_suffix: '_seconds' as const },
    };
    expect(queryOf(seconds, 'worker_amplifiers.poll.long_poll_latency_p95_ms')).toContain(
      'temporal_long_request_latency_seconds_bucket',
    );
    expect(queryOf(seconds, 'worker_amplifiers.poll.long_poll_latency_p95_ms')).toEndWith('* 1000');
    expect(queryOf(seconds, 'worker_amplifiers.cache.sticky_cache_miss_rate_per_sec')).toContain(
      'temporal_sticky_cache_miss_total',
    );
  });

  test('workflow pollers count the sticky poller type too; dead SDK endpoints are counted from up', () => {
    const tally = { style: 'tally' as const, counters: 'bare' as const, matchers: [] };
    expect(queryOf(tally, 'worker.workflow_pollers')).toContain('poller_type=~"workflow_task|sticky_workflow_task"');
    expect(queryOf(tally, 'worker.sdk_endpoints_down')).toStartWith('count((up and on (job, instance)');
  });
});
