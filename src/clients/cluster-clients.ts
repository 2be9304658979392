import type { ClusterConfig, SigV4Settings } from '../models/index.ts';
import { AppError } from '../models/index.ts';
import type { CredentialProvider } from './aws/index.ts';
import { createDefaultCredentialProvider, createSigV4Signer } from './aws/index.ts';
import type { LokiClient } from './loki.ts';
import { createLokiClient } from './loki.ts';
import type { PrometheusClient } from './prometheus.ts';
import { createPrometheusClient } from './prometheus.ts';
import type { RequestSigner } from './signer.ts';

/** The signing service per data source when a cluster's SigV4 settings name none. */
const DEFAULT_SIGNING_SERVICE = { prometheus: 'aps', loki: 'execute-api' } as const;

export interface ClusterClientsOptions {
  cluster: ClusterConfig;
  /**
   * Where SigV4 credentials come from; one provider serves every cluster so that temporary credentials are
   * fetched and refreshed once per process. Only needed when the cluster sets `prometheus_sigv4` or `loki_sigv4`.
   */
  credentials?: CredentialProvider;
  fetch?: typeof fetch;
  /** Per-request deadline for Prometheus/AMP. @default the client's */
  prometheusTimeoutMs?: number;
  /** Attempts per Prometheus request. @default the client's */
  prometheusMaxAttempts?: number;
  /** Per-request deadline for Loki. @default the client's */
  lokiTimeoutMs?: number;
}

export interface ClusterClients {
  prometheus: PrometheusClient;
  /** Null when the cluster has no `loki_url`: the log watcher does not run for it. */
  loki: LokiClient | null;
}

/**
 * The data-source clients for one monitored cluster, SigV4-signed where its config says so (AMP: service `aps`;
 * Loki behind API Gateway: `execute-api`).
 * @throws AppError CONFIG_INVALID when SigV4 is configured but no credential provider was given.
 */
export function createClusterClients(options: ClusterClientsOptions): ClusterClients {
  const { cluster } = options;
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  const signer = (settings: SigV4Settings | undefined, defaultService: string): { sign?: RequestSigner } => {
    if (settings === undefined) return {};
    if (options.credentials === undefined) {
      throw new AppError(
        'CONFIG_INVALID',
        `cluster ${cluster.name}: SigV4 is configured but no AWS credentials are available`,
      );
    }
    return {
      sign: createSigV4Signer({
        region: settings.region,
        service: settings.service ?? defaultService,
        credentials: options.credentials,
      }),
    };
  };
  const prometheus = createPrometheusClient({
    baseUrl: cluster.prometheus_url,
    ...fetchOption,
    ...signer(cluster.prometheus_sigv4, DEFAULT_SIGNING_SERVICE.prometheus),
    ...(options.prometheusTimeoutMs === undefined ? {} : { timeoutMs: options.prometheusTimeoutMs }),
    ...(options.prometheusMaxAttempts === undefined ? {} : { maxAttempts: options.prometheusMaxAttempts }),
  });
  const loki =
    cluster.loki_url === undefined
      ? null
      : createLokiClient({
          baseUrl: cluster.loki_url,
          ...fetchOption,
          ...signer(cluster.loki_sigv4, DEFAULT_SIGNING_SERVICE.loki),
          ...(options.lokiTimeoutMs === undefined ? {} : { timeoutMs: options.lokiTimeoutMs }),
        });
  return { prometheus, loki };
}

/** The process-wide credential provider, created only when some cluster needs SigV4. */
export function credentialsForClusters(input: {
  clusters: readonly ClusterConfig[];
  awsEnv: Record<string, string | undefined>;
}): CredentialProvider | undefined {
  const needed = input.clusters.some((c) => c.prometheus_sigv4 !== undefined || c.loki_sigv4 !== undefined);
  return needed ? createDefaultCredentialProvider({ env: input.awsEnv }) : undefined;
}
