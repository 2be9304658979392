// Fleet scale: one real Prometheus scraping N synthetic clusters (a `cluster` label each, 25 per target, 222 series
// each), the real worker (dist/worker.js on Node) observing every one of them each 30 s against a real dev server
// and Postgres. For each N: whether every cluster stored a decision for every slot inside the interval, the
// worker's and Prometheus's CPU and memory, and requests per cluster per cycle; then the grouped plan's Prometheus
// cost against the per-signal queries, measured in the same run; then two workers sharing the observers.
// Run: bun bench/fleet.ts [--levels 50,100,200,300] [--cycles 3] [--skip-two-workers] [--profile DIR]
import { createPrometheusClient } from '../src/clients/prometheus.ts';
import { startDevServer } from '../src/demo/dev-server.ts';
import type { LoadProcess } from '../src/demo/load/processes.ts';
import type { LocalPrometheus } from '../src/demo/local-prometheus.ts';
import { freePort, startPrometheusScraping } from '../src/demo/local-prometheus.ts';
import { buildSignalQueries, mapWithConcurrency, observeCluster } from '../src/signals/index.ts';
import { startWorkerProcess } from '../test/support/worker-process.ts';
import {
  cpuSeconds,
  fetchesByWorker,
  freshDatabase,
  prometheusSelf,
  rssBytes,
  startFleetExporters,
  storedCycles,
} from './fleet-support.ts';

const INTERVAL_MS = 30_000;
const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
const levels = (process.argv.includes('--levels') ? (arg('--levels') ?? '') : '50,100,200,300').split(',').map(Number);
const cycles = process.argv.includes('--cycles') ? Number(arg('--cycles')) : 3;
const maxN = Math.max(...levels);
const clusters = Array.from({ length: maxN }, (_, i) => `c${String(i).padStart(3, '0')}`);
const clusterConfig = (name: string, url: string) => ({
  name,
  prometheus_url: url,
  selector: `cluster="${name}"`,
  metric_style: 'tally' as const,
});
const adminUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres:copilot@127.0.0.1:5432/postgres';
const nextSlot = (ms: number) => Math.ceil(ms / INTERVAL_MS) * INTERVAL_MS;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

