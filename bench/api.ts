// The API under load on loopback, as a ratio to a bare Bun.serve handler measured in the same run: GET /status (full
// body, and the If-None-Match revalidation Grafana makes), /status/timeline over 24 h at 30 s (2,880 seeded cycles),
// and the API process's RSS under load. Load: wrk when installed (Debian `wrk`), else a Bun closed-loop generator.
// Needs the test Postgres (.ci/start-postgres). Run: bun bench/api.ts [--seconds 5] [--connections 16]
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeAssessment, writeCycle } from '../src/db/index.ts';
import { BACKLOG_RULE, firingCycle } from '../test/api/helpers.ts';
import { openPostgres } from '../test/db/backends.ts';
import { assessment, issue } from '../test/db/fixtures.ts';

const { values: flags } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } },
});
const SECONDS = Number(flags.seconds);
const CONNECTIONS = Number(flags.connections);
const ROUNDS = 3;
const CYCLES = 2_880;
const STEP_MS = 30_000;
const CLUSTER = 'bench';
const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((path) => existsSync(path)) ?? null;

interface Load {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 2xx/3xx, or failed requests. */
  bad: number;
}

function wrkMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`wrk latency not understood: ${text}`);
  const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
  return Number(match[1]) * (scale[match[2] ?? 'ms'] ?? Number.NaN);
}

