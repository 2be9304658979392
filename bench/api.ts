// The API under load on loopback, as ratios to bare Bun.serve handlers measured in the same run: GET /status (full
// body, and the If-None-Match revalidation Grafana makes), /status/timeline over 24 h at 30 s (2,880 seeded cycles),
// and the API process's RSS under load. Two baselines: a bare handler answering a tiny JSON body (the issue's
// target), and one answering the API's own /status bytes (what is left is the API's overhead, not the body's size).
// Needs the test Postgres (.ci/start-postgres). Run: bun bench/api.ts [--seconds 5] [--connections 16]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type } from 'arktype';
import { writeAssessment, writeCycle } from '../src/db/index.ts';
import { BACKLOG_RULE, firingCycle } from '../test/api/helpers.ts';
import { openPostgres } from '../test/db/backends.ts';
import { assessment, issue } from '../test/db/fixtures.ts';
import { type Load, load, loadRow, median, medianLoad, WRK } from './load.ts';

const { values: flags } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } },
});
const LOAD = { seconds: Number(flags.seconds), connections: Number(flags.connections) };
const ROUNDS = 3;
const CYCLES = 2_880;
const STEP_MS = 30_000;
const PAGE_LIMIT = 500;
const CLUSTER = 'bench';

const Listening = type({ port: 'number.integer' });
const TimelinePage = type({ timeline: 'unknown[]', next_cursor: 'string | null' });

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
  const { port } = Listening.assert(JSON.parse(text));
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

/** 24 h of cycles at 30 s ending now, so the status is fresh and the timeline full; the newest one Critical. */
async function seed(sql: Parameters<typeof writeCycle>[0]): Promise<number> {
  const nowMs = Math.floor(Date.now() / STEP_MS) * STEP_MS;
  const stateAt = (i: number) => (i % 240 < 200 ? 'happy' : i % 240 < 230 ? 'stressed' : 'critical');
  const WRITERS = 8;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = w; i < CYCLES; i += WRITERS) {
        const atMs = nowMs - (CYCLES - 1 - i) * STEP_MS;
        const state = i === CYCLES - 1 ? 'critical' : stateAt(i);
        const firing = state === 'critical' ? [BACKLOG_RULE] : [];
        await writeCycle(sql, firingCycle({ cluster: CLUSTER, atMs, state, firing }));
      }
    }),
  );
  const key = 'assess-bench-1';
  await writeAssessment(
    sql,
    assessment({ cluster: CLUSTER, key, atMs: nowMs, issues: [issue({ ruleId: BACKLOG_RULE })] }),
  );
  return nowMs;
}

/** The whole range, page by page along next_cursor, sequentially from one client: ms per walk and points seen. */
async function walkTimeline(url: string): Promise<{ ms: number; points: number; pages: number }> {
  const start = performance.now();
  let cursor: string | null = null;
  let points = 0;
  let pages = 0;
  do {
    const page = TimelinePage.assert(await (await fetch(`${url}${cursor ? `&cursor=${cursor}` : ''}`)).json());
    points += page.timeline.length;
    pages += 1;
    cursor = page.next_cursor;
  } while (cursor);
  return { ms: performance.now() - start, points, pages };
}

const db = await openPostgres();
const seedStart = performance.now();
const nowMs = await seed(db.sql);
console.log(`seeded ${CYCLES} cycles in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
const servers: Server[] = [];
try {
  const api = await startServer(['api', db.url]);
  servers.push(api);
  const statusUrl = `${api.base}/status?cluster=${CLUSTER}`;
  const first = await fetch(statusUrl);
  const statusBody = new Uint8Array(await first.arrayBuffer());
  const etag = first.headers.get('etag') ?? '';
  if (first.status !== 200 || etag === '') throw new Error(`GET /status answered ${first.status}`);
  writeFileSync(join(dir, 'status.json'), statusBody);
  const bare = await startServer(['bare']);
  servers.push(bare);
  const bareBody = await startServer(['bare', join(dir, 'status.json')]);
  servers.push(bareBody);

  const span = `start=${new Date(nowMs - (CYCLES - 1) * STEP_MS).toISOString()}&end=${new Date(nowMs).toISOString()}`;
  const timelineUrl = `${api.base}/status/timeline?cluster=${CLUSTER}&${span}&step=30s&limit=${PAGE_LIMIT}`;
  const idle = rssMiB(api.pid);
  const walks = [];
  for (let walk = 0; walk < 20; walk += 1) walks.push(await walkTimeline(timelineUrl));

  let peakUnderLoad = idle.rss;
  const sampler = setInterval(() => {
    peakUnderLoad = Math.max(peakUnderLoad, rssMiB(api.pid).rss);
  }, 100);
  const runs = { bare: [] as Load[], bareBody: [] as Load[], status: [] as Load[], revalidate: [] as Load[] };
  const timelineRuns: Load[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Interleaved, so a neighbour's burst on the shared cores lands on both sides of a ratio.
    runs.bare.push(await load(LOAD, `${bare.base}/`));
    runs.bareBody.push(await load(LOAD, `${bareBody.base}/`));
    runs.status.push(await load(LOAD, statusUrl));
    runs.revalidate.push(await load(LOAD, statusUrl, { 'If-None-Match': etag }));
    timelineRuns.push(await load(LOAD, timelineUrl));
  }
  clearInterval(sampler);
  const after = rssMiB(api.pid);

  const base = medianLoad(runs.bare);
  const sameBody = medianLoad(runs.bareBody);
  const status = medianLoad(runs.status);
  const bytes = `${statusBody.byteLength} B`;
  const generator = WRK ? `wrk (${WRK})` : 'Bun closed loop';
  console.log(`load: ${generator}, ${LOAD.connections} connections, ${LOAD.seconds} s x ${ROUNDS} rounds (medians)`);
  console.log('ratios against the bare handler with a tiny body:');
  console.log(loadRow('bare Bun.serve (24 B)', base, base));
  console.log(loadRow(`bare Bun.serve, the /status bytes (${bytes})`, sameBody, base));
  console.log(loadRow(`GET /status (${bytes})`, status, base));
  console.log(loadRow('GET /status, If-None-Match -> 304', medianLoad(runs.revalidate), base));
  console.log(loadRow(`GET /status/timeline (${PAGE_LIMIT} of ${CYCLES})`, medianLoad(timelineRuns), base));
  console.log('ratio against the bare handler answering the same bytes:');
  console.log(loadRow(`GET /status (${bytes})`, status, sameBody));
  const pages = walks[0]?.pages ?? 0;
  const points = walks[0]?.points ?? 0;
  const ms = walks.map((w) => w.ms);
  console.log(
    `whole 24 h timeline at 30 s: ${points} points in ${pages} page(s), median ${median(ms).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (20 walks)`,
  );
  console.log(
    `API RSS: idle ${idle.rss.toFixed(0)} MiB, under load max ${peakUnderLoad.toFixed(0)} MiB, after ${after.rss.toFixed(0)} MiB, peak (VmHWM) ${after.peak.toFixed(0)} MiB`,
  );
  console.log('targets: /status throughput >= 0.80x bare, /status p99 < 5 ms');
} finally {
  for (const server of servers.reverse()) await server.stop();
  rmSync(dir, { recursive: true, force: true });
  await db.close();
}
