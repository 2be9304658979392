import type { InstantQueryResult } from '../models/index.ts';
import { bucketQuantile, parseBucketBound } from './bucket-quantile.ts';
import type { SignalQueries } from './catalog.ts';
import type { LabelMatcher } from './promql.ts';
import { vectorSelector } from './promql.ts';
import type { AtomForm, QueryForm } from './query-builder.ts';
import type { QueryOutcome } from './snapshot.ts';

/** One series of an instant vector: its labels (metric name dropped by aggregation) and value. */
export interface VectorPoint {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** What one planned request returned at one instant. */
export type RequestOutcome = { kind: 'vector'; series: readonly VectorPoint[] } | { kind: 'failed'; code: string };

/**
 * Labels whose values Temporal's own code bounds (service roles, operations, task, worker, poller, cache and error
 * types), so grouping by them returns tens of series, not thousands. Task queues and namespaces are the users' and
 * unbounded: queries that differ in those stay apart. Buckets multiply every group by ~20 bounds, so a quantile
 * groups only by the few-valued labels.
 */
const BOUNDED = ['service_name', 'operation', 'task_type', 'worker_type', 'poller_type', 'cache_type', 'error_type'];
const GROUPABLE: Readonly<Record<AtomForm['kind'], ReadonlySet<string>>> = {
  rate: new Set(BOUNDED),
  gauge: new Set(BOUNDED),
  quantile: new Set(['service_name', 'task_type']),
};

export interface QueryPlan {
  /** The PromQL to send, each once: grouped requests and the queries no group could answer. */
  requests: string[];
  /** Every planned query's outcome (keyed by the catalog's PromQL) from what the requests returned. */
  resolve(outcomeOf: (request: string) => RequestOutcome | undefined): Map<string, QueryOutcome>;
}

type Resolver = (outcomeOf: (request: string) => RequestOutcome | undefined) => QueryOutcome;

const matcherKey = (m: LabelMatcher) => `${m.name}${m.op}${JSON.stringify(m.value)}`;
const canonical = (matchers: readonly LabelMatcher[]) => matchers.map(matcherKey).sort().join(',');

/** A matcher evaluated in code on a grouped series' labels; an absent label is the empty string, as in PromQL. */
function matcherTest(matcher: LabelMatcher): (labels: Readonly<Record<string, string>>) => boolean {
  // Prometheus anchors every regex matcher (`^(?:…)$`); the catalog's patterns are plain RE2 that JS reads alike.
  const regex = matcher.op === '=~' || matcher.op === '!~' ? new RegExp(`^(?:${matcher.value})$`) : null;
  return (labels) => {
    const value = labels[matcher.name] ?? '';
    switch (matcher.op) {
      case '=':
        return value === matcher.value;
      case '!=':
        return value !== matcher.value;
      case '=~':
        return regex?.test(value) ?? false;
      case '!~':
        return !(regex?.test(value) ?? true);
      default: {
        const never: never = matcher.op;
        return never;
      }
    }
  };
}

function firstValue(outcome: RequestOutcome | undefined): QueryOutcome {
  if (outcome === undefined) return { kind: 'failed', code: 'NOT_REQUESTED' };
  if (outcome.kind === 'failed') return outcome;
  const first = outcome.series[0];
  return first ? { kind: 'value', value: first.value } : { kind: 'no_series' };
}

/** What the atom's own query would have returned, from the grouped series it selects. */
function aggregate(atom: AtomForm, series: readonly VectorPoint[]): QueryOutcome {
  if (series.length === 0) return { kind: 'no_series' };
  switch (atom.kind) {
    case 'rate':
      return { kind: 'value', value: series.reduce((sum, point) => sum + point.value, 0) };
    case 'gauge': {
      if (atom.aggregation === 'sum') return { kind: 'value', value: series.reduce((sum, p) => sum + p.value, 0) };
      // PromQL's max lets any number replace a NaN; NaN only when every input is NaN.
      const numbers = series.map((point) => point.value).filter((value) => !Number.isNaN(value));
      return { kind: 'value', value: numbers.length === 0 ? Number.NaN : Math.max(...numbers) };
    }
    case 'quantile': {
      const buckets = series.flatMap((point) => {
        const upperBound = parseBucketBound(point.labels['le'] ?? '');
        return upperBound === null ? [] : [{ upperBound, count: point.value }];
      });
      if (buckets.length === 0) return { kind: 'no_series' };
      const value = bucketQuantile(atom.quantile, buckets);
      if (atom.scale === null) return { kind: 'value', value };
      return { kind: 'value', value: atom.scale.op === '*' ? value * atom.scale.by : value / atom.scale.by };
    }
    default: {
      const never: never = atom;
      return never;
    }
  }
}

/**
 * Clusters one worker observes on the same Prometheus, told apart by one label (`cluster="…"`): their grouped
 * requests are one request for all of them (`by (cluster, …)`), shared between their observers in a slot.
 */
export interface Fleet {
  label: string;
  /** Every peer's value of `label`, this cluster's included. */
  values: readonly string[];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The fleet matcher in place of the cluster's own, when the cluster's selector is exactly `label="value"`. */
function fleetScope(clusterMatchers: readonly LabelMatcher[], fleet: Fleet | undefined) {
  const only = clusterMatchers.length === 1 ? clusterMatchers[0] : undefined;
  if (!fleet || !only || only.op !== '=' || only.name !== fleet.label || !fleet.values.includes(only.value))
    return null;
  const values = [...new Set(fleet.values)].sort();
  return {
    matcher: { name: fleet.label, op: '=~' as const, value: values.map(escapeRegex).join('|') },
    own: only,
  };
}

/** The grouped request answering every atom of one group, and each atom's resolver. */
function planGroup(atoms: readonly AtomForm[], clusterMatchers: readonly LabelMatcher[], fleet: Fleet | undefined) {
  const first = atoms[0];
  if (!first) return { request: null, resolvers: new Map<string, Resolver>() };
  const scope = fleetScope(clusterMatchers, fleet);
  if (atoms.length === 1 && scope === null) {
    const resolvers = new Map<string, Resolver>([[first.promql, (outcomeOf) => firstValue(outcomeOf(first.promql))]]);
    return { request: first.promql, resolvers };
  }
  const common = first.matchers.filter((m) =>
    atoms.every((atom) => atom.matchers.some((o) => matcherKey(o) === matcherKey(m))),
  );
  const commonKeys = new Set(common.map(matcherKey));
  const differing = [
    ...new Set(atoms.flatMap((atom) => atom.matchers.filter((m) => !commonKeys.has(matcherKey(m))).map((m) => m.name))),
  ].sort();
  const groupBy = scope ? [scope.own.name, ...differing.filter((name) => name !== scope.own.name)] : differing;
  const selector = vectorSelector(first.metric, [...common, ...(scope ? [scope.matcher] : clusterMatchers)]);
  let request: string;
  switch (first.kind) {
    case 'rate':
      request = `sum by (${groupBy.join(', ')}) (rate(${selector}[${first.window}]))`;
      break;
    case 'gauge':
      request = `${first.aggregation} by (${groupBy.join(', ')}) (${selector})`;
      break;
    case 'quantile':
      request = `sum by (${[...groupBy, 'le'].join(', ')}) (rate(${selector}[${first.window}]))`;
      break;
    default: {
      const never: never = first;
      return never;
    }
  }
  const resolvers = new Map<string, Resolver>();
  for (const atom of atoms) {
    const own = atom.matchers.filter((m) => !commonKeys.has(matcherKey(m)));
    const tests = [...own, ...(scope ? [scope.own] : [])].map(matcherTest);
    resolvers.set(atom.promql, (outcomeOf) => {
      const outcome = outcomeOf(request);
      if (outcome === undefined) return { kind: 'failed', code: 'NOT_REQUESTED' };
      if (outcome.kind === 'failed') return outcome;
      return aggregate(
        atom,
        outcome.series.filter((point) => tests.every((test) => test(point.labels))),
      );
    });
  }
  return { request, resolvers };
}

function groupKey(atom: AtomForm): string {
  const groupable = GROUPABLE[atom.kind];
  const fixed = atom.matchers.filter((m) => !groupable.has(m.name));
  const shape = atom.kind === 'gauge' ? atom.aggregation : atom.window;
  return [atom.kind, shape, atom.metric, canonical(fixed)].join('|');
}

/**
 * Plan one cycle's queries: queries over the same metric family, window and unbounded-label matchers become one
 * request grouped `by` the bounded labels they differ in (and `le` for quantiles), answered in code exactly as
 * Prometheus would have answered each (sum, max, histogram_quantile); `A or (0 * B)` first-occurrence queries split
 * into their two rates so every `B` is fetched once. A query with no recorded form is sent as it is.
 */
export function planQueries(input: {
  queries: readonly string[];
  forms: ReadonlyMap<string, QueryForm>;
  clusterMatchers: readonly LabelMatcher[];
  fleet?: Fleet;
}): QueryPlan {
  const atoms = new Map<string, AtomForm>();
  const queryResolvers = new Map<string, (atomOutcome: (promql: string) => QueryOutcome) => QueryOutcome>();
  const opaque: string[] = [];
  for (const query of new Set(input.queries)) {
    const form = input.forms.get(query);
    if (form === undefined) {
      opaque.push(query);
      continue;
    }
    if (form.kind === 'first_occurrence') {
      atoms.set(form.primary.promql, form.primary);
      atoms.set(form.alive.promql, form.alive);
      queryResolvers.set(query, (atomOutcome) => {
        const primary = atomOutcome(form.primary.promql);
        if (primary.kind !== 'no_series') return primary;
        const alive = atomOutcome(form.alive.promql);
        return alive.kind === 'value' ? { kind: 'value', value: 0 * alive.value } : alive;
      });
    } else {
      atoms.set(form.promql, form);
      queryResolvers.set(query, (atomOutcome) => atomOutcome(form.promql));
    }
  }
  const groups = new Map<string, AtomForm[]>();
  for (const atom of atoms.values()) {
    const key = groupKey(atom);
    groups.set(key, [...(groups.get(key) ?? []), atom]);
  }
  const requests = new Set<string>(opaque);
  const atomResolvers = new Map<string, Resolver>();
  for (const members of groups.values()) {
    const { request, resolvers } = planGroup(members, input.clusterMatchers, input.fleet);
    if (request !== null) requests.add(request);
    for (const [promql, resolver] of resolvers) atomResolvers.set(promql, resolver);
  }
  return {
    requests: [...requests],
    resolve(outcomeOf) {
      const cache = new Map<string, QueryOutcome>();
      const atomOutcome = (promql: string): QueryOutcome => {
        const known = cache.get(promql);
        if (known) return known;
        const outcome = atomResolvers.get(promql)?.(outcomeOf) ?? { kind: 'failed', code: 'NOT_REQUESTED' };
        cache.set(promql, outcome);
        return outcome;
      };
      const outcomes = new Map<string, QueryOutcome>();
      for (const query of opaque) outcomes.set(query, firstValue(outcomeOf(query)));
      for (const [query, resolver] of queryResolvers) outcomes.set(query, resolver(atomOutcome));
      return outcomes;
    },
  };
}

/** Plan the catalog's queries for one cluster (see planQueries). */
export function planSignalQueries(input: {
  queries: readonly SignalQueries[];
  clusterMatchers: readonly LabelMatcher[];
  fleet?: Fleet;
}): QueryPlan {
  const forms = new Map<string, QueryForm>();
  for (const signal of input.queries)
    for (const [promql, form] of Object.entries(signal.forms)) forms.set(promql, form);
  return planQueries({
    queries: input.queries.flatMap((signal) => Object.values(signal.inputs)),
    forms,
    clusterMatchers: input.clusterMatchers,
    ...(input.fleet ? { fleet: input.fleet } : {}),
  });
}

/** An instant query's answer as series (a scalar is one series without labels). */
export function vectorOfInstant(result: InstantQueryResult): RequestOutcome {
  if (result.resultType === 'scalar') return { kind: 'vector', series: [{ labels: {}, value: result.value }] };
  return { kind: 'vector', series: result.series.map((sample) => ({ labels: sample.metric, value: sample.value })) };
}
