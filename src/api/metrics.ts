import type { HealthState } from '../models/index.ts';
import { family, escapeLabel as label } from '../models/index.ts';
import type { StatusCache } from './status-cache.ts';

/**
 * The API's `/metrics` in the Prometheus text exposition format 0.0.4: each cluster's state as gauges an
 * Alertmanager rule can use, how old its latest cycle is, request counts and store errors.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

const STATES: readonly HealthState[] = ['happy', 'stressed', 'critical', 'unknown'];

/** `copilot_health_state_code`: ordered by severity for `>=` alerts; unknown is apart, so it cannot pass for happy. */
export const STATE_CODE: Readonly<Record<HealthState, number>> = { happy: 0, stressed: 1, critical: 2, unknown: -1 };

/** The methods counted by name; anything else is `OTHER`, so a client cannot grow the label set. */
const METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'OTHER'] as const;

const METHOD_INDEX: ReadonlyMap<string, number> = new Map(METHODS.map((method, index) => [method, index]));

function methodIndex(method: string): number {
  return METHOD_INDEX.get(method) ?? METHODS.length - 1;
}

export function createMetrics() {
  // Route template, then status × 8 + method index: counting a request builds no string and hashes none but the
  // template, which is a constant (bench/api.ts measured a joined-string key at a tenth of a /status answer).
  const requests = new Map<string, Map<number, number>>();
  return {
    /** Count one answered request. `route` is the route template (bounded), never the raw path. */
    countRequest(input: { route: string; method: string; status: number }): void {
      let byRoute = requests.get(input.route);
      if (byRoute === undefined) {
        byRoute = new Map();
        requests.set(input.route, byRoute);
      }
      const key = input.status * 8 + methodIndex(input.method);
      byRoute.set(key, (byRoute.get(key) ?? 0) + 1);
    },
    *requests(): Generator<{ route: string; method: string; status: number; count: number }> {
      for (const [route, byRoute] of requests) {
        for (const [key, count] of byRoute) {
          yield { route, method: METHODS[key % 8] ?? 'OTHER', status: Math.floor(key / 8), count };
        }
      }
    },
  };
}

export type ApiMetrics = ReturnType<typeof createMetrics>;

export function exposition(input: {
  cache: StatusCache;
  metrics: ApiMetrics;
  nowMs: number;
  staleAfterMs: number;
  /** The state each cluster shows (fresh decided state, else unknown), from the same view the routes use. */
  stateOf: (name: string) => HealthState;
}): string {
  const lines: string[] = [];
  const clusters = input.cache.clusters();
  family(lines, {
    name: 'copilot_health_state',
    type: 'gauge',
    help: 'Health state shown for the cluster: 1 for the current state, 0 for the others.',
  });
  for (const c of clusters) {
    const state = input.stateOf(c.name);
    for (const s of STATES)
      lines.push(`copilot_health_state{cluster="${label(c.name)}",state="${s}"} ${s === state ? 1 : 0}`);
  }
  family(lines, {
    name: 'copilot_health_state_code',
    type: 'gauge',
    help: 'Health state as a number: 0 happy, 1 stressed, 2 critical, -1 unknown (stale or blind).',
  });
  for (const c of clusters)
    lines.push(`copilot_health_state_code{cluster="${label(c.name)}"} ${STATE_CODE[input.stateOf(c.name)]}`);
  family(lines, {
    name: 'copilot_last_cycle_age_seconds',
    type: 'gauge',
    help: 'Seconds since the latest stored observation cycle of the cluster (absent before the first).',
  });
  for (const c of clusters) {
    if (!c.cycle) continue;
    const age = Math.max(0, (input.nowMs - Date.parse(c.cycle.decision.at)) / 1000);
    lines.push(`copilot_last_cycle_age_seconds{cluster="${label(c.name)}"} ${age.toFixed(3)}`);
  }
  family(lines, {
    name: 'copilot_status_stale_after_seconds',
    type: 'gauge',
    help: 'Cycle age after which the API shows a cluster as unknown.',
  });
  lines.push(`copilot_status_stale_after_seconds ${input.staleAfterMs / 1000}`);
  family(lines, { name: 'copilot_active_issues', type: 'gauge', help: 'Open issues of the cluster (capped at 100).' });
  for (const c of clusters) lines.push(`copilot_active_issues{cluster="${label(c.name)}"} ${c.activeIssues.length}`);
  const health = input.cache.health();
  family(lines, {
    name: 'copilot_store_up',
    type: 'gauge',
    help: 'Whether the last poll of the state store succeeded.',
  });
  lines.push(`copilot_store_up ${health.reachable ? 1 : 0}`);
  family(lines, {
    name: 'copilot_store_errors_total',
    type: 'counter',
    help: 'Failed reads of the state store (status polls and route reads).',
  });
  lines.push(`copilot_store_errors_total ${health.errors}`);
  family(lines, {
    name: 'copilot_api_requests_total',
    type: 'counter',
    help: 'API requests answered, by route, method and status.',
  });
  for (const { route, method, status, count } of input.metrics.requests()) {
    lines.push(`copilot_api_requests_total{route="${label(route)}",method="${method}",status="${status}"} ${count}`);
  }
  return `${lines.join('\n')}\n`;
}
