import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Api, createApi, serveApi } from '../api/index.ts';
import type { Config } from '../config.ts';
import { migrate, openStore, type Store } from '../db/index.ts';
import type { DevServer } from '../demo/dev-server.ts';
import { startDevServer } from '../demo/dev-server.ts';
import type { LoadProcess } from '../demo/load/processes.ts';
import { freePort } from '../demo/local-prometheus.ts';
import type { MonitoredCluster } from '../demo/monitored-cluster.ts';
import { startMonitoredCluster } from '../demo/monitored-cluster.ts';
import type { HealthState, StoreConfig } from '../models/index.ts';
import type { CliIo } from './command.ts';
import { type DemoTimings, type LiveDemoOptions, startCopilotWorker, watchStatus } from './demo-live-parts.ts';

/**
 * `copilot demo`: the whole product running on this machine with no cloud account. The copilot's own Temporal dev
 * server, the Node worker, the embedded store and the API with its status page observe a second, really running
 * Temporal cluster (its own dev server, a Prometheus scraping it, SDK workers and callers). After a healthy spell the
 * demo kills the cluster's workers (a real outage), waits until the copilot says so, brings them back and waits for
 * Happy again, printing every state change with the time it took. Ctrl-C stops everything, in reverse order.
 */

export const LIVE_CLUSTER = 'live-demo';

interface Running {
  dataDir: string | null;
  store: Store | null;
  copilotTemporal: DevServer | null;
  cluster: MonitoredCluster | null;
  worker: LoadProcess | null;
  api: Api | null;
  server: ReturnType<typeof serveApi> | null;
}

async function stopAll(running: Running, say: (line: string) => void): Promise<void> {
  say('stopping: worker, API, monitored cluster, Temporal, store');
  // The worker drains on SIGTERM; one that does not within 20 s is killed, so Ctrl-C always ends the demo.
  if (running.worker) {
    const killer = setTimeout(() => void running.worker?.kill(), 20_000);
    await running.worker.stop();
    clearTimeout(killer);
  }
  running.api?.stop();
  await running.server?.stop();
  await running.cluster?.close();
  await running.copilotTemporal?.stop();
  await running.store?.close();
  if (running.dataDir) rmSync(running.dataDir, { recursive: true, force: true });
}

/** A fresh embedded store per run unless one is configured, so an old run's cycles never show as this one's. */
async function demoStore(config: Readonly<Config>): Promise<{ store: StoreConfig; dataDir: string | null }> {
  if (config.store.kind !== 'embedded') return { store: config.store, dataDir: null };
  const dataDir = mkdtempSync(join(tmpdir(), 'copilot-demo-store-'));
  return { store: { kind: 'embedded', dataDir, port: await freePort() }, dataDir };
}