async function runWrk(wrk: string, url: string, headers: Record<string, string>): Promise<Load> {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const proc = Bun.spawn([wrk, '-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', ...headerArgs, url], {
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  const field = (pattern: RegExp) => pattern.exec(out)?.[1] ?? null;
  const rps = Number(field(/Requests\/sec:\s+([\d.]+)/));
  const p50 = field(/^\s+50%\s+(\S+)$/m);
  const p99 = field(/^\s+99%\s+(\S+)$/m);
  if (!rps || !p50 || !p99) throw new Error(`wrk output not understood:\n${out}`);
  const bad = Number(field(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { rps, p50Ms: wrkMs(p50), p99Ms: wrkMs(p99), bad: bad + socketErrors };
}

/** N connections, each sending its next request when the last one answered, for a bounded time. */
async function runClosedLoop(url: string, headers: Record<string, string>): Promise<Load> {
  const latencies: number[] = [];
  let bad = 0;
  const endAt = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < endAt) {
      const start = performance.now();
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      latencies.push(performance.now() - start);
      if (res.status >= 400) bad += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsedSec = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / elapsedSec, p50Ms: at(0.5), p99Ms: at(0.99), bad };
}

const load = (url: string, headers: Record<string, string> = {}) =>
  WRK ? runWrk(WRK, url, headers) : runClosedLoop(url, headers);

interface Server {
  pid: number;
  base: string;
  stop(): Promise<void>;
}

async function startServer(args: string[]): Promise<Server> {
  const proc = Bun.spawn(['bun', 'bench/api-server.ts', ...args], { stdout: 'pipe', stderr: 'inherit' });
  const reader = proc.stdout.getReader();
  let text = '';
  while (!text.includes('\n')) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`bench server ${args[0]} exited before listening`);
    text += new TextDecoder().decode(chunk.value);
  }
  const { port } = JSON.parse(text) as { port: number };
  return {
    pid: proc.pid,
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

/** Resident set size and its peak, from /proc (Linux). */
function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
function medianLoad(runs: Load[]): Load {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    bad: runs.reduce((sum, r) => sum + r.bad, 0),
  };
}

// --- seed: 24 h of cycles at 30 s ending now, so the status is fresh and the timeline full.
const db = await openPostgres();
const seedStart = performance.now();
const nowMs = Math.floor(Date.now() / STEP_MS) * STEP_MS;
const stateAt = (i: number) => (i % 240 < 200 ? 'happy' : i % 240 < 230 ? 'stressed' : 'critical');
const WRITERS = 8;
await Promise.all(
  Array.from({ length: WRITERS }, async (_, w) => {
    for (let i = w; i < CYCLES; i += WRITERS) {
      const atMs = nowMs - (CYCLES - 1 - i) * STEP_MS;
      const state = i === CYCLES - 1 ? 'critical' : stateAt(i);
      await writeCycle(
        db.sql,
        firingCycle({ cluster: CLUSTER, atMs, state, firing: state === 'critical' ? [BACKLOG_RULE] : [] }),
      );
    }
  }),
);
await writeAssessment(
  db.sql,
  assessment({ cluster: CLUSTER, key: 'assess-bench-1', atMs: nowMs, issues: [issue({ ruleId: BACKLOG_RULE })] }),
);
console.log(`seeded ${CYCLES} cycles in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

const bare = await startServer(['bare']);
const api = await startServer(['api', db.url]);
try {
  const statusUrl = `${api.base}/status?cluster=${CLUSTER}`;
  const first = await fetch(statusUrl);
  const statusBytes = (await first.arrayBuffer()).byteLength;
  const etag = first.headers.get('etag') ?? '';
  if (first.status !== 200 || etag === '') throw new Error(`GET /status answered ${first.status}`);
  const span = `start=${new Date(nowMs - (CYCLES - 1) * STEP_MS).toISOString()}&end=${new Date(nowMs).toISOString()}`;
  const timelineUrl = `${api.base}/status/timeline?cluster=${CLUSTER}&${span}&step=30s&limit=500`;
  const idle = rssMiB(api.pid);

  // The whole 2,880 points: 500 per page (the API's page cap), following next_cursor; sequential, one client.
  const walks: number[] = [];
  let points = 0;
  for (let walk = 0; walk < 20; walk += 1) {
    const start = performance.now();
    let cursor: string | null = null;
    points = 0;
    do {
      const page: Response = await fetch(`${timelineUrl}${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await page.json()) as { timeline: unknown[]; next_cursor: string | null };
      points += body.timeline.length;
      cursor = body.next_cursor;
    } while (cursor);
    walks.push(performance.now() - start);
  }

  let peakUnderLoad = idle.rss;
  const sampler = setInterval(() => {
    peakUnderLoad = Math.max(peakUnderLoad, rssMiB(api.pid).rss);
  }, 100);
  const runs: Record<string, Load[]> = { bare: [], status: [], revalidate: [], timeline: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    // Interleaved, so a neighbour's burst on the shared cores lands on both sides of a ratio.
    runs['bare']?.push(await load(`${bare.base}/`));
    runs['status']?.push(await load(statusUrl));
    runs['revalidate']?.push(await load(statusUrl, { 'If-None-Match': etag }));
    runs['timeline']?.push(await load(timelineUrl));
  }
  clearInterval(sampler);
  const after = rssMiB(api.pid);

  const base = medianLoad(runs['bare'] ?? []);
  const row = (name: string, r: Load) =>
    `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms
      .toFixed(2)
      .padStart(
        6,
      )} ms  throughput ${(r.rps / base.rps).toFixed(2)}x bare  p99 ${(r.p99Ms / base.p99Ms).toFixed(1)}x bare${r.bad ? `  (${r.bad} bad)` : ''}`;
  console.log(
    `load: ${WRK ? `wrk (${WRK})` : 'Bun closed loop'}, ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds (medians)`,
  );
  console.log(row('bare Bun.serve', base));
  console.log(row(`GET /status (${statusBytes} B)`, medianLoad(runs['status'] ?? [])));
  console.log(row('GET /status, If-None-Match -> 304', medianLoad(runs['revalidate'] ?? [])));
  console.log(row('GET /status/timeline (500 of 2,880)', medianLoad(runs['timeline'] ?? [])));
  console.log(
    `whole 24 h timeline at 30 s: ${points} points in ${Math.ceil(points / 500)} pages, median ${median(walks).toFixed(1)} ms, max ${Math.max(...walks).toFixed(1)} ms (20 walks)`,
  );
  console.log(
    `API RSS: idle ${idle.rss.toFixed(0)} MiB, under load max ${peakUnderLoad.toFixed(0)} MiB, after ${after.rss.toFixed(0)} MiB, peak (VmHWM) ${after.peak.toFixed(0)} MiB`,
  );
  console.log('targets: /status throughput >= 0.80x bare, /status p99 < 5 ms');
} finally {
  await api.stop();
  await bare.stop();
  await db.close();
}
