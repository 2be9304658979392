import { runBacktest, type TimelineEntry } from '../../src/cli/backtest.ts';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import { MONITORED_QUEUE, startMonitoredCluster } from '../../src/demo/monitored-cluster.ts';
import { reportPhases } from './judge.ts';

/**
 * How long the copilot takes to see a worker outage, and to see it end, over many real outages: a real dev server,
 * two real SDK workers SIGKILLed together `kills` times (callers keep starting workflows; every 4th awaits), a real
 * Prometheus scraping every 5 s, then the rules over the recorded series at 5 s steps (`backtest`). One outage is not
 * a measurement: whether the queue's poll_timeouts series existed before the kill once moved detection by a minute.
 *
 *   bun test/real-cluster/outage-latency.ts [kills=4] [outageSec=150] [upSec=120]
 *
 * Prints one line per outage and the median and worst of each latency. A measurement, not a test: it asserts nothing.
 */

const STEP_MS = 5_000;
const STALLED = 'stressed.stalled_task_queue';

interface Outage {
  killMs: number;
  restartMs: number;
}

interface Latencies {
  notHappySec: number | null;
  stalledSec: number | null;
  criticalSec: number | null;
  happyAgainSec: number | null;
}

/** The judge's own phase report over the outage and the time after it, plus when the stalled queue was named. */
export function outageLatencies(timeline: readonly TimelineEntry[], outage: Outage, untilMs: number): Latencies {
  const verdicts = timeline.map((e) => ({ atMs: Date.parse(e.at), state: e.health_state, firing: e.firing }));
  const [down, up] = reportPhases(verdicts, [
    { name: 'worker_outage', startMs: outage.killMs, endMs: outage.restartMs },
    { name: 'recovery', startMs: outage.restartMs, endMs: untilMs },
  ]);
  const stalled = verdicts.find(
    (v) => v.atMs >= outage.killMs && v.atMs <= outage.restartMs && v.firing.includes(STALLED),
  );
  return {
    notHappySec: down?.firstNotHappySec ?? null,
    stalledSec: stalled ? Math.round((stalled.atMs - outage.killMs) / 1000) : null,
    criticalSec: down?.firstCriticalSec ?? null,
    happyAgainSec: up?.settledHappySec ?? null,
  };
}

function summary(values: readonly (number | null)[]): string {
  const seen = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const missed = values.length - seen.length;
  if (seen.length === 0) return `never (${missed} of ${values.length})`;
  const median = seen[Math.floor((seen.length - 1) / 2)];
  return `median ${median} s, worst ${seen.at(-1)} s${missed > 0 ? `, never in ${missed}` : ''}`;
}

async function main(): Promise<void> {
  const [kills, outageSec, upSec] = [Number(Bun.argv[2] ?? 4), Number(Bun.argv[3] ?? 150), Number(Bun.argv[4] ?? 120)];
  if (![kills, outageSec, upSec].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('usage: bun test/real-cluster/outage-latency.ts [kills] [outageSec] [upSec] (positive integers)');
  }
  const log = (line: string) => process.stderr.write(`[outage-latency ${new Date().toISOString()}] ${line}\n`);
  await using cluster = await startMonitoredCluster({ log });
  const startMs = Date.now();
  await Bun.sleep(upSec * 1000);
  const outages: Outage[] = [];
  for (let k = 0; k < kills; k += 1) {
    log(`outage ${k + 1} of ${kills}: SIGKILL the workers on "${MONITORED_QUEUE}"`);
    const killMs = Date.now();
    await cluster.killWorkers();
    await Bun.sleep(Math.max(0, killMs + outageSec * 1000 - Date.now()));
    const restartMs = Date.now();
    await cluster.startWorkers();
    outages.push({ killMs, restartMs });
    await Bun.sleep(Math.max(0, restartMs + upSec * 1000 - Date.now()));
  }
  const endMs = Date.now();
  const prometheusUrl = cluster.prometheus.url;
  const report = await runBacktest({
    prometheus: createPrometheusClient({ baseUrl: prometheusUrl }),
    cluster: { name: 'outage-latency', prometheus_url: prometheusUrl },
    startMs,
    endMs,
    stepMs: STEP_MS,
  });
  const rows = outages.map((outage, i) => outageLatencies(report.timeline, outage, outages[i + 1]?.killMs ?? endMs));
  rows.forEach((row, i) => {
    process.stdout.write(`outage ${i + 1}: ${JSON.stringify(row)}\n`);
  });
  const column = (key: keyof Latencies) => summary(rows.map((row) => row[key]));
  process.stdout.write(
    `not Happy: ${column('notHappySec')}; ${STALLED}: ${column('stalledSec')}; Critical: ${column('criticalSec')}; ` +
      `Happy again after the restart: ${column('happyAgainSec')}\n`,
  );
}

if (import.meta.main) await main();
