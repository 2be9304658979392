/** What a log signature suggests about cluster health; narrative only: log signatures never decide the state. */
export type LogTier = 'critical' | 'stressed' | 'info';

export type LogMatch = { kind: 'substring'; text: string } | { kind: 'regex'; regex: RegExp };

/** A known Temporal server (or persistence) log message worth counting. */
export interface LogSignature {
  /** Stable id, stored with every count. */
  id: string;
  /** Human-readable pattern, stored as `LogPattern.pattern`. */
  pattern: string;
  /** Case-insensitive; a regex must be RE2-compatible because it is also sent to Loki as a line filter. */
  match: LogMatch;
  /** Temporal roles the line must come from (substring of the service name); null for any. */
  services: readonly string[] | null;
  description: string;
  impliedTier: LogTier;
}

const sub = (text: string): LogMatch => ({ kind: 'substring', text });

/**
 * The signature library. Every entry matches a message that the Temporal server (v1.29.1, paths in `source`), its
 * ringpop membership, Go's standard library inside a logged error, or the Postgres/DSQL drivers really log; the
 * real lines each one must match are kept in test/fixtures/log-lines.ts. Dropped from the original's fourteen
 * because nothing logs them: "member joined", "member left" (ringpop-go logs neither; the ring change is "Current
 * reachable members"), "shard acquired" / "shard released" (the server logs "Acquired shard" and nothing on
 * release), "serialization failure" and "pool exhausted" (no driver says either), "reservoir discard" (the DSQL
 * plugin's text cannot be checked here), and "no poller", "rate limit exceeded", "Workflow is busy." (returned to
 * callers as errors, not logged).
 */
export const LOG_SIGNATURES: readonly LogSignature[] = [
  {
    id: 'deadline-exceeded',
    pattern: 'deadline exceeded',
    // Go's context.DeadlineExceeded ("context deadline exceeded") inside a logged error field.
    match: { kind: 'regex', regex: /deadline.?exceeded/i },
    services: null,
    description: 'timeout pressure: calls are running out of time',
    impliedTier: 'stressed',
  },
  {
    id: 'context-canceled',
    pattern: 'context canceled',
    // Go's context.Canceled inside a logged error field.
    match: { kind: 'regex', regex: /context cancell?ed/i },
    services: null,
    description: 'cancellation cascade',
    impliedTier: 'stressed',
  },
  {
    id: 'ring-membership-changed',
    pattern: 'Current reachable members',
    // common/membership/ringpop/service_resolver.go, logged on every ring change of a role.
    match: sub('current reachable members'),
    services: null,
    description: "membership changed: a host joined or left a role's ring",
    impliedTier: 'info',
  },
  {
    id: 'sqlstate-40001',
    pattern: 'SQLSTATE 40001',
    // pgx formats a server error as "ERROR: <message> (SQLSTATE <code>)".
    match: sub('sqlstate 40001'),
    services: null,
    description: 'OCC serialization failure (DSQL / Postgres)',
    impliedTier: 'stressed',
  },
  {
    id: 'dsql-occ-conflict',
    pattern: 'mutation conflicts with another transaction',
    // Aurora DSQL's OC000 conflict message (reference aws-protocols §DSQL).
    match: sub('mutation conflicts with another transaction'),
    services: null,
    description: 'DSQL optimistic-concurrency conflict: two writers touched the same rows',
    impliedTier: 'stressed',
  },
  {
    id: 'shard-acquired',
    pattern: 'Acquired shard',
    // service/history/shard/context_impl.go
    match: sub('acquired shard'),
    services: ['history'],
    description: 'a history host took ownership of a shard (startup, rebalancing)',
    impliedTier: 'info',
  },
  {
    id: 'connection-refused',
    pattern: 'connection refused',
    // Go's net error text ("dial tcp …: connect: connection refused") inside a logged error field.
    match: sub('connection refused'),
    services: null,
    description: 'connectivity issue: a dependency is down or unreachable',
    impliedTier: 'critical',
  },
  {
    id: 'persistence-failure',
    pattern: 'Persistent store operation failure',
    // service/history/shard/context_impl.go, service/matching/db.go
    match: sub('persistent store operation failure'),
    services: null,
    description: 'the persistence layer failed an operation (shard context)',
    impliedTier: 'critical',
  },
  {
    id: 'persistence-internal-error',
    pattern: 'Operation failed with internal error.',
    // common/persistence/persistence_metric_clients.go (updateErrorMetric)
    match: sub('operation failed with internal error'),
    services: null,
    description: 'a persistence call failed with an internal (unexpected) error',
    impliedTier: 'critical',
  },
  {
    id: 'shard-acquire-error',
    pattern: 'Error acquiring shard',
    // service/history/shard/context_impl.go (acquireShard retry loop)
    match: sub('error acquiring shard'),
    services: ['history'],
    description: 'a history host could not acquire a shard: its workflows make no progress',
    impliedTier: 'critical',
  },
  {
    id: 'shard-acquire-gave-up',
    pattern: "Couldn't acquire shard",
    // service/history/shard/context_impl.go: acquisition gave up, the shard is unloaded
    match: sub("couldn't acquire shard"),
    services: ['history'],
    description: 'a history host gave up acquiring a shard: that shard is unowned until another host takes it',
    impliedTier: 'critical',
  },
  {
    id: 'critical-task-error',
    pattern: 'Critical error processing task, retrying.',
    // service/history/queues/executable.go
    match: sub('critical error processing task'),
    services: ['history'],
    description: 'a history queue task keeps failing (operation-critical)',
    impliedTier: 'critical',
  },
  {
    id: 'task-processing-failure',
    pattern: 'Fail to process task',
    // service/history/queues/executable.go
    match: sub('fail to process task'),
    services: ['history'],
    description: 'a history queue task failed and will be retried',
    impliedTier: 'stressed',
  },
  {
    id: 'workflow-task-critical-attempts',
    pattern: 'Critical attempts processing workflow task',
    // service/history/workflow/workflow_task_state_machine.go
    match: sub('critical attempts processing workflow task'),
    services: null,
    description: 'a workflow task has failed many times (stuck workflow, usually a worker-side bug)',
    impliedTier: 'stressed',
  },
  {
    id: 'history-size-warn',
    pattern: 'history size exceeds warn limit.',
    // service/history/workflow/context.go
    match: sub('history size exceeds warn limit'),
    services: ['history'],
    description: 'a workflow history is approaching the size limit: continue-as-new is overdue',
    impliedTier: 'stressed',
  },
  {
    id: 'history-count-warn',
    pattern: 'history count exceeds warn limit.',
    // service/history/workflow/context.go
    match: sub('history count exceeds warn limit'),
    services: ['history'],
    description: 'a workflow history is approaching the event-count limit: continue-as-new is overdue',
    impliedTier: 'stressed',
  },
  {
    id: 'mutable-state-size-error',
    pattern: 'mutable state size exceeds error limit.',
    // service/history/workflow/context.go
    match: sub('mutable state size exceeds error limit'),
    services: ['history'],
    description: 'a workflow mutable state passed the error limit: that workflow will be terminated',
    impliedTier: 'stressed',
  },
  {
    id: 'shard-ownership-lost',
    pattern: 'shard ownership lost',
    // client/history/caching_redirector.go ("updating cache from shard ownership lost error"), and the Cassandra
    // store's "Encounter shard ownership lost" error text
    match: sub('shard ownership lost'),
    services: null,
    description: 'a shard moved while a request was in flight (clients refresh their routing)',
    impliedTier: 'info',
  },
];

