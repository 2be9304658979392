import { readFileSync } from 'node:fs';
import { Connection, Client as WorkflowClient } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import postgres from 'postgres';
import { renderFleetExposition } from '../src/demo/fleet-metrics.ts';
import { freePort } from '../src/demo/local-prometheus.ts';
import { HEALTHY } from '../src/demo/scenario-metrics.ts';
import { longRunningWorkflowId } from '../src/workflows/ids.ts';

export const CLUSTERS_PER_TARGET = 25;

/** N synthetic clusters served live, 25 per scrape target, as N Temporal servers' exporters would be scraped. */
export async function startFleetExporters(clusters: readonly string[]): Promise<{ targets: string[]; stop(): void }> {
  const startedMs = Date.now();
  const servers: ReturnType<typeof Bun.serve>[] = [];
  for (let from = 0; from < clusters.length; from += CLUSTERS_PER_TARGET) {
    const shard = clusters.slice(from, from + CLUSTERS_PER_TARGET);
    servers.push(
      Bun.serve({
        hostname: '127.0.0.1',
        port: await freePort(),
        fetch: () =>
          new Response(
            renderFleetExposition({
              clusters: shard,
              style: 'tally',
              elapsedSec: (Date.now() - startedMs) / 1000,
              rates: () => HEALTHY,
            }),
            { headers: { 'content-type': 'text/plain; version=0.0.4' } },
          ),
      }),
    );
  }
  return {
    targets: servers.map((server) => `127.0.0.1:${server.port}`),
    stop: () => {
      for (const server of servers) server.stop(true);
    },
  };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/** Resident memory of a process in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Prometheus's own CPU seconds, RSS and instant queries served, from its /metrics. */
export async function prometheusSelf(url: string): Promise<{ cpuSec: number; rssBytes: number; queries: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (pattern: RegExp) =>
    text
      .split('\n')
      .filter((line) => pattern.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  return {
    cpuSec: value(/^process_cpu_seconds_total /),
    rssBytes: value(/^process_resident_memory_bytes /),
    queries: value(/^prometheus_http_requests_total\{.*handler="\/api\/v1\/query"/),
  };
}

/** A fresh database for one bench run on the local Postgres; returns its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Per slot in [fromMs, toMs): how many clusters stored a decision, and how late the last was stored. */
export async function storedCycles(input: { databaseUrl: string; fromMs: number; toMs: number }) {
  const sql = postgres(input.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ slot: Date; clusters: string; late_ms: number; p50_ms: number }[]>`
      SELECT at AS slot, count(DISTINCT cluster) AS clusters,
             extract(epoch FROM max(created_at - at)) * 1000 AS late_ms,
             extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY created_at - at)) * 1000 AS p50_ms
      FROM decisions
      WHERE at >= ${new Date(input.fromMs)} AND at < ${new Date(input.toMs)}
      GROUP BY at ORDER BY at`;
    return rows.map((row) => ({
      slotMs: row.slot.getTime(),
      clusters: Number(row.clusters),
      lateMs: Number(row.late_ms),
      p50Ms: Number(row.p50_ms),
    }));
  } finally {
    await sql.end();
  }
}

/**
 * From the observers' histories: which worker ran each fetchSignals activity, and whether any cluster's slot was
 * fetched twice. Temporal dispatches each activity task to one poller; this checks it did across two workers.
 */
export async function fetchesByWorker(input: { address: string; clusters: readonly string[]; fromMs: number }) {
  const connection = await Connection.connect({ address: input.address });
  const client = new WorkflowClient({ connection });
  const byIdentity = new Map<string, number>();
  let duplicates = 0;
  let fetches = 0;
  try {
    for (const cluster of input.clusters) {
      const history = await client.workflow.getHandle(longRunningWorkflowId('observe', cluster)).fetchHistory();
      const slotOfScheduled = new Map<string, number>();
      const seenSlots = new Set<number>();
      for (const event of history.events ?? []) {
        const scheduled = event.activityTaskScheduledEventAttributes;
        if (scheduled?.activityType?.name === 'fetchSignals') {
          const payload = scheduled.input?.payloads?.[0];
          const args = payload ? defaultPayloadConverter.fromPayload<{ atMs: number }>(payload) : null;
          slotOfScheduled.set(String(event.eventId), args?.atMs ?? -1);
        }
        const started = event.activityTaskStartedEventAttributes;
        if (started) {
          const slot = slotOfScheduled.get(String(started.scheduledEventId));
          if (slot === undefined || slot < input.fromMs) continue;
          fetches += 1;
          if (seenSlots.has(slot)) duplicates += 1;
          seenSlots.add(slot);
          const identity = started.identity ?? 'unknown';
          byIdentity.set(identity, (byIdentity.get(identity) ?? 0) + 1);
        }
      }
    }
  } finally {
    await connection.close();
  }
  return { fetches, duplicates, byIdentity: Object.fromEntries(byIdentity) };
}
