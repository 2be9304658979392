import { expect } from 'bun:test';
import { createPrometheusClient } from '../../src/clients/prometheus.ts';
import type { CounterNaming, MetricStyle, SdkNaming, TimerUnit } from '../../src/models/index.ts';
import type { Fleet, LabelMatcher, QueryOutcome } from '../../src/signals/index.ts';
import { buildSignalQueries, outcomeOfInstant } from '../../src/signals/index.ts';
import { planSignalQueries, vectorOfInstant } from '../../src/signals/query-plan.ts';

/** Equal as Prometheus would print them: the same kind, and values within float rounding of each other. */
function sameOutcome(planned: QueryOutcome | undefined, direct: QueryOutcome): boolean {
  if (planned === undefined || planned.kind !== direct.kind) return false;
  if (planned.kind !== 'value' || direct.kind !== 'value') return true;
  if (Number.isNaN(planned.value) || Number.isNaN(direct.value)) {
    return Number.isNaN(planned.value) && Number.isNaN(direct.value);
  }
  return Math.abs(planned.value - direct.value) <= 1e-9 * Math.max(1, Math.abs(direct.value));
}

/**
 * Every catalog query answered through the plan (grouped requests, evaluated in code) must read exactly what
 * Prometheus answers for that query sent on its own, at every instant given. Returns how many requests the plan
 * sent against how many distinct queries, so a caller can also hold the saving.
 */
export async function expectPlanMatchesDirect(input: {
  prometheusUrl: string;
  naming: { style: MetricStyle; counters: CounterNaming; sdk?: SdkNaming; timerUnit?: TimerUnit };
  matchers: readonly LabelMatcher[];
  instantsMs: readonly number[];
  /** Plan as one of a fleet sharing this Prometheus (requests for all its peers at once). */
  fleet?: Fleet;
}): Promise<{ requests: number; queries: number; compared: number; withValue: number; requestTexts: string[] }> {
  const client = createPrometheusClient({ baseUrl: input.prometheusUrl });
  const queries = buildSignalQueries({ ...input.naming, matchers: input.matchers });
  const distinct = [...new Set(queries.flatMap((signal) => Object.values(signal.inputs)))];
  const plan = planSignalQueries({
    queries,
    clusterMatchers: input.matchers,
    ...(input.fleet ? { fleet: input.fleet } : {}),
  });
  let compared = 0;
  let withValue = 0;
  for (const timeMs of input.instantsMs) {
    const answers = new Map(
      await Promise.all(
        plan.requests.map(async (query) => [query, vectorOfInstant(await client.query({ query, timeMs }))] as const),
      ),
    );
    const planned = plan.resolve((request) => answers.get(request));
    const mismatches: { query: string; planned: QueryOutcome | undefined; direct: QueryOutcome }[] = [];
    for (const query of distinct) {
      const direct = outcomeOfInstant(await client.query({ query, timeMs }));
      compared += 1;
      if (direct.kind === 'value') withValue += 1;
      if (!sameOutcome(planned.get(query), direct)) mismatches.push({ query, planned: planned.get(query), direct });
    }
    expect({ timeMs, mismatches }).toEqual({ timeMs, mismatches: [] });
  }
  return { requests: plan.requests.length, queries: distinct.length, compared, withValue, requestTexts: plan.requests };
}