/** Temporal server roles; a service name that names none of them cannot be filtered by role. */
export const TEMPORAL_ROLES: readonly string[] = ['history', 'matching', 'frontend', 'worker'];

/** True when `lowerLine` (already lower-cased) matches the signature's text. */
export function matchesSignature(signature: LogSignature, lowerLine: string): boolean {
  switch (signature.match.kind) {
    case 'substring':
      return lowerLine.includes(signature.match.text.toLowerCase());
    case 'regex':
      return signature.match.regex.test(lowerLine);
    default: {
      const unreachable: never = signature.match;
      return unreachable;
    }
  }
}

/**
 * Whether a line from `service` may count for the signature. A role filter applies only when the service names a
 * Temporal role: a single-binary deployment (service "temporal") cannot say which role logged the line, and
 * dropping its lines would hide exactly what we count.
 */
export function serviceMatches(signature: LogSignature, service: string): boolean {
  if (signature.services === null) return true;
  if (!TEMPORAL_ROLES.some((role) => service.includes(role))) return true;
  return signature.services.some((role) => service.includes(role));
}

/** RE2 escaping for a literal inside a LogQL regex. */
function escapeRe2(text: string): string {
  return text.replace(/[\\.^$|?*+()[\]{}]/g, '\\$&');
}

/**
 * A LogQL query that returns only lines matching at least one signature, so Loki does the filtering:
 * `<selector> |~ `(?i)(a|b|…)``. Backtick strings are raw in LogQL, so regexes need no second escaping.
 */
export function buildSignatureQuery(selector: string, signatures: readonly LogSignature[] = LOG_SIGNATURES): string {
  const alternatives = signatures.map((s) =>
    s.match.kind === 'substring' ? escapeRe2(s.match.text) : s.match.regex.source,
  );
  return `${selector.trim()} |~ \`(?i)(${alternatives.join('|').replaceAll('`', '')})\``;
}
