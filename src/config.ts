import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type } from 'arktype';
import { bearerTokenProblem } from './api/guards.ts';
import { KbEnv, LlmEnv, readKbConfig, readLlmConfig, readLlmPrices } from './config-llm.ts';
import { validateOverrides } from './health/index.ts';
import type { ClusterConfig, KbConfig, LlmConfig, PriceTable } from './models/index.ts';
import { AppError, ClusterConfigList, parseJsonText, parseOrThrow } from './models/index.ts';
import { parseLabelMatchers } from './signals/promql.ts';

/**
 * The only module that reads the environment. Everything else receives the frozen `Config` it returns.
 * Every variable is listed in the README's configuration table.
 */

import type { StoreConfig } from './models/index.ts';

export type { StoreConfig } from './models/index.ts';

export interface Config {
  store: StoreConfig;
  temporal: { address: string; namespace: string; taskQueue: string };
  api: { port: number; host: string; bearerToken: string | null; corsOrigins: readonly string[] };
  clusters: readonly ClusterConfig[];
  observeIntervalMs: number;
  assessmentIntervalMs: number;
  retentionDays: number;
  awsRegion: string | null;
  /**
   * The AWS credential-chain variables (`AWS_*`), for SigV4 clients. Not enumerable, so that logging or
   * serializing the config cannot leak a secret key.
   */
  readonly awsEnv: Readonly<Record<string, string | undefined>>;
  /** The explainer's model provider (config-llm.ts); `none` explains with rules only. */
  llm: LlmConfig;
  /** The knowledge base (config-llm.ts): Bedrock KB when an id is set, else the local index over docs/rag. */
  kb: KbConfig;
  /** USD per million tokens per model (COPILOT_LLM_PRICES over the defaults), for the explainer's cost estimate. */
  llmPrices: PriceTable;
  /** The worker's own `/metrics` and `/healthz`; null when `COPILOT_WORKER_METRICS_PORT=0` turns them off. */
  workerMetrics: { host: string; port: number } | null;
}

const Env = LlmEnv.and(KbEnv).and({
  'DATABASE_URL?': /^postgres(ql)?:\/\//,
  'DSQL_ENDPOINT?': 'string > 0',
  'DSQL_USER?': 'string > 0',
  'AWS_REGION?': 'string > 0',
  'TEMPORAL_ADDRESS?': 'string > 0',
  'TEMPORAL_NAMESPACE?': 'string > 0',
  'COPILOT_TASK_QUEUE?': 'string > 0',
  'COPILOT_API_PORT?': 'string.integer.parse |> 0 <= number.integer <= 65535',
  'COPILOT_API_HOST?': 'string > 0',
  'COPILOT_API_TOKEN?': 'string >= 16',
  'COPILOT_CORS_ORIGINS?': 'string',
  'COPILOT_CLUSTERS?': 'string > 0',
  'COPILOT_DATA_DIR?': 'string > 0',
  'COPILOT_EMBEDDED_DB_PORT?': 'string.integer.parse |> 0 <= number.integer <= 65535',
  'COPILOT_OBSERVE_INTERVAL_SEC?': 'string.integer.parse |> 5 <= number.integer <= 3600',
  'COPILOT_ASSESSMENT_INTERVAL_MIN?': 'string.integer.parse |> 1 <= number.integer <= 1440',
  'COPILOT_RETENTION_DAYS?': 'string.integer.parse |> 1 <= number.integer <= 3650',
  'COPILOT_WORKER_METRICS_PORT?': 'string.integer.parse |> 0 <= number.integer <= 65535',
  'COPILOT_WORKER_METRICS_HOST?': 'string > 0',
});

