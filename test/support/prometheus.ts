import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricStyle } from '../../src/models/index.ts';
import type { ScenarioSpec } from '../fixtures/generate.ts';
import { generateOpenMetrics } from '../fixtures/generate.ts';

/** A real Prometheus serving backfilled fixture blocks. Dispose it (`await using`) to stop it and delete its data. */
export interface LocalPrometheus extends AsyncDisposable {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
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
 * Write the scenarios as OpenMetrics, backfill them with `promtool tsdb create-blocks-from openmetrics`, and start
 * `prometheus` on a free 127.0.0.1 port over those blocks with an empty scrape config. Resolves once `/-/ready`
 * answers 200. Retention is generous because block ages are measured against the newest block, and fixtures live
 * in the past.
 */
export async function startPrometheusWithFixtures(input: {
  scenarios: readonly ScenarioSpec[];
  style: MetricStyle;
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
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  const proc = Bun.spawn(
    [
      'prometheus',
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
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
    rmSync(dir, { recursive: true, force: true });
  };
  // Wait for readiness by polling the condition, bounded by the process exiting.
  for (;;) {
    if (proc.exitCode !== null) {
      const stderr = await new Response(proc.stderr).text();
      await stop();
      throw new Error(`prometheus exited ${proc.exitCode}: ${stderr.slice(-2000)}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    await Bun.sleep(50);
  }
  return { url, stop, [Symbol.asyncDispose]: stop };
}