const exporters = await startFleetExporters(clusters);
await using prometheus = await startPrometheusScraping({
  jobs: [{ job: 'temporal', targets: exporters.targets }],
  scrapeIntervalSec: 15,
});
const [port, httpPort, uiPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
await using devServer = await startDevServer({ port, httpPort, uiPort, metricsPort });
const databaseUrl = await freshDatabase(adminUrl, 'copilot_fleet_bench');
console.log(`fleet: ${maxN} clusters on ${exporters.targets.length} targets; warming Prometheus for 45 s`);
await Bun.sleep(45_000);

let workers: LoadProcess[] = [];
async function startWorkers(count: number, n: number): Promise<void> {
  await Promise.all(workers.map((worker) => worker.stop()));
  const env = {
    TEMPORAL_ADDRESS: devServer.address,
    DATABASE_URL: databaseUrl,
    COPILOT_OBSERVE_INTERVAL_SEC: String(INTERVAL_MS / 1000),
    COPILOT_CLUSTERS: JSON.stringify(clusters.slice(0, n).map((name) => clusterConfig(name, prometheus.url))),
  };
  // --profile DIR: each worker writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profileDir = process.argv.includes('--profile') ? arg('--profile') : undefined;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  workers = await Promise.all(Array.from({ length: count }, () => startWorkerProcess(env, nodeArgs)));
}

interface LevelResult {
  n: number;
  ok: boolean;
}

async function measureLevel(n: number, workerCount: number): Promise<LevelResult> {
  await startWorkers(workerCount, n);
  // One whole slot to start the new observers and settle, then `cycles` measured slots.
  const fromMs = nextSlot(Date.now() + INTERVAL_MS);
  const toMs = fromMs + cycles * INTERVAL_MS;
  await Bun.sleep(fromMs - Date.now());
  const cpuBefore = workers.map((w) => cpuSeconds(w.pid));
  const promBefore = await prometheusSelf(prometheus.url);
  let peakRss = 0;
  while (Date.now() < toMs) {
    peakRss = Math.max(
      peakRss,
      workers.reduce((sum, w) => sum + rssBytes(w.pid), 0),
    );
    await Bun.sleep(2_000);
  }
  const workerCpu = workers.reduce((sum, w, i) => sum + cpuSeconds(w.pid) - (cpuBefore[i] ?? 0), 0);
  const promAfter = await prometheusSelf(prometheus.url);
  await Bun.sleep(INTERVAL_MS); // let the last measured slot's writes land before reading them
  const slots = await storedCycles({ databaseUrl, fromMs, toMs });
  const complete = slots.length === cycles && slots.every((slot) => slot.clusters === n && slot.lateMs < INTERVAL_MS);
  const wallSec = (toMs - fromMs) / 1000;
  const queries = (promAfter.queries - promBefore.queries) / (n * cycles);
  console.log(
    [
      `N=${n} workers=${workerCount}: ${complete ? 'every cycle inside the interval' : 'MISSED'}`,
      `slots ${slots.map((s) => `${s.clusters}/${n} p50 ${(s.p50Ms / 1000).toFixed(1)}s max ${(s.lateMs / 1000).toFixed(1)}s`).join('; ')}`,
      `worker CPU ${((100 * workerCpu) / wallSec).toFixed(0)}% (${((1000 * workerCpu) / (n * cycles)).toFixed(1)} ms per observer cycle), peak RSS ${mb(peakRss)} MB (${(peakRss / n / 1024).toFixed(0)} KiB per observer)`,
      `Prometheus CPU ${((100 * (promAfter.cpuSec - promBefore.cpuSec)) / wallSec).toFixed(0)}%, RSS ${mb(promAfter.rssBytes)} MB, ${queries.toFixed(1)} queries per cluster per cycle`,
    ].join('\n  '),
  );
  return { n, ok: complete };
}

/** The same N cycles run in-process twice: planned requests against the per-signal queries; Prometheus's cost. */
async function planAgainstPerSignal(server: LocalPrometheus, n: number): Promise<void> {
  const client = createPrometheusClient({ baseUrl: server.url, timeoutMs: 30_000 });
  const atMs = Date.now() - 30_000;
  const names = clusters.slice(0, n);
  const run = async (mode: 'planned' | 'per_signal') => {
    const before = await prometheusSelf(server.url);
    const started = performance.now();
    await mapWithConcurrency({
      items: names,
      concurrency: 16,
      task: async (name) => {
        const cluster = clusterConfig(name, server.url);
        if (mode === 'planned')
          return void (await observeCluster({ cluster, atMs, prometheus: client, counters: 'bare' }));
        const matchers = [{ name: 'cluster', op: '=' as const, value: name }];
        const queries = buildSignalQueries({ style: 'tally', counters: 'bare', matchers });
        const distinct = [...new Set(queries.flatMap((q) => Object.values(q.inputs)))];
        await mapWithConcurrency({
          items: distinct,
          concurrency: 8,
          task: (query) => client.query({ query, timeMs: atMs }),
        });
      },
    });
    const after = await prometheusSelf(server.url);
    return {
      wallMs: performance.now() - started,
      cpuSec: after.cpuSec - before.cpuSec,
      queries: after.queries - before.queries,
    };
  };
  await run('planned'); // warm Prometheus's caches once for both
  const perSignal = await run('per_signal');
  const planned = await run('planned');
  console.log(
    [
      `plan vs per-signal queries, ${n} clusters in one pass (workers stopped):`,
      `per-signal ${(perSignal.queries / n).toFixed(0)} queries/cluster, ${perSignal.cpuSec.toFixed(2)} s Prometheus CPU, ${perSignal.wallMs.toFixed(0)} ms`,
      `planned    ${(planned.queries / n).toFixed(0)} queries/cluster, ${planned.cpuSec.toFixed(2)} s Prometheus CPU, ${planned.wallMs.toFixed(0)} ms`,
      `ratio planned/per-signal: CPU ${(planned.cpuSec / perSignal.cpuSec).toFixed(2)}, wall ${(planned.wallMs / perSignal.wallMs).toFixed(2)}`,
    ].join('\n  '),
  );
}

try {
  let largest = 0;
  for (const n of levels) {
    const result = await measureLevel(n, 1);
    if (!result.ok) break;
    largest = n;
  }
  console.log(`largest N with every cycle inside ${INTERVAL_MS / 1000} s on one worker: ${largest}`);
  await Promise.all(workers.map((worker) => worker.stop()));
  workers = [];
  await planAgainstPerSignal(prometheus, maxN);
  if (!process.argv.includes('--skip-two-workers') && largest > 0) {
    const fromMs = nextSlot(Date.now() + INTERVAL_MS);
    await measureLevel(largest, 2);
    const shared = await fetchesByWorker({ address: devServer.address, clusters: clusters.slice(0, largest), fromMs });
    console.log(
      `two workers: ${shared.fetches} fetches since the restart, ${shared.duplicates} slots fetched twice, by worker ${JSON.stringify(shared.byIdentity)}`,
    );
  }
} finally {
  await Promise.all(workers.map((worker) => worker.stop()));
  exporters.stop();
}