/** Defaults, in one table. */
export const DEFAULTS = {
  temporalAddress: 'localhost:7233',
  temporalNamespace: 'default',
  taskQueue: 'copilot-task-queue',
  apiPort: 8081,
  /** Loopback unless told otherwise: exposing the API is a deliberate choice (with a token, behind a proxy). */
  apiHost: '127.0.0.1',
  embeddedDbPort: 54329,
  dsqlUser: 'admin',
  observeIntervalSec: 30,
  assessmentIntervalMin: 5,
  retentionDays: 7,
  /** The OpenTelemetry Prometheus exporter's default port, where scrape configs for a process's own metrics look. */
  workerMetricsPort: 9464,
  /**
   * All interfaces, unlike the API: the endpoint exists to be scraped by a Prometheus on another host (a pod, a
   * task), it is read-only and it holds counts and configured names only, never status, logs or secrets.
   */
  workerMetricsHost: '0.0.0.0',
} as const;

/** Where the embedded database lives when nothing else is configured. */
export function defaultDataDir(env: Record<string, string | undefined>): string {
  const base = env['XDG_DATA_HOME'] ?? join(env['HOME'] ?? homedir(), '.local', 'share');
  return join(base, 'temporal-sre-copilot');
}

/**
 * Read and validate the configuration.
 * @throws AppError CONFIG_INVALID naming the variable, with every problem listed.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const relevant = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = Env(relevant);
  if (parsed instanceof type.errors) {
    throw new AppError('CONFIG_INVALID', `invalid environment: ${parsed.summary}`, {
      problems: parsed.flatProblemsByPath,
    });
  }
  if (parsed.DATABASE_URL && parsed.DSQL_ENDPOINT) {
    throw new AppError('CONFIG_INVALID', 'set DATABASE_URL or DSQL_ENDPOINT, not both');
  }
  if (parsed.DSQL_ENDPOINT && !parsed.AWS_REGION) {
    throw new AppError('CONFIG_INVALID', 'DSQL_ENDPOINT needs AWS_REGION (the cluster region used to sign IAM tokens)');
  }
  const tokenProblem = parsed.COPILOT_API_TOKEN ? bearerTokenProblem(parsed.COPILOT_API_TOKEN) : null;
  if (tokenProblem) {
    throw new AppError('CONFIG_INVALID', `COPILOT_API_TOKEN: ${tokenProblem}`, {
      problems: { COPILOT_API_TOKEN: [tokenProblem] },
    });
  }
  const store: StoreConfig = parsed.DATABASE_URL
    ? { kind: 'postgres', url: parsed.DATABASE_URL }
    : parsed.DSQL_ENDPOINT && parsed.AWS_REGION
      ? {
          kind: 'dsql',
          endpoint: parsed.DSQL_ENDPOINT,
          region: parsed.AWS_REGION,
          user: parsed.DSQL_USER ?? DEFAULTS.dsqlUser,
        }
      : {
          kind: 'embedded',
          dataDir: parsed.COPILOT_DATA_DIR ?? defaultDataDir(env),
          port: parsed.COPILOT_EMBEDDED_DB_PORT ?? DEFAULTS.embeddedDbPort,
        };
  const config: Config = {
    store,
    temporal: {
      address: parsed.TEMPORAL_ADDRESS ?? DEFAULTS.temporalAddress,
      namespace: parsed.TEMPORAL_NAMESPACE ?? DEFAULTS.temporalNamespace,
      taskQueue: parsed.COPILOT_TASK_QUEUE ?? DEFAULTS.taskQueue,
    },
    api: {
      port: parsed.COPILOT_API_PORT ?? DEFAULTS.apiPort,
      host: parsed.COPILOT_API_HOST ?? DEFAULTS.apiHost,
      bearerToken: parsed.COPILOT_API_TOKEN ?? null,
      corsOrigins: (parsed.COPILOT_CORS_ORIGINS ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0),
    },
    clusters: parsed.COPILOT_CLUSTERS ? readClusters(parsed.COPILOT_CLUSTERS) : [],
    observeIntervalMs: (parsed.COPILOT_OBSERVE_INTERVAL_SEC ?? DEFAULTS.observeIntervalSec) * 1000,
    assessmentIntervalMs: (parsed.COPILOT_ASSESSMENT_INTERVAL_MIN ?? DEFAULTS.assessmentIntervalMin) * 60_000,
    retentionDays: parsed.COPILOT_RETENTION_DAYS ?? DEFAULTS.retentionDays,
    awsRegion: parsed.AWS_REGION ?? null,
    awsEnv: Object.freeze(awsVariables(env)),
    llm: readLlmConfig(parsed),
    kb: readKbConfig(parsed),
    llmPrices: readLlmPrices(parsed.COPILOT_LLM_PRICES),
    workerMetrics: workerMetrics(parsed),
  };
  Object.defineProperty(config, 'awsEnv', { enumerable: false });
  return Object.freeze(config);
}

/** `COPILOT_WORKER_METRICS_PORT`: unset → the default port, `0` → no endpoint (a worker on a random port is unscrapable). */
function workerMetrics(parsed: {
  COPILOT_WORKER_METRICS_PORT?: number;
  COPILOT_WORKER_METRICS_HOST?: string;
}): Config['workerMetrics'] {
  const port = parsed.COPILOT_WORKER_METRICS_PORT ?? DEFAULTS.workerMetricsPort;
  if (port === 0) return null;
  return { host: parsed.COPILOT_WORKER_METRICS_HOST ?? DEFAULTS.workerMetricsHost, port };
}