export async function runLiveDemo(input: {
  config: Readonly<Config>;
  options: LiveDemoOptions;
  io: CliIo;
  /** Resolves when the user asks to stop (Ctrl-C). */
  stopRequested: Promise<void>;
}): Promise<DemoTimings> {
  const { config, options, io } = input;
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
  const say = (line: string) => io.out(`[demo ${elapsed()}] ${line}\n`);
  let stopping = false;
  const stopped = input.stopRequested.then(() => {
    stopping = true;
  });
  /** Wait `ms`, or less when Ctrl-C comes first; true when the demo should go on. */
  const pause = async (ms: number) => {
    await Promise.race([Bun.sleep(ms), stopped]);
    return !stopping;
  };
  const running: Running = {
    dataDir: null,
    store: null,
    copilotTemporal: null,
    cluster: null,
    worker: null,
    api: null,
    server: null,
  };
  const timings: DemoTimings = { firstAssessmentSec: null, changes: [] };
  try {
    const { store: storeConfig, dataDir } = await demoStore(config);
    running.dataDir = dataDir;
    running.store = await openStore(storeConfig);
    await migrate(running.store.sql);
    say(`store: ${running.store.target}`);

    say("starting the copilot's own Temporal dev server");
    const ports = { port: await freePort(), httpPort: await freePort(), uiPort: await freePort() };
    running.copilotTemporal = await startDevServer({
      cli: options.temporalCli,
      ...ports,
      metricsPort: await freePort(),
    });
    running.cluster = await startMonitoredCluster({ log: say });
    const prometheusUrl = running.cluster.prometheus.url;

    say(`starting the copilot worker on Node, observing "${LIVE_CLUSTER}" every ${options.intervalSec} s`);
    const workerMetricsPort = await freePort();
    running.worker = await startCopilotWorker({
      metricsPort: workerMetricsPort,
      store: storeConfig,
      temporalAddress: running.copilotTemporal.address,
      cluster: { name: LIVE_CLUSTER, prometheus_url: prometheusUrl },
      intervalSec: options.intervalSec,
      llmEnv: options.llmEnv,
    });

    const api = createApi({
      sql: running.store.sql,
      configuredClusters: [LIVE_CLUSTER],
      staleAfterMs: 4 * options.intervalSec * 1000,
      pollIntervalMs: 1_000,
      bearerToken: null,
      corsOrigins: [],
      log: (message, error) => say(`api: ${message}: ${error instanceof Error ? error.message : String(error)}`),
    });
    running.api = api;
    await api.refresh();
    running.server = serveApi({ api, host: config.api.host, port: options.apiPort });
    api.start();
    const base = `http://${config.api.host}:${running.server.port}`;
    say(`status page: ${base}/   API: ${base}/status?cluster=${LIVE_CLUSTER}`);
    say(`the worker's own metrics: http://127.0.0.1:${workerMetricsPort}/metrics`);

    const watch = watchStatus({ api, cluster: LIVE_CLUSTER, t0, say, timings, worker: running.worker });
    const waitFor = async (want: (state: HealthState) => boolean, withinMs: number) => {
      const deadline = Date.now() + withinMs;
      while (!stopping && Date.now() < deadline) {
        if (watch.state() !== null && want(watch.state() ?? 'unknown')) return true;
        if (!(await pause(1_000))) return false;
      }
      return !stopping && watch.state() !== null && want(watch.state() ?? 'unknown');
    };

    say(`healthy load for ${options.healthySec} s`);
    if (!(await waitFor((s) => s === 'happy', 5 * 60_000))) say('the copilot has not said Happy yet; going on');
    if (!(await pause(options.healthySec * 1000))) return timings;

    say("OUTAGE: killing the cluster's SDK workers (callers keep starting workflows)");
    await running.cluster.killWorkers();
    const outageAt = Date.now();
    await waitFor((s) => s !== 'happy', options.outageSec * 1000);
    // Keep the outage until Critical (nothing progresses) or its time is up, then recover.
    await waitFor((s) => s === 'critical', Math.max(0, outageAt + options.outageSec * 1000 - Date.now()));
    if (stopping) return timings;

    say("RECOVERY: starting the cluster's SDK workers again");
    await running.cluster.startWorkers();
    if (!(await waitFor((s) => s === 'happy', 6 * 60_000))) say('not Happy within 6 minutes of the recovery');
    if (options.once) {
      // A reader polling the page or /metrics (a Grafana scrape, the end-to-end test) sees the final state too.
      say(`holding the final state for one cycle (${options.intervalSec} s)`);
      await pause(options.intervalSec * 1000);
    }
    watch.stop();
    say(
      `done: first assessment after ${timings.firstAssessmentSec ?? 'n/a'} s; changes: ${timings.changes
        .map((c) => `${c.state}@${c.atSec}s`)
        .join(', ')}`,
    );
    if (!options.once) {
      say('the page stays up; Ctrl-C to stop');
      await stopped;
    }
    return timings;
  } finally {
    await stopAll(running, say);
  }
}
