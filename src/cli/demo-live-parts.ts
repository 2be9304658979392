import type { Api } from '../api/index.ts';
import { childProcessEnv } from '../config.ts';
import type { LoadProcess } from '../demo/load/processes.ts';
import { bundleForNode, spawnNodeProcess } from '../demo/load/processes.ts';
import type { ClusterConfig, HealthState, StoreConfig } from '../models/index.ts';
import { parseOrThrow, SummaryResponse } from '../models/index.ts';

/** What `copilot demo` (live) is told on its command line. */
export interface LiveDemoOptions {
  /** Seconds of healthy load after the first Happy, before the outage. */
  healthySec: number;
  /** Longest the workers stay down; the outage ends earlier once the copilot says Critical. */
  outageSec: number;
  /** The copilot's observe interval. */
  intervalSec: number;
  /** Port of the API and status page (0 picks a free one). */
  apiPort: number;
  /** Exit after the recovery instead of serving the page until Ctrl-C. */
  once: boolean;
  /** The Temporal CLI to run the dev servers with. */
  temporalCli: string;
  /** The explainer's settings for the worker (COPILOT_LLM_*); empty: rules only. */
  llmEnv: Record<string, string>;
}

export interface DemoTimings {
  /** Seconds from the demo's start to the first stored assessment. */
  firstAssessmentSec: number | null;
  /** Every state change the API showed, seconds from the demo's start. */
  changes: { state: HealthState; atSec: number; explainer: string | null }[];
}

/** The store as environment for the worker process: the same database the demo and its API use. */
function storeEnv(store: StoreConfig): Record<string, string> {
  switch (store.kind) {
    case 'embedded':
      return { COPILOT_DATA_DIR: store.dataDir, COPILOT_EMBEDDED_DB_PORT: String(store.port) };
    case 'postgres':
      return { DATABASE_URL: store.url };
    case 'dsql':
      return { DSQL_ENDPOINT: store.endpoint, AWS_REGION: store.region, DSQL_USER: store.user };
  }
}

/**
 * The copilot's worker exactly as production runs it: src/worker.ts bundled for Node (`dist/worker.js`) and started
 * with `node`, configured only through its environment.
 */
export async function startCopilotWorker(input: {
  store: StoreConfig;
  temporalAddress: string;
  cluster: ClusterConfig;
  intervalSec: number;
  llmEnv: Record<string, string>;
  /** Loopback port of the worker's own /metrics (the production default, 0.0.0.0:9464, is not the demo's to take). */
  metricsPort: number;
}): Promise<LoadProcess> {
  const script = await bundleForNode({ entry: 'src/worker.ts', name: 'worker' });
  const worker = await spawnNodeProcess({
    script,
    env: {
      ...childProcessEnv(),
      ...storeEnv(input.store),
      ...input.llmEnv,
      TEMPORAL_ADDRESS: input.temporalAddress,
      COPILOT_OBSERVE_INTERVAL_SEC: String(input.intervalSec),
      COPILOT_CLUSTERS: JSON.stringify([input.cluster]),
      COPILOT_WORKER_METRICS_HOST: '127.0.0.1',
      COPILOT_WORKER_METRICS_PORT: String(input.metricsPort),
    },
  });
  // The worker prints nothing when it is up; one that fails on its configuration exits within a second or two.
  await Promise.race([worker.exited, Bun.sleep(3_000)]);
  const exitedEarly = await Promise.race([worker.exited.then(() => true), Promise.resolve(false)]);
  if (exitedEarly) throw new Error(`the copilot worker exited at start: ${worker.output().slice(-3000)}`);
  return worker;
}

/**
 * Poll the API in process (the same handler the page and Grafana call) once a second; print each state change and
 * the first assessment, and record when they came.
 */
export function watchStatus(input: {
  api: Api;
  cluster: string;
  t0: number;
  say: (line: string) => void;
  timings: DemoTimings;
  worker: LoadProcess;
}): { state(): HealthState | null; stop(): void } {
  let state: HealthState | null = null;
  let stopped = false;
  let workerExitReported = false;
  const sinceStart = () => Math.round((Date.now() - input.t0) / 1000);
  const poll = async () => {
    const response = await input.api.fetch(
      new Request(`http://demo.local/status/summary?cluster=${encodeURIComponent(input.cluster)}`),
    );
    if (response.status !== 200) return;
    const summary = parseOrThrow(SummaryResponse, await response.json(), '/status/summary');
    if (summary.as_of === null) return;
    if (input.timings.firstAssessmentSec === null && summary.assessment_at !== null) {
      input.timings.firstAssessmentSec = sinceStart();
      input.say(`first assessment stored (${summary.explainer ?? 'rules'}): ${summary.summary}`);
    }
    if (summary.health_state !== state) {
      const from = state ?? 'nothing';
      state = summary.health_state;
      input.timings.changes.push({ state, atSec: sinceStart(), explainer: summary.explainer });
      input.say(`STATE ${from} -> ${state.toUpperCase()}: ${summary.summary}`);
    }
  };
  void (async () => {
    while (!stopped) {
      await poll().catch((error: unknown) => input.say(`status poll failed: ${String(error)}`));
      if (!workerExitReported) {
        const exited = await Promise.race([input.worker.exited.then(() => true), Promise.resolve(false)]);
        if (exited) {
          workerExitReported = true;
          input.say(`the copilot worker exited: ${input.worker.output().slice(-2000)}`);
        }
      }
      await Bun.sleep(1_000);
    }
  })();
  return {
    state: () => state,
    stop: () => {
      stopped = true;
    },
  };
}