function awsVariables(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('AWS_')));
}

/** `COPILOT_CLUSTERS` is JSON, or `@path` to a JSON file. */
function readClusters(value: string): ClusterConfig[] {
  let text = value;
  if (value.startsWith('@')) {
    const path = value.slice(1);
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new AppError('CONFIG_INVALID', `COPILOT_CLUSTERS: cannot read ${path}`, { cause: error });
    }
  }
  let clusters: ClusterConfig[];
  try {
    clusters = parseOrThrow(ClusterConfigList, parseJsonText(text, 'COPILOT_CLUSTERS'), 'COPILOT_CLUSTERS');
  } catch (error) {
    if (error instanceof AppError)
      throw new AppError('CONFIG_INVALID', error.message, { problems: error.problems ?? {} });
    throw error;
  }
  for (const cluster of clusters) checkClusterSemantics(cluster);
  return clusters;
}

/**
 * What the schema cannot see: a selector PromQL would reject, and overrides that break threshold ordering in some
 * band. Both would otherwise surface much later (every cycle skipped, or the observer failing the first time
 * traffic crosses into the band the override breaks), so they stop the process at start instead.
 */
function checkClusterSemantics(cluster: ClusterConfig): void {
  const where = `COPILOT_CLUSTERS: cluster ${cluster.name}`;
  const check = (field: 'selector' | 'overrides', run: () => void) => {
    try {
      run();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new AppError('CONFIG_INVALID', `${where}: ${field}: ${reason}`, { problems: { [field]: [reason] } });
    }
  };
  const { selector, overrides } = cluster;
  if (selector !== undefined && selector.trim() !== '') check('selector', () => parseLabelMatchers(selector));
  if (overrides !== undefined) check('overrides', () => validateOverrides(overrides));
}

/**
 * What a child process the CLI starts (the live demo's worker) needs from this environment besides its own
 * settings: PATH and HOME, and the AWS credential chain. Kept here so that process.env is read in one place.
 */
export function childProcessEnv(env: Record<string, string | undefined> = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && (entry[0] === 'PATH' || entry[0] === 'HOME' || entry[0].startsWith('AWS_')),
    ),
  );
}

/** `COPILOT_TEMPORAL_CLI`: the Temporal CLI the live demo runs its dev servers with, when set. */
export function configuredTemporalCli(env: Record<string, string | undefined> = process.env): string | null {
  const value = env['COPILOT_TEMPORAL_CLI'];
  return value === undefined || value === '' ? null : value;
}
