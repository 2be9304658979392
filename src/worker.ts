import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { createWorkerMetrics, type WorkerMetrics } from './activities/worker-metrics.ts';
import type { ClusterClients } from './clients/cluster-clients.ts';
import { createClusterClients, credentialsForClusters } from './clients/cluster-clients.ts';
import type { Config } from './config.ts';
import { loadConfig } from './config.ts';
import { explainDeadlineMs } from './config-llm.ts';
import { migrate, openStore } from './db/index.ts';
import { explainerModelsFor } from './explainer-models.ts';
import { createKnowledgeRetriever } from './knowledge-base.ts';
import type { ClusterConfig } from './models/index.ts';
import { fleetIndex } from './signals/index.ts';
import { connectTemporal, NO_CLUSTERS_WARNING, reconcileWorkflows } from './temporal.ts';
import { startWorkerMetricsServer, type WorkerMetricsServer } from './worker-metrics-server.ts';

/**
 * The worker entrypoint (runs on Node: see the README, "Why the worker runs on Node"). It registers every workflow
 * and activity, starts each configured cluster's long-running workflows (idempotently), stops those of removed
 * clusters, and shuts down gracefully on SIGTERM/SIGINT.
 *
 * Workflows are bundled from source at start. The path is relative to this file's directory's parent so that it
 * resolves the same from `src/worker.ts` and from the bundled `dist/worker.js`.
 */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../src/workflows/index.ts', import.meta.url));
/** The local knowledge base's corpus, resolved the same way (the agents module's own default breaks when bundled). */
export const CORPUS_DIR = fileURLToPath(new URL('../docs/rag', import.meta.url));

/** Per-request deadline of the activities' Prometheus client; the whole observation has its own, longer budget. */
export const ACTIVITY_PROMETHEUS_TIMEOUT_MS = 4_000;
/** Attempts per Prometheus request inside an activity (the cycle itself is retried by the next slot). */
export const ACTIVITY_PROMETHEUS_ATTEMPTS = 2;
/** Per-request deadline of the activities' Loki client: a retry must fit inside the log-count activity's budget. */
export const ACTIVITY_LOKI_TIMEOUT_MS = 8_000;

function clientCache<T>(create: (cluster: ClusterConfig) => T): (cluster: ClusterConfig) => T {
  const byName = new Map<string, T>();
  return (cluster) => {
    const existing = byName.get(cluster.name);
    if (existing !== undefined) return existing;
    const created = create(cluster);
    byName.set(cluster.name, created);
    return created;
  };
}

/** Build and run the worker until it is shut down. Resolves when it has drained; never calls process.exit. */
export async function runWorker(config: Readonly<Config>, signals: { onStop(stop: () => void): void }): Promise<void> {
  const metrics = createWorkerMetrics();
  // First, so that a taken port stops the worker before it has connected to anything.
  const metricsServer: WorkerMetricsServer | null = config.workerMetrics
    ? await startWorkerMetricsServer({ ...config.workerMetrics, exposition: metrics.exposition })
    : null;
  if (metricsServer) process.stderr.write(`worker: metrics at ${metricsServer.url}/metrics\n`);
  try {
    await runWithMetrics({ config, signals, metrics });
  } finally {
    await metricsServer?.close();
  }
}

/**
 * How long a SIGTERM drain may take before the worker gives up on it (see Worker.create below): 20 s, so that closing
 * the connection and the store (up to 5 s) still ends inside the orchestrators' 30 s.
 */
const SHUTDOWN_FORCE_TIME = '20 seconds';

async function runWithMetrics(input: {
  config: Readonly<Config>;
  signals: { onStop(stop: () => void): void };
  metrics: WorkerMetrics;
}): Promise<void> {
  const { config, signals, metrics } = input;
  const store = await openStore(config.store);
  try {
    await migrate(store.sql);
    const credentials = credentialsForClusters({ clusters: config.clusters, awsEnv: config.awsEnv });
    const clientsFor = clientCache<ClusterClients>((cluster) =>
      createClusterClients({
        cluster,
        ...(credentials ? { credentials } : {}),
        // Inside the fetch activity's budget (activities/index.ts): a slow query becomes a null with its reason.
        prometheusTimeoutMs: ACTIVITY_PROMETHEUS_TIMEOUT_MS,
        prometheusMaxAttempts: ACTIVITY_PROMETHEUS_ATTEMPTS,
        lokiTimeoutMs: ACTIVITY_LOKI_TIMEOUT_MS,
      }),
    );
    const activities = createActivities({
      sql: store.sql,
      prometheusFor: (cluster) => clientsFor(cluster).prometheus,
      lokiFor: (cluster) => clientsFor(cluster).loki,
      fleetFor: fleetIndex(config.clusters),
      clock: Date.now,
      models: explainerModelsFor({
        llm: config.llm,
        prices: config.llmPrices,
        awsEnv: config.awsEnv,
        ...(credentials ? { credentials } : {}),
      }),
      // Bedrock Knowledge Base Retrieve when COPILOT_KB_ID is set, else the local index over docs/rag.
      knowledge: createKnowledgeRetriever({
        corpusDir: CORPUS_DIR,
        kb: config.kb,
        awsEnv: config.awsEnv,
        ...(credentials ? { credentials } : {}),
      }),
      metrics,
    });
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    try {
      const worker = await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        workflowsPath: WORKFLOWS_PATH,
        activities,
        // Activities take their abort signal (activities/run.ts), so cancelled at shutdown they end at once. The
        // force time bounds a drain that still hangs (seen once with 400 observers in bench/fleet.ts) inside the 30 s
        // an orchestrator gives before SIGKILL (ECS stopTimeout, Kubernetes terminationGracePeriodSeconds): the
        // worker then exits non-zero and its tasks are retried by another worker, instead of waiting to be killed.
        shutdownForceTime: SHUTDOWN_FORCE_TIME,
      });
      signals.onStop(() => worker.shutdown());
      const temporal = await connectTemporal(config.temporal);
      try {
        if (config.clusters.length === 0) process.stderr.write(`worker: ${NO_CLUSTERS_WARNING}\n`);
        const { started } = await reconcileWorkflows({
          client: temporal.client,
          taskQueue: config.temporal.taskQueue,
          clusters: config.clusters,
          observeIntervalMs: config.observeIntervalMs,
          assessmentIntervalMs: config.assessmentIntervalMs,
          retentionDays: config.retentionDays,
          explainTimeoutMs: explainDeadlineMs(config.llm),
        });
        for (const workflow of started.filter((w) => w.restarted)) {
          process.stderr.write(`worker: restarted ${workflow.workflowId} (its configuration changed)\n`);
        }
      } finally {
        await temporal.close();
      }
      await worker.run();
    } finally {
      await connection.close();
    }
  } finally {
    await store.close();
  }
}

if (import.meta.main || process.argv[1] === fileURLToPath(import.meta.url)) {
  runWorker(loadConfig(), {
    onStop(stop) {
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
  }).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
