// Load generation for bench/api.ts: wrk when installed (Debian `wrk`), else a Bun closed-loop generator; and the
// helpers that turn runs into medians. Kept apart so api.ts reads as the experiment, not the machinery.
import { existsSync } from 'node:fs';

export interface Load {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 2xx/3xx, or failed requests. */
  bad: number;
}

export interface LoadOptions {
  seconds: number;
  connections: number;
}

export const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((path) => existsSync(path)) ?? null;

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((path) => existsSync(path)) ?? null;

/**
 * The command prefix that pins a process to one CPU: the load generator to the first, the servers to the last, so
 * that on a small machine they do not take turns on the same core (the scheduler's migrations showed up as p99
 * spikes in the bare handler itself). Empty with one CPU or without taskset (util-linux).
 */
export function pinnedTo(role: 'generator' | 'server'): string[] {
  const cpus = navigator.hardwareConcurrency;
  if (!TASKSET || cpus < 2) return [];
  return [TASKSET, '-c', role === 'generator' ? '0' : String(cpus - 1)];
}

/** Whether load runs pinned (printed with the results, so a reader knows). */
export const PINNED = pinnedTo('server').length > 0;

const WRK_UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function wrkMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  const scale = WRK_UNIT_MS[match?.[2] ?? ''];
  if (!match || scale === undefined) throw new Error(`wrk latency not understood: ${text}`);
  return Number(match[1]) * scale;
}

async function runWrk(input: LoadOptions & { wrk: string; url: string; headers: Record<string, string> }) {
  const headerArgs = Object.entries(input.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = ['-t1', `-c${input.connections}`, `-d${input.seconds}s`, '--latency', ...headerArgs, input.url];
  const proc = Bun.spawn([...pinnedTo('generator'), input.wrk, ...args], { stdout: 'pipe', stderr: 'pipe' });
  const [out] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  const field = (pattern: RegExp) => pattern.exec(out)?.[1] ?? null;
  const rps = Number(field(/Requests\/sec:\s+([\d.]+)/));
  const p50 = field(/^\s+50%\s+(\S+)$/m);
  const p99 = field(/^\s+99%\s+(\S+)$/m);
  if (!rps || !p50 || !p99) throw new Error(`wrk output not understood:\n${out}`);
  const non2xx = Number(field(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { rps, p50Ms: wrkMs(p50), p99Ms: wrkMs(p99), bad: non2xx + socketErrors };
}

/** N connections, each sending its next request when the last one answered, for a bounded time. */
async function runClosedLoop(input: LoadOptions & { url: string; headers: Record<string, string> }): Promise<Load> {
  const latencies: number[] = [];
  let bad = 0;
  const endAt = performance.now() + input.seconds * 1000;
  const connection = async () => {
    while (performance.now() < endAt) {
      const start = performance.now();
      const res = await fetch(input.url, { headers: input.headers });
      await res.arrayBuffer();
      latencies.push(performance.now() - start);
      if (res.status >= 400) bad += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: input.connections }, connection));
  const elapsedSec = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / elapsedSec, p50Ms: at(0.5), p99Ms: at(0.99), bad };
}

/** One load run against `url`. */
export function load(options: LoadOptions, url: string, headers: Record<string, string> = {}): Promise<Load> {
  return WRK ? runWrk({ ...options, wrk: WRK, url, headers }) : runClosedLoop({ ...options, url, headers });
}

export const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export function medianLoad(runs: readonly Load[]): Load {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    bad: runs.reduce((sum, r) => sum + r.bad, 0),
  };
}

/** One report line: a run's numbers and its ratios to a baseline measured in the same run. */
export function loadRow(name: string, run: Load, base: Load): string {
  const num = (value: number, digits: number, width: number) => value.toFixed(digits).padStart(width);
  return [
    name.padEnd(38),
    `${num(run.rps, 0, 8)} req/s`,
    `p50 ${num(run.p50Ms, 2, 6)} ms`,
    `p99 ${num(run.p99Ms, 2, 6)} ms`,
    `throughput ${(run.rps / base.rps).toFixed(2)}x`,
    `p99 ${(run.p99Ms / base.p99Ms).toFixed(1)}x`,
    ...(run.bad ? [`(${run.bad} bad)`] : []),
  ].join('  ');
}
