/**
 * Workflow ids are business keys, never random: one long-running workflow of each kind per cluster, so starting
 * twice is a no-op and a removed cluster's workflows can be found by name.
 */
export const WORKFLOW_ID_PREFIX = 'copilot-';

export type LongRunningKind = 'observe' | 'logs' | 'scheduled';

export const LONG_RUNNING_KINDS: readonly LongRunningKind[] = ['observe', 'logs', 'scheduled'];

/** `copilot-<kind>-<cluster>`; cluster names are `[a-z0-9._-]`, so the id parses back unambiguously. */
export function longRunningWorkflowId(kind: LongRunningKind, cluster: string): string {
  return `${WORKFLOW_ID_PREFIX}${kind}-${cluster}`;
}

/** The kind and cluster of a long-running workflow id, or null for any other id. */
export function parseLongRunningWorkflowId(id: string): { kind: LongRunningKind; cluster: string } | null {
  for (const kind of LONG_RUNNING_KINDS) {
    const prefix = `${WORKFLOW_ID_PREFIX}${kind}-`;
    if (id.startsWith(prefix) && id.length > prefix.length) return { kind, cluster: id.slice(prefix.length) };
  }
  return null;
}

/**
 * The retention workflow: one per copilot deployment (namespace and store), not per cluster. It does not parse as a
 * long-running cluster workflow, so removing clusters never stops it.
 */
export const RETENTION_WORKFLOW_ID = `${WORKFLOW_ID_PREFIX}retention`;

/** `assess-<cluster>-<epochMs>` for state/fingerprint changes; scheduled ones add `-scheduled`. */
export function assessWorkflowId(input: { cluster: string; atMs: number; scheduled: boolean }): string {
  return `assess-${input.cluster}-${input.atMs}${input.scheduled ? '-scheduled' : ''}`;
}
