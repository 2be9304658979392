import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { CliIo } from '../../src/cli/command.ts';
import type { DoctorReport } from '../../src/cli/doctor.ts';
import { doctorCommand } from '../../src/cli/doctor.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusWithFixtures } from '../../src/demo/local-prometheus.ts';
import { atMinute, FIXTURE_START_MS, SCENARIOS } from '../../src/demo/scenarios.ts';

function captureIo(): CliIo & { text: () => string } {
  let out = '';
  return { readStdin: async () => '', out: (t) => (out += t), err: (t) => (out += t), text: () => out };
}

let prometheus: LocalPrometheus;
const loki = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: (request) =>
    new URL(request.url).pathname === '/loki/api/v1/labels'
      ? Response.json({ status: 'success', data: ['job'] })
      : new Response('no', { status: 404 }),
});

beforeAll(async () => {
  prometheus = await startPrometheusWithFixtures({
    style: 'tally',
    startMs: FIXTURE_START_MS,
    scenarios: [{ cluster: 'prod', durationSec: 1200, profile: SCENARIOS.healthy }],
  });
});
afterAll(async () => {
  await prometheus.stop();
  await loki.stop(true);
});

async function doctor(argv: string[]): Promise<{ code: number; text: string }> {
  const io = captureIo();
  const code = await doctorCommand.run(argv, io);
  return { code, text: io.text() };
}

describe('doctor', () => {
  test('detects the style, lists present and missing names with what they blind, and which signals have data', async () => {
    const { code, text } = await doctor([
      '--prometheus-url',
      prometheus.url,
      '--loki-url',
      loki.url.origin,
      '--selector',
      'cluster="prod"',
      '--at',
      atMinute(15),
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(text) as DoctorReport;
    expect(report.prometheus).toMatchObject({ reachable: true, detected_style: 'tally', style_used: 'tally' });
    expect(report.metrics.present).toContain('state_transition_count_count');
    const retry = report.metrics.missing.find((m) => m.name === 'dsql_tx_retry_total');
    expect(retry?.signals).toEqual(['primary.persistence.retry_rate_per_sec']);
    expect(retry?.blinds.join(' ')).toContain('DSQL');
    const throughput = report.signals.find((s) => s.id === 'primary.state_transitions.throughput_per_sec');
    expect(throughput).toMatchObject({ has_data: true, value: 150, tier: 'primary' });
    const notMeasurable = report.signals.find((s) => s.id === 'amplifiers.shard.hot_shard_ratio');
    expect(notMeasurable).toMatchObject({ has_data: false, reason: 'not_measurable' });
    expect(report.loki).toMatchObject({ ok: true, status: 200 });
  });

  test('an unreachable Prometheus or Loki exits 1 and says so in the table', async () => {
    const down = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
    const url = down.url.origin;
    await down.stop(true);
    const { code, text } = await doctor(['--prometheus-url', url, '--loki-url', url]);
    expect(code).toBe(1);
    expect(text).toContain('UNREACHABLE (UPSTREAM_UNREACHABLE');
    expect(text).toContain(`loki ${url}: NOT OK`);
  });
});
