import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CounterNaming, MetricStyle } from '../models/index.ts';
import type { ScenarioSpec } from './scenario-metrics.ts';
import { generateOpenMetrics } from './scenario-metrics.ts';

const READY_DEADLINE_MS = 120_000;

/** A real Prometheus. Dispose it (`await using`) to stop it and delete its data. */
export interface LocalPrometheus extends AsyncDisposable {
  url: string;
  stop(): Promise<void>;
}

/** A free 127.0.0.1 TCP port (bound, read and released; the caller binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function run(cmd: string[]): Promise<void> {
  const proc = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe' });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`${cmd[0]} exited ${code}: ${stderr.slice(-2000)}`);
}

/**
 * Start `prometheus` on a free 127.0.0.1 port with `configYaml` over `dataDir` (inside `dir`, deleted on stop).
 * Resolves once `/-/ready` answers 200. Retention is generous because backfilled block ages are measured against
 * the newest block, and fixtures live in the past.
 */
async function launchPrometheus(input: { dir: string; dataDir: string; configYaml: string }): Promise<LocalPrometheus> {
  const config = join(input.dir, 'prometheus.yml');
  writeFileSync(config, input.configYaml);
  const port = await freePort();
  const proc = Bun.spawn(
    [
      'prometheus',
      `--config.file=${config}`,
      `--storage.tsdb.path=${input.dataDir}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdout: 'ignore', stderr: 'pipe' },
  );
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    proc.kill();
    await proc.exited;
    rmSync(input.dir, { recursive: true, force: true });
  };
  // Wait for readiness by polling the condition, bounded by the process exiting and by a generous deadline (a
  // Prometheus that neither starts nor dies must not hang the demo or a test run).
  const deadline = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    if (proc.exitCode !== null) {
      const stderr = await new Response(proc.stderr).text();
      await stop();
      throw new Error(`prometheus exited ${proc.exitCode}: ${stderr.slice(-2000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready within ${READY_DEADLINE_MS / 1000} s at ${url}`);
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    await Bun.sleep(50);
  }
  return { url, stop, [Symbol.asyncDispose]: stop };
}

/**
 * Write the scenarios as OpenMetrics (counters `<name>_total` unless `counters` is `bare`), backfill them with
 * `promtool tsdb create-blocks-from openmetrics`, and serve those blocks with an empty scrape config.
 */
export async function startPrometheusWithFixtures(input: {
  scenarios: readonly ScenarioSpec[];
  style: MetricStyle;
  counters?: CounterNaming;
  startMs: number;
  scrapeSec?: number;
}): Promise<LocalPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'copilot-prom-'));
  const dataDir = join(dir, 'data');
  const metricsFile = join(dir, 'fixtures.om');
  const sink = Bun.file(metricsFile).writer();
  for (const chunk of generateOpenMetrics(input)) sink.write(chunk);
  await sink.end();
  await run(['promtool', 'tsdb', 'create-blocks-from', 'openmetrics', metricsFile, dataDir]);
  rmSync(metricsFile);
  return launchPrometheus({
    dir,
    dataDir,
    configYaml: 'global:\n  scrape_interval: 15s\nscrape_configs: []\n',
  });
}

/**
 * Backfill an OpenMetrics document (e.g. a recorded real run) with `promtool tsdb create-blocks-from openmetrics`
 * and serve it with an empty scrape config.
 */
export async function startPrometheusFromOpenMetrics(input: { openMetrics: string }): Promise<LocalPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'copilot-prom-'));
  const dataDir = join(dir, 'data');
  const metricsFile = join(dir, 'recorded.om');
  writeFileSync(metricsFile, input.openMetrics);
  await run(['promtool', 'tsdb', 'create-blocks-from', 'openmetrics', metricsFile, dataDir]);
  rmSync(metricsFile);
  return launchPrometheus({ dir, dataDir, configYaml: 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' });
}

/** One scrape job: its name (the `job` label) and its `host:port` targets, path `/metrics`. */
export interface ScrapeJob {
  job: string;
  targets: readonly string[];
}

/**
 * Start a Prometheus that scrapes `targets` as job `job` (or every job of `jobs`) every `scrapeIntervalSec`
 * seconds, with Prometheus's default content negotiation (it offers OpenMetrics first, text 0.0.4 as fallback).
 */
export async function startPrometheusScraping(input: {
  targets?: readonly string[];
  job?: string;
  jobs?: readonly ScrapeJob[];
  scrapeIntervalSec?: number;
}): Promise<LocalPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'copilot-prom-scrape-'));
  const interval = `${input.scrapeIntervalSec ?? 1}s`;
  const jobs = input.jobs ?? [{ job: input.job ?? 'temporal', targets: input.targets ?? [] }];
  const configYaml = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    ...jobs.flatMap((job) => [
      `  - job_name: ${JSON.stringify(job.job)}`,
      '    static_configs:',
      `      - targets: ${JSON.stringify(job.targets)}`,
    ]),
    '',
  ].join('\n');
  return launchPrometheus({ dir, dataDir: join(dir, 'data'), configYaml });
}
