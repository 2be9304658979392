import { type } from 'arktype';
import { createClusterClients, credentialsForClusters } from '../clients/cluster-clients.ts';
import type { PrometheusClient } from '../clients/prometheus.ts';
import { loadConfig } from '../config.ts';
import type { ClusterConfig } from '../models/index.ts';
import { AppError, SigV4Settings } from '../models/index.ts';

/** The flags every command that reads Prometheus/AMP accepts. */
export const PROMETHEUS_FLAGS = ['prometheus-url', 'sigv4-region', 'sigv4-service'] as const;

export const PROMETHEUS_FLAGS_HELP = `  --prometheus-url URL   Prometheus base URL, or an AMP workspace URL
                         (https://aps-workspaces.REGION.amazonaws.com/workspaces/ID)
  --sigv4-region REGION  sign requests with SigV4 for this region (AMP needs it); credentials come from the
                         standard AWS chain (environment, web identity, ECS/EKS container endpoint)
  --sigv4-service NAME   SigV4 service name (default aps)`;

/**
 * The Prometheus client a command's flags describe, SigV4-signed when `--sigv4-region` is given.
 * @throws AppError INVALID_INPUT for a missing URL or a malformed region.
 */
export function prometheusFromFlags(input: {
  values: ReadonlyMap<string, string>;
  clusterName: string;
  selector?: string;
  timeoutMs?: number;
  maxAttempts?: number;
}): { cluster: ClusterConfig; prometheus: PrometheusClient } {
  const url = input.values.get('prometheus-url');
  if (url === undefined) throw new AppError('INVALID_INPUT', '--prometheus-url is required (see --help)');
  const region = input.values.get('sigv4-region');
  const service = input.values.get('sigv4-service');
  if (service !== undefined && region === undefined) {
    throw new AppError('INVALID_INPUT', '--sigv4-service needs --sigv4-region');
  }
  const sigv4 = region === undefined ? undefined : SigV4Settings({ region, ...(service ? { service } : {}) });
  if (sigv4 instanceof type.errors) {
    throw new AppError('INVALID_INPUT', `--sigv4-region: ${sigv4.summary}`);
  }
  const cluster: ClusterConfig = {
    name: input.clusterName,
    prometheus_url: url,
    ...(input.selector === undefined ? {} : { selector: input.selector }),
    ...(sigv4 === undefined ? {} : { prometheus_sigv4: sigv4 }),
  };
  const credentials = credentialsForClusters({ clusters: [cluster], awsEnv: loadConfig().awsEnv });
  const { prometheus } = createClusterClients({
    cluster,
    ...(credentials ? { credentials } : {}),
    ...(input.timeoutMs === undefined ? {} : { prometheusTimeoutMs: input.timeoutMs }),
    ...(input.maxAttempts === undefined ? {} : { prometheusMaxAttempts: input.maxAttempts }),
  });
  return { cluster, prometheus };
}
