import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DevServer } from './dev-server.ts';
import { startDevServer } from './dev-server.ts';
import type { LoadProcess } from './load/processes.ts';
import { startLoadClient, startLoadWorker } from './load/processes.ts';
import type { LocalPrometheus } from './local-prometheus.ts';
import { freePort, startPrometheusScraping } from './local-prometheus.ts';

/**
 * The live demo's monitored cluster, really running: a Temporal dev server exporting its own metrics, a local
 * Prometheus scraping it and the load's SDK workers every 5 s, SDK workers on the application queue, and a client
 * starting workflows and waiting on every 4th result, as real callers do. The demo (and the end-to-end test) stop
 * and restart the workers to make a real outage.
 */

export const MONITORED_QUEUE = 'orders';
export const MONITORED_SCRAPE_SEC = 5;

export interface MonitoredCluster extends AsyncDisposable {
  server: DevServer;
  prometheus: LocalPrometheus;
  /** SIGKILL every load worker: an outage, as when the workers' hosts die. */
  killWorkers(): Promise<void>;
  /** Start the load's workers again (resolves once they poll). */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function startMonitoredCluster(
  input: {
    /** Workflow starts per second offered by the client. @default 4 */
    ratePerSec?: number;
    /** SDK workers on the application queue. @default 2 */
    workers?: number;
    /** Where progress lines go. */
    log?: (line: string) => void;
  } = {},
): Promise<MonitoredCluster> {
  const log = input.log ?? (() => undefined);
  const workerCount = input.workers ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'copilot-monitored-'));
  const ports = { port: await freePort(), httpPort: await freePort(), uiPort: await freePort(), metricsPort: 0 };
  ports.metricsPort = await freePort();
  const sdkMetricsPorts: number[] = [];
  for (let i = 0; i < workerCount; i += 1) sdkMetricsPorts.push(await freePort());

  log('starting the monitored cluster: a Temporal dev server with its metrics');
  const server = await startDevServer({ ...ports, dbFile: join(dir, 'temporal.db') });
  let prometheus: LocalPrometheus | null = null;
  const workers: LoadProcess[] = [];
  let client: LoadProcess | null = null;
  const close = async () => {
    await client?.stop();
    for (const worker of workers.splice(0)) await worker.kill();
    await prometheus?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    log(`starting Prometheus scraping it (and the SDK workers) every ${MONITORED_SCRAPE_SEC} s`);
    prometheus = await startPrometheusScraping({
      jobs: [
        { job: 'temporal', targets: [server.metricsTarget] },
        { job: 'load-worker', targets: sdkMetricsPorts.map((port) => `127.0.0.1:${port}`) },
      ],
      scrapeIntervalSec: MONITORED_SCRAPE_SEC,
    });
    const startWorkers = async () => {
      const started = await Promise.all(
        sdkMetricsPorts.map((metricsPort) =>
          startLoadWorker({ address: server.address, taskQueue: MONITORED_QUEUE, metricsPort }),
        ),
      );
      workers.push(...started);
    };
    log(`starting ${workerCount} SDK workers on task queue "${MONITORED_QUEUE}"`);
    await startWorkers();
    const ratePerSec = input.ratePerSec ?? 4;
    log(`starting the load: ${ratePerSec} workflows/s, every 4th caller waiting on its result`);
    client = await startLoadClient({ address: server.address, taskQueue: MONITORED_QUEUE, ratePerSec, awaitEvery: 4 });
    const started = prometheus;
    return {
      server,
      prometheus: started,
      async killWorkers() {
        for (const worker of workers.splice(0)) await worker.kill();
      },
      startWorkers,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
