import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevServer } from '../../src/demo/dev-server.ts';
import { startDevServer } from '../../src/demo/dev-server.ts';
import type { LoadProcess } from '../../src/demo/load/processes.ts';
import { startLoadClient, startLoadWorker } from '../../src/demo/load/processes.ts';
import type { LocalPrometheus } from '../../src/demo/local-prometheus.ts';
import { freePort, startPrometheusScraping } from '../../src/demo/local-prometheus.ts';

/**
 * One scripted run of a real monitored cluster: a Temporal dev server with its metrics, a real Prometheus scraping
 * it and the load's SDK workers every 5 s, real SDK workers and clients (some waiting on results), and real faults
 * injected in phases. Each phase's wall-clock span is recorded so the tests can assert what the copilot said then.
 */

export type PhaseName = 'healthy' | 'worker_outage' | 'recovery' | 'server_restart' | 'unpolled_queue' | 'idle';

export interface Phase {
  name: PhaseName;
  startMs: number;
  endMs: number;
}

export interface PhaseDurations {
  healthy: number;
  worker_outage: number;
  recovery: number;
  server_restart: number;
  unpolled_queue: number;
  idle: number;
}

/** About 13 minutes in all; each phase is long enough for the judgement's windows (see judge.ts). */
export const DEFAULT_PHASE_SEC: PhaseDurations = {
  healthy: 150,
  worker_outage: 140,
  recovery: 120,
  server_restart: 120,
  unpolled_queue: 120,
  idle: 150,
};

export const SCRAPE_INTERVAL_SEC = 5;
export const APP_QUEUE = 'orders';
export const UNPOLLED_QUEUE = 'reports';
export const LOAD_RATE_PER_SEC = 4;

export interface ClusterRun extends AsyncDisposable {
  server: DevServer;
  prometheus: LocalPrometheus;
  phases: Phase[];
  /** Run every phase in order; `onPhase` hears each start (the observer test starts watching there). */
  run(input?: { onPhase?: (name: PhaseName) => void }): Promise<Phase[]>;
  close(): Promise<void>;
}

function log(message: string): void {
  process.stderr.write(`[cluster-run ${new Date().toISOString()}] ${message}\n`);
}

export async function startClusterRun(input: { durationsSec?: Partial<PhaseDurations> } = {}): Promise<ClusterRun> {
  const durations = { ...DEFAULT_PHASE_SEC, ...input.durationsSec };
  const dir = mkdtempSync(join(tmpdir(), 'copilot-real-cluster-'));
  const [port, httpPort, uiPort, metricsPort, sdkMetricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const server = await startDevServer({ port, httpPort, uiPort, metricsPort, dbFile: join(dir, 'temporal.db') });
  const prometheus = await startPrometheusScraping({
    jobs: [
      { job: 'temporal', targets: [server.metricsTarget] },
      { job: 'load-worker', targets: [`127.0.0.1:${sdkMetricsPort}`] },
    ],
    scrapeIntervalSec: SCRAPE_INTERVAL_SEC,
  });
  const running: LoadProcess[] = [];
  const phases: Phase[] = [];
  const worker = () =>
    startLoadWorker({ address: server.address, taskQueue: APP_QUEUE, metricsPort: sdkMetricsPort }).then((p) => {
      running.push(p);
      return p;
    });
  const client = (taskQueue: string, ratePerSec: number) =>
    startLoadClient({ address: server.address, taskQueue, ratePerSec, awaitEvery: 4 }).then((p) => {
      running.push(p);
      return p;
    });

  const close = async () => {
    for (const process of running) await process.kill();
    await prometheus.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  const run = async (options: { onPhase?: (name: PhaseName) => void } = {}) => {
    const phase = async (name: PhaseName, body: () => Promise<void>) => {
      const startMs = Date.now();
      log(`phase ${name} (${durations[name]} s)`);
      options.onPhase?.(name);
      await body();
      await Bun.sleep(Math.max(0, startMs + durations[name] * 1000 - Date.now()));
      phases.push({ name, startMs, endMs: Date.now() });
    };
    let loadWorker = await worker();
    const loadClient = await client(APP_QUEUE, LOAD_RATE_PER_SEC);
    // One host of two dies while the other serves: the queue stays polled (still Happy), and its cancelled polls
    // create the queue's poll_timeouts series, as a long-lived cluster has it before any outage (on a fresh
    // series the outage's own burst of cancelled polls was invisible to increase(), which hid a slow rule).
    await phase('healthy', async () => {
      const spare = await startLoadWorker({ address: server.address, taskQueue: APP_QUEUE });
      running.push(spare);
      await Bun.sleep(45_000);
      await spare.kill();
    });
    await phase('worker_outage', async () => {
      await loadWorker.kill();
    });
    await phase('recovery', async () => {
      loadWorker = await worker();
    });
    await phase('server_restart', async () => {
      await server.stop();
      await Bun.sleep(15_000);
      await server.start();
    });
    const unpolled: { client: LoadProcess | null } = { client: null };
    await phase('unpolled_queue', async () => {
      unpolled.client = await client(UNPOLLED_QUEUE, 1);
    });
    // Callers stop; the queue nobody polled gets its worker and drains, so what remains is a truly quiet cluster.
    await phase('idle', async () => {
      await Promise.all([loadClient.stop(), unpolled.client?.stop()]);
      running.push(await startLoadWorker({ address: server.address, taskQueue: UNPOLLED_QUEUE }));
    });
    return phases;
  };
  return { server, prometheus, phases, run, close, [Symbol.asyncDispose]: close };
}

if (import.meta.main) {
  const scale = Number(Bun.argv[2] ?? '1');
  const durationsSec = Object.fromEntries(
    Object.entries(DEFAULT_PHASE_SEC).map(([name, sec]) => [name, Math.round(sec * scale)]),
  );
  const clusterRun = await startClusterRun({ durationsSec });
  log(`prometheus ${clusterRun.prometheus.url}`);
  const phases = await clusterRun.run();
  process.stdout.write(`PHASES ${JSON.stringify({ prometheus: clusterRun.prometheus.url, phases })}\n`);
  log('done; prometheus stays up until killed');
  await new Promise(() => undefined);
}
