import type { ClusterConfig } from '../models/index.ts';
import type { LabelMatcher } from './promql.ts';
import { parseLabelMatchers } from './promql.ts';
import type { Fleet, RequestOutcome } from './query-plan.ts';

/**
 * One worker's in-flight and recent fleet requests, so the observers of clusters that share a Prometheus send each
 * grouped request once per slot instead of once per cluster. A failed answer is not kept: the next observer asks
 * again, exactly as it would without sharing.
 */
export interface SharedRequests {
  run(key: string, load: () => Promise<RequestOutcome>): Promise<RequestOutcome>;
  /** Entries held (for tests and the bench). */
  size(): number;
}

/** @param ttlMs how long an answer serves later observers of the same slot (default 60 s: two 30 s slots). */
export function createSharedRequests(options: { ttlMs?: number; clock?: () => number } = {}): SharedRequests {
  const ttlMs = options.ttlMs ?? 60_000;
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, { atMs: number; outcome: Promise<RequestOutcome> }>();
  let sweptMs = clock();
  const sweep = (nowMs: number) => {
    if (nowMs - sweptMs < ttlMs / 4) return;
    sweptMs = nowMs;
    for (const [key, entry] of entries) if (nowMs - entry.atMs > ttlMs) entries.delete(key);
  };
  return {
    run(key, load) {
      const nowMs = clock();
      sweep(nowMs);
      const known = entries.get(key);
      if (known && nowMs - known.atMs <= ttlMs) return known.outcome;
      const outcome = load().catch((error: unknown): RequestOutcome => ({ kind: 'failed', code: String(error) }));
      const entry = { atMs: nowMs, outcome };
      entries.set(key, entry);
      void outcome.then((settled) => {
        if (settled.kind === 'failed' && entries.get(key) === entry) entries.delete(key);
      });
      return outcome;
    },
    size: () => entries.size,
  };
}

/** The single `label="value"` matcher a fleet can share on, or null. */
function fleetMatcher(cluster: ClusterConfig): LabelMatcher | null {
  let matchers: LabelMatcher[];
  try {
    matchers = parseLabelMatchers(cluster.selector ?? '');
  } catch {
    return null;
  }
  const only = matchers.length === 1 ? matchers[0] : undefined;
  return only && only.op === '=' ? only : null;
}

/** Clusters whose answers may be shared: the same Prometheus, the same credentials, the same distinguishing label. */
function sourceKey(cluster: ClusterConfig, label: string): string {
  return JSON.stringify([cluster.prometheus_url, cluster.prometheus_sigv4 ?? null, label]);
}

/**
 * Index the configured clusters into fleets: two or more clusters on one Prometheus (same URL and SigV4 settings)
 * whose selectors are each exactly `label="value"` on the same label. Returns the fleet a cluster belongs to, or
 * undefined; the cluster is matched on its own URL, credentials and selector, so a workflow started under an older
 * configuration never borrows a fleet it is no longer part of.
 */
export function fleetIndex(clusters: readonly ClusterConfig[]): (cluster: ClusterConfig) => Fleet | undefined {
  const bySource = new Map<string, Set<string>>();
  for (const cluster of clusters) {
    const matcher = fleetMatcher(cluster);
    if (!matcher) continue;
    const key = sourceKey(cluster, matcher.name);
    bySource.set(key, (bySource.get(key) ?? new Set()).add(matcher.value));
  }
  return (cluster) => {
    const matcher = fleetMatcher(cluster);
    if (!matcher) return undefined;
    const values = bySource.get(sourceKey(cluster, matcher.name));
    if (!values || values.size < 2 || !values.has(matcher.value)) return undefined;
    return { label: matcher.name, values: [...values].sort() };
  };
}

/** The sharing key of one request: the source, the instant and the PromQL. */
export function sharedRequestKey(input: { cluster: ClusterConfig; atMs: number; request: string }): string {
  // Plain concatenation: this runs for every request of every observer, and the requests are long for a big fleet.
  const source = input.cluster.prometheus_sigv4 ? JSON.stringify(input.cluster.prometheus_sigv4) : '';
  return `${input.cluster.prometheus_url}\u0000${source}\u0000${input.atMs}\u0000${input.request}`;
}
