import { type } from 'arktype';
import { ScaleBand, ThresholdOverrides } from './health.ts';
import { MetricStyle, TimerUnit } from './signals.ts';

/** SigV4 settings for a data source behind IAM (AMP uses service `aps`; API Gateway uses `execute-api`). */
export const SigV4Settings = type({
  region: /^[a-z]{2}(-[a-z]+)+-\d+$/,
  'service?': 'string > 0',
  '+': 'reject',
});
export type SigV4Settings = typeof SigV4Settings.infer;

/** One monitored Temporal cluster, as configured in `COPILOT_CLUSTERS`. */
export const ClusterConfig = type({
  /** Unique name; workflow ids and store rows are keyed by it. */
  name: /^[a-z0-9][a-z0-9._-]{0,62}$/,
  prometheus_url: 'string.url',
  'prometheus_sigv4?': SigV4Settings,
  'loki_url?': 'string.url',
  'loki_sigv4?': SigV4Settings,
  /** PromQL label matchers added to every selector, e.g. `cluster="prod-eu"`. */
  'selector?': 'string',
  /** LogQL stream selector for this cluster's Temporal server logs. */
  'loki_selector?': 'string > 0',
  'metric_style?': MetricStyle,
  /** The server's timer unit when the exporter is configured unusually (OTel `withoutUnitSuffix`); detected otherwise. */
  'metric_timer_unit?': TimerUnit,
  'initial_band?': ScaleBand,
  'overrides?': ThresholdOverrides,
  '+': 'reject',
});
export type ClusterConfig = typeof ClusterConfig.infer;

export const ClusterConfigList = ClusterConfig.array()
  .atLeastLength(1)
  .narrow((clusters, ctx) => {
    const names = new Set<string>();
    for (const cluster of clusters) {
      if (names.has(cluster.name)) return ctx.reject({ expected: 'unique cluster names', actual: cluster.name });
      names.add(cluster.name);
    }
    return true;
  });
export type ClusterConfigList = typeof ClusterConfigList.infer;
