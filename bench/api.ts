// The API under load on loopback, as ratios to bare Bun.serve handlers measured in the same run: GET /status (asked
// as Grafana's Go client and browsers ask, with Accept-Encoding: gzip; and without, as wrk or curl ask), the
// If-None-Match revalidation Grafana makes, /status/timeline over 24 h at 30 s (2,880 seeded cycles, one point
// each), and the API process's RSS under load. Baselines: a bare handler answering a tiny JSON body (the issue's
// target), and bare handlers answering the API's own /status bytes in each coding (what is left is the API's
// overhead, not the body's size).
// Needs the test Postgres (.ci/start-postgres). Run: bun bench/api.ts [--seconds 5] [--connections 16] [--rounds 3]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type } from 'arktype';
import { writeAssessment, writeCycle } from '../src/db/index.ts';
import { BACKLOG_RULE, firingCycle } from '../test/api/helpers.ts';
import { openPostgres } from '../test/db/backends.ts';
import { assessment, issue } from '../test/db/fixtures.ts';
import { type Load, load, loadRow, median, medianLoad, PINNED, pinnedTo, WRK } from './load.ts';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
  },
});
const LOAD = { seconds: Number(flags.seconds), connections: Number(flags.connections) };
const ROUNDS = Number(flags.rounds);
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
  const proc = Bun.spawn([...pinnedTo('server'), 'bun', 'bench/api-server.ts', ...args], {
    stdout: 'pipe',
    stderr: 'inherit',
  });
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
  // Few writers: they all touch the one cluster row, and many together exhaust the store's serialization retries.
  const WRITERS = 2;
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
  // Both representations as they go over the wire: `decompress: false` keeps Bun's fetch from undoing the gzip.
  const fetchStatus = async (encoding: string) => {
    const res = await fetch(statusUrl, { headers: { 'Accept-Encoding': encoding }, decompress: false });
    const etag = res.headers.get('etag') ?? '';
    const coding = res.headers.get('content-encoding') ?? 'identity';
    if (res.status !== 200 || etag === '' || coding !== encoding) {
      throw new Error(`GET /status (${encoding}) answered ${res.status}, coding ${coding}`);
    }
    const headers = Object.fromEntries([...res.headers].filter(([name]) => !/^(date|content-length)$/.test(name)));
    return { bytes: new Uint8Array(await res.arrayBuffer()), etag, headers };
  };
  const identity = await fetchStatus('identity');
  const gzip = await fetchStatus('gzip');
  writeFileSync(join(dir, 'status.json'), identity.bytes);
  writeFileSync(join(dir, 'status.json.gz'), gzip.bytes);
  writeFileSync(join(dir, 'status.headers.json'), JSON.stringify(gzip.headers));
  const bare = await startServer(['bare']);
  servers.push(bare);
  const bareBody = await startServer(['bare', join(dir, 'status.json')]);
  servers.push(bareBody);
  const bareGzip = await startServer(['bare', join(dir, 'status.json.gz'), 'gzip']);
  servers.push(bareGzip);
  const floor = await startServer(['floor', join(dir, 'status.json.gz'), join(dir, 'status.headers.json')]);
  servers.push(floor);

  const span = `start=${new Date(nowMs - (CYCLES - 1) * STEP_MS).toISOString()}&end=${new Date(nowMs).toISOString()}`;
  // Without `step` the timeline has one point per cycle: the 24 h at 30 s are 2,880 points in pages of 500.
  const timelineUrl = `${api.base}/status/timeline?cluster=${CLUSTER}&${span}&limit=${PAGE_LIMIT}`;
  const idle = rssMiB(api.pid);
  const walks = [];
  for (let walk = 0; walk < 20; walk += 1) walks.push(await walkTimeline(timelineUrl));

  let peakUnderLoad = idle.rss;
  const sampler = setInterval(() => {
    peakUnderLoad = Math.max(peakUnderLoad, rssMiB(api.pid).rss);
  }, 100);
  const GZIP = { 'Accept-Encoding': 'gzip' };
  const runs = {
    bare: [] as Load[],
    bareBody: [] as Load[],
    bareGzip: [] as Load[],
    floor: [] as Load[],
    status: [] as Load[],
    statusGzip: [] as Load[],
    revalidate: [] as Load[],
    timeline: [] as Load[],
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    // Interleaved, so a neighbour's burst on the shared cores lands on both sides of a ratio.
    runs.bare.push(await load(LOAD, `${bare.base}/`));
    runs.statusGzip.push(await load(LOAD, statusUrl, GZIP));
    runs.bareGzip.push(await load(LOAD, `${bareGzip.base}/`, GZIP));
    runs.floor.push(await load(LOAD, `${floor.base}/status?cluster=${CLUSTER}`, GZIP));
    runs.bareBody.push(await load(LOAD, `${bareBody.base}/`));
    runs.status.push(await load(LOAD, statusUrl));
    runs.revalidate.push(await load(LOAD, statusUrl, { ...GZIP, 'If-None-Match': gzip.etag }));
    runs.timeline.push(await load(LOAD, timelineUrl, GZIP));
  }
  clearInterval(sampler);
  const after = rssMiB(api.pid);

  const base = medianLoad(runs.bare);
  const m = Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, medianLoad(list)])) as Record<
    keyof typeof runs,
    Load
  >;
  const plainBytes = `${identity.bytes.byteLength} B`;
  const gzipBytes = `${gzip.bytes.byteLength} B gzip`;
  const generator = `${WRK ? `wrk (${WRK})` : 'Bun closed loop'}${PINNED ? ', generator and servers pinned to separate CPUs' : ''}`;
  console.log(`load: ${generator}, ${LOAD.connections} connections, ${LOAD.seconds} s x ${ROUNDS} rounds (medians)`);
  console.log('ratios against the bare handler with a tiny body:');
  console.log(loadRow('bare Bun.serve (24 B)', base, base));
  console.log(loadRow(`bare, the /status bytes (${gzipBytes})`, m.bareGzip, base));
  console.log(loadRow(`bare, the /status bytes (${plainBytes})`, m.bareBody, base));
  console.log(loadRow(`floor: reads URL + headers, same gzip bytes and headers`, m.floor, base));
  console.log(loadRow(`GET /status, Accept-Encoding: gzip (${gzipBytes})`, m.statusGzip, base));
  console.log(loadRow(`GET /status, no Accept-Encoding (${plainBytes})`, m.status, base));
  console.log(loadRow('GET /status, If-None-Match -> 304', m.revalidate, base));
  console.log(loadRow(`GET /status/timeline (${PAGE_LIMIT} of ${CYCLES}, gzip)`, m.timeline, base));
  console.log('ratios against the bare handler answering the same bytes:');
  console.log(loadRow(`GET /status (${gzipBytes})`, m.statusGzip, m.bareGzip));
  console.log(loadRow(`GET /status (${plainBytes})`, m.status, m.bareBody));
  console.log('ratio against the floor (what any correct /status must do):');
  console.log(loadRow(`GET /status (${gzipBytes})`, m.statusGzip, m.floor));
  const pages = walks[0]?.pages ?? 0;
  const points = walks[0]?.points ?? 0;
  const ms = walks.map((w) => w.ms);
  console.log(
    `whole 24 h timeline at 30 s: ${points} points in ${pages} page(s), median ${median(ms).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (20 walks)`,
  );
  console.log(
    `API RSS: idle ${idle.rss.toFixed(0)} MiB, under load max ${peakUnderLoad.toFixed(0)} MiB, after ${after.rss.toFixed(0)} MiB, peak (VmHWM) ${after.peak.toFixed(0)} MiB`,
  );
  const verdict = (ratio: number, p99: number) =>
    `${ratio.toFixed(2)}x and p99 ${p99.toFixed(2)} ms: ${ratio >= 0.8 && p99 < 5 ? 'met' : 'NOT met'}`;
  console.log('targets: /status throughput >= 0.80x bare, /status p99 < 5 ms');
  console.log(`  as Grafana and browsers ask (gzip): ${verdict(m.statusGzip.rps / base.rps, m.statusGzip.p99Ms)}`);
  console.log(`  without Accept-Encoding (identity): ${verdict(m.status.rps / base.rps, m.status.p99Ms)}`);
} finally {
  for (const server of servers.reverse()) await server.stop();
  rmSync(dir, { recursive: true, force: true });
  await db.close();
}
