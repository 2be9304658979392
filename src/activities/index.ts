import { Context } from '@temporalio/activity';
import type postgres from 'postgres';
import type { RulesExplainInput } from '../agents/rules-explainer.ts';
import { explainWithRules } from '../agents/rules-explainer.ts';
import type { LokiClient } from '../clients/loki.ts';
import type { PrometheusClient } from '../clients/prometheus.ts';
import * as store from '../db/index.ts';
import { evaluate } from '../health/index.ts';
import type {
  Assessment,
  ClusterConfig,
  CountLogPatternsActivityInput,
  DecideCycleInput,
  DecideCycleResult,
  ExplainInput,
  Explanation,
  FetchSignalsInput,
  KnowledgeRetriever,
  LogPattern,
  PurgeReport,
  SignalsSnapshot,
  StoredCycle,
  WorkerMetricsSink,
} from '../models/index.ts';
import { AppError } from '../models/index.ts';
import type { Fleet } from '../signals/index.ts';
import { blindSnapshot, createSharedRequests, observeCluster } from '../signals/index.ts';
import { countLogPatterns, DEFAULT_LOKI_SELECTOR } from '../signals/log-patterns.ts';
import type { ExplainerActivityDeps } from './explainer.ts';
import { createExplainerActivities, explanationOfAssessment } from './explainer.ts';
import { toActivityFailure } from './failures.ts';
import { failureCode, guarded, guardedStore, NO_METRICS, withDeadline } from './run.ts';

/**
 * Whole-observation budget, well under the fetch activity's 25 s start-to-close: a slow Prometheus must end in a
 * blind snapshot (`unknown`) that gets stored, never in a timed-out activity that leaves the last state standing.
 */
export const DEFAULT_OBSERVE_BUDGET_MS = 15_000;
/** Budget of one log-pattern count, under its activity's 25 s start-to-close so Temporal's retries get to run. */
export const DEFAULT_LOG_PATTERNS_BUDGET_MS = 20_000;

export interface ActivityDeps {
  sql: postgres.Sql;
  /** A Prometheus/AMP client for the cluster (SigV4-signed when configured). */
  prometheusFor(cluster: ClusterConfig): PrometheusClient;
  /** A Loki client for the cluster, or null when it has no Loki URL. */
  lokiFor(cluster: ClusterConfig): LokiClient | null;
  /** Epoch ms; injected so tests control "now". */
  clock(): number;
  /** The model explainer (Bedrock) when configured; absent → rules only. */
  explain?: (input: ExplainInput, signal: AbortSignal) => Promise<Explanation>;
  /** How often long activities heartbeat. @default 5000 */
  heartbeatEveryMs?: number;
  /** Deadline of one whole observation (all queries). @default DEFAULT_OBSERVE_BUDGET_MS */
  observeBudgetMs?: number;
  /** Deadline of one log-pattern count. @default DEFAULT_LOG_PATTERNS_BUDGET_MS */
  logPatternsBudgetMs?: number;
  /**
   * The fleet a cluster shares its Prometheus with (the worker's configured clusters, see fleetIndex); its grouped
   * requests are then sent once per slot for every peer this worker observes. Absent: one cluster at a time.
   */
  fleetFor?: (cluster: ClusterConfig) => Fleet | undefined;
  /** The model explainer's providers (null/absent: rules only), built from LlmConfig in worker.ts. */
  models?: ExplainerActivityDeps['models'];
  knowledge?: KnowledgeRetriever;
  /** The worker's own metrics (worker-metrics.ts), served at its `/metrics`; absent: nothing is recorded. */
  metrics?: WorkerMetricsSink;
}

/** Count a snapshot's failed Prometheus queries: one per signal whose query failed, under the failure's code. */
function countQueryFailures(metrics: WorkerMetricsSink, snapshot: SignalsSnapshot): SignalsSnapshot {
  for (const missing of snapshot.missing) {
    if (missing.reason !== 'query_failed') continue;
    metrics.queryFailed({ cluster: snapshot.cluster, source: 'prometheus', code: missing.detail ?? 'OTHER' });
  }
  return snapshot;
}

