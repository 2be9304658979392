import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { startPrometheusWithFixtures } from '../../src/demo/local-prometheus.ts';
import { FIXTURE_START_MS, scenarioSpecs } from '../../src/demo/scenarios.ts';
import type { PrometheusClient } from '../../src/models/index.ts';
import { createSharedRequests, fleetIndex, observeCluster } from '../../src/signals/index.ts';

const url = 'http://prometheus.example:9090';
const cluster = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  prometheus_url: url,
  selector: `cluster="${name}"`,
  ...extra,
});

describe('fleetIndex', () => {
  test('clusters on one Prometheus told apart by one label form a fleet', () => {
    const fleetFor = fleetIndex([cluster('a'), cluster('b'), cluster('c', { prometheus_url: 'http://other:9090' })]);
    expect(fleetFor(cluster('a'))).toEqual({ label: 'cluster', values: ['a', 'b'] });
    // Alone on its Prometheus, a cluster has no fleet; nor one the worker is not configured for.
    expect(fleetFor(cluster('c', { prometheus_url: 'http://other:9090' }))).toBeUndefined();
    expect(fleetFor(cluster('z'))).toBeUndefined();
  });

  test('other credentials, selectors of several matchers or regexes never share', () => {
    const sigv4 = { prometheus_sigv4: { region: 'eu-west-1' } };
    const fleetFor = fleetIndex([
      cluster('a'),
      cluster('b', sigv4),
      { name: 'c', prometheus_url: url, selector: 'cluster="c",env="prod"' },
      { name: 'd', prometheus_url: url, selector: 'cluster=~"d"' },
    ]);
    expect(fleetFor(cluster('a'))).toBeUndefined();
    expect(fleetFor(cluster('b', sigv4))).toBeUndefined();
    expect(fleetFor({ name: 'c', prometheus_url: url, selector: 'cluster="c",env="prod"' })).toBeUndefined();
  });
});

describe('createSharedRequests', () => {
  test('one load per key while fresh; a failure is not kept; entries expire', async () => {
    let nowMs = 0;
    const shared = createSharedRequests({ ttlMs: 1_000, clock: () => nowMs });
    let loads = 0;
    const ok = async () => {
      loads += 1;
      return { kind: 'vector' as const, series: [] };
    };
    await Promise.all([shared.run('k', ok), shared.run('k', ok)]);
    expect(loads).toBe(1);
    const failing = async () => ({ kind: 'failed' as const, code: 'UPSTREAM_TIMEOUT' });
    expect(await shared.run('f', failing)).toEqual({ kind: 'failed', code: 'UPSTREAM_TIMEOUT' });
    await Bun.sleep(0);
    await shared.run('f', ok);
    expect(loads).toBe(2);
    nowMs = 5_000;
    await shared.run('k', ok);
    expect(loads).toBe(3);
  });
});

describe('observers of one fleet against a real Prometheus', () => {
  let prometheus: LocalPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheusWithFixtures({
      style: 'tally',
      counters: 'bare',
      startMs: FIXTURE_START_MS,
      scenarios: scenarioSpecs(),
    });
  }, 120_000);
  afterAll(async () => {
    await prometheus?.stop();
  });

  test('shared requests are sent once for the whole fleet, and every snapshot reads as observed alone', async () => {
    const base = createPrometheusClient({ baseUrl: prometheus.url });
    const sent: string[] = [];
    const counting: PrometheusClient = {
      ...base,
      query: (input) => {
        sent.push(input.query);
        return base.query(input);
      },
    };
    const clusters = scenarioSpecs().map((s) => ({
      name: s.cluster,
      prometheus_url: prometheus.url,
      selector: `cluster="${s.cluster}"`,
      metric_style: 'tally' as const,
    }));
    const fleetFor = fleetIndex(clusters);
    const shared = createSharedRequests();
    const atMs = FIXTURE_START_MS + 30 * 60_000;
    const fleetSnapshots = await Promise.all(
      clusters.map((c) => {
        const fleet = fleetFor(c);
        if (!fleet) throw new Error('expected a fleet');
        return observeCluster({ cluster: c, atMs, prometheus: counting, counters: 'bare', fleet, shared });
      }),
    );
    const fleetRequests = sent.filter((q) => q.includes('cluster=~'));
    expect(new Set(fleetRequests).size).toBe(fleetRequests.length);
    expect(fleetRequests.length).toBeGreaterThan(40);
    const alone = await Promise.all(
      clusters.map((c) => observeCluster({ cluster: c, atMs, prometheus: base, counters: 'bare' })),
    );
    for (const [i, snapshot] of fleetSnapshots.entries()) {
      const expected = alone[i];
      expect(JSON.stringify(snapshot, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v))).toBe(
        JSON.stringify(expected, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v)),
      );
    }
  }, 120_000);
});