/** The engine step with a cluster's overrides and initial band; pure (the activity and the test fakes share it). */
export function decideCycleStep(input: DecideCycleInput): DecideCycleResult {
  return evaluate({
    snapshot: input.snapshot,
    state: input.state,
    ...(input.cluster.overrides ? { overrides: input.cluster.overrides } : {}),
    ...(input.cluster.initial_band ? { initialBand: input.cluster.initial_band } : {}),
  });
}

/**
 * The copilot's Temporal activities: thin I/O wrappers over signals, clients, the explainer and the store. Every
 * one takes one input object. Failures leave as ApplicationFailures typed with our error code (see failures.ts).
 */
export function createActivities(deps: ActivityDeps) {
  const metrics = deps.metrics ?? NO_METRICS;
  const run = { metrics, ...(deps.heartbeatEveryMs === undefined ? {} : { heartbeatEveryMs: deps.heartbeatEveryMs }) };
  // One per worker process: the observers of one fleet share its grouped requests within a slot.
  const shared = createSharedRequests();
  const fleetOption = (cluster: ClusterConfig) => {
    const fleet = deps.fleetFor?.(cluster);
    return fleet ? { fleet, shared } : {};
  };
  const explainer = createExplainerActivities({
    ...deps,
    cached: async (key) => {
      const found = await store.cachedModelAssessment(deps.sql, key);
      return found && { assessmentKey: found.assessment_key, explanation: explanationOfAssessment(found) };
    },
  });
  return {
    ...explainer,
    /** One observation: never fails for a failed query (the value is null and `missing` says why). */
    async fetchSignals(input: FetchSignalsInput): Promise<SignalsSnapshot> {
      const budgetMs = deps.observeBudgetMs ?? DEFAULT_OBSERVE_BUDGET_MS;
      return guarded(run, async (signal) =>
        countQueryFailures(
          metrics,
          await withDeadline({
            signal,
            budgetMs,
            work: (bounded) =>
              observeCluster({
                cluster: input.cluster,
                atMs: input.atMs,
                prometheus: deps.prometheusFor(input.cluster),
                ...fleetOption(input.cluster),
                signal: bounded,
              }),
            // The queries that did answer are lost with observeCluster's result; a late cycle is a blind one.
            onDeadline: () => blindSnapshot({ cluster: input.cluster, atMs: input.atMs, code: 'UPSTREAM_TIMEOUT' }),
          }),
        ),
      );
    },

    /**
     * One engine step. The engine is pure and could run in the workflow, but then every rule change would replay
     * old histories into different decisions (a nondeterminism error on deploy); as a local activity its result is
     * recorded in history and replays as recorded.
     */
    async decideCycle(input: DecideCycleInput): Promise<DecideCycleResult> {
      try {
        return decideCycleStep(input);
      } catch (error) {
        // Only threshold overrides that break ordering make the engine throw (CONFIG_INVALID: permanent).
        throw toActivityFailure(error);
      }
    },

    /**
     * The snapshot of a cycle whose fetch activity failed as a whole (every value null, `query_failed` with `code`).
     * Pure; a local activity, so the signal catalog stays out of the workflow sandbox.
     */
    async blindSnapshot(input: { cluster: ClusterConfig; atMs: number; code: string }): Promise<SignalsSnapshot> {
      return countQueryFailures(metrics, blindSnapshot(input));
    },

    /** The rules-only explanation, for a workflow whose explainer failed or missed its deadline. Pure; local. */
    async explainWithRules(input: RulesExplainInput): Promise<Explanation> {
      return explainWithRules(input);
    },

    async writeCycle(input: store.WriteCycleInput): Promise<{ inserted: boolean }> {
      return guardedStore({
        deps: run,
        operation: 'writeCycle',
        work: async () => {
          const result = await store.writeCycle(deps.sql, input);
          // How late the cycle was stored after its slot started: the observation's whole latency as users see it.
          const slotMs = Date.parse(input.snapshot.at);
          const durationMs = deps.clock() - slotMs;
          metrics.cycleStored({ cluster: input.cluster, slotMs, durationMs, inserted: result.inserted });
          return result;
        },
      });
    },

    async latestCycle(input: { cluster: string }): Promise<StoredCycle | null> {
      return guardedStore({ deps: run, operation: 'latestCycle', work: () => store.latestCycle(deps.sql, input) });
    },

    async countLogPatterns(input: CountLogPatternsActivityInput): Promise<LogPattern[]> {
      const budgetMs = deps.logPatternsBudgetMs ?? DEFAULT_LOG_PATTERNS_BUDGET_MS;
      return guarded(run, async (signal) => {
        const loki = deps.lokiFor(input.cluster);
        if (loki === null) throw new AppError('CONFIG_INVALID', `cluster ${input.cluster.name} has no loki_url`);
        try {
          return await withDeadline({
            signal,
            budgetMs,
            work: (bounded) =>
              countLogPatterns({
                loki,
                selector: input.cluster.loki_selector ?? DEFAULT_LOKI_SELECTOR,
                startMs: input.startMs,
                endMs: input.endMs,
                signal: bounded,
              }),
            // Failing before start-to-close (retryable, benign) lets Temporal's next attempt run.
            onDeadline: () => {
              throw new AppError('UPSTREAM_TIMEOUT', `loki: no log-pattern count within ${budgetMs} ms`);
            },
          });
        } catch (error) {
          // A cancellation by Temporal is not Loki failing.
          if (!signal.aborted) {
            metrics.queryFailed({ cluster: input.cluster.name, source: 'loki', code: failureCode(error) });
          }
          throw error;
        }
      });
    },

    async writeLogPatterns(input: {
      cluster: string;
      windowKey: string;
      patterns: LogPattern[];
    }): Promise<{ inserted: number }> {
      return guardedStore({
        deps: run,
        operation: 'writeLogPatterns',
        work: () => store.writeLogPatterns(deps.sql, input),
      });
    },

    async recentLogPatterns(input: { cluster: string; sinceMs: number }): Promise<LogPattern[]> {
      return guardedStore({
        deps: run,
        operation: 'recentLogPatterns',
        work: () => store.recentLogPatterns(deps.sql, input),
      });
    },

    /** The explainer: the model when configured, else the rules; reports its own wall time. */
    async explain(input: ExplainInput): Promise<Explanation> {
      return guarded(run, async (signal) => {
        const startedMs = deps.clock();
        const explanation = deps.explain
          ? await deps.explain(input, signal)
          : explainWithRules({ decision: input.decision, logPatterns: input.logPatterns, window: input.window });
        return { ...explanation, explain_duration_ms: Math.max(0, deps.clock() - startedMs) };
      });
    },

    async writeAssessment(input: { assessment: Assessment }): Promise<{ inserted: boolean }> {
      return guardedStore({
        deps: run,
        operation: 'writeAssessment',
        work: async () => {
          const result = await store.writeAssessment(deps.sql, input.assessment);
          const { cluster, explainer } = input.assessment;
          metrics.assessmentWritten({ cluster, explainer, inserted: result.inserted });
          return result;
        },
      });
    },

    /** Retention: delete store rows older than the cutoff in batches, heartbeating after each batch. */
    async purgeExpired(input: { cutoffMs: number; batchSize?: number }): Promise<PurgeReport> {
      return guardedStore({
        deps: run,
        operation: 'purgeExpired',
        work: () => {
          const context = Context.current();
          return store.purgeOlderThan(deps.sql, {
            cutoffMs: input.cutoffMs,
            ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
            onProgress: (progress) => context.heartbeat(progress),
          });
        },
      });
    },

    async hasEquivalentAssessment(input: { cluster: string; fingerprint: string; sinceMs: number }): Promise<boolean> {
      return guardedStore({
        deps: run,
        operation: 'hasEquivalentAssessment',
        work: () => store.hasEquivalentAssessment(deps.sql, input),
      });
    },
  };
}

/** The activities' type, for `proxyActivities` in workflows (type-only) and for typed fakes in tests. */
export type CopilotActivities = ReturnType<typeof createActivities>;
