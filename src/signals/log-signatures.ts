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
 * The signature library: the original copilot's 14 narrative patterns, plus messages taken from the Temporal server
 * source (shard/context_impl.go, history/queues/executable.go, workflow_task_state_machine.go, workflow/context.go,
 * history/consts/const.go).
 */
export const LOG_SIGNATURES: readonly LogSignature[] = [
  {
    id: 'deadline-exceeded',
    pattern: 'deadline exceeded',
    match: { kind: 'regex', regex: /deadline.?exceeded/i },
    services: null,
    description: 'timeout pressure: calls are running out of time',
    impliedTier: 'stressed',
  },
  {
    id: 'context-canceled',
    pattern: 'context canceled',
    match: { kind: 'regex', regex: /context cancell?ed/i },
    services: null,
    description: 'cancellation cascade',
    impliedTier: 'stressed',
  },
  {
    id: 'shard-ownership',
    pattern: 'shard ownership',
    match: sub('shard ownership'),
    services: ['history'],
    description: 'membership instability: shards changing owner',
    impliedTier: 'stressed',
  },
  {
    id: 'member-joined',
    pattern: 'member joined',
    match: sub('member joined'),
    services: null,
    description: 'ringpop membership change',
    impliedTier: 'info',
  },
  {
    id: 'member-left',
    pattern: 'member left',
    match: sub('member left'),
    services: null,
    description: 'ringpop membership change',
    impliedTier: 'info',
  },
  {
    id: 'no-poller',
    pattern: 'no poller',
    match: sub('no poller'),
    services: ['matching'],
    description: 'tasks with no worker polling: worker misconfiguration or outage',
    impliedTier: 'stressed',
  },
  {
    id: 'reservoir-discard',
    pattern: 'reservoir discard',
    match: sub('reservoir discard'),
    services: ['history'],
    description: 'DSQL connection reservoir discarding connections: pool pressure',
    impliedTier: 'stressed',
  },
  {
    id: 'sqlstate-40001',
    pattern: 'SQLSTATE 40001',
    match: sub('sqlstate 40001'),
    services: null,
    description: 'OCC serialization failure (DSQL / Postgres)',
    impliedTier: 'stressed',
  },
  {
    id: 'rate-limit-exceeded',
    pattern: 'rate limit exceeded',
    match: sub('rate limit exceeded'),
    services: null,
    description: 'a rate limit was hit (DSQL connection rate, namespace RPS)',
    impliedTier: 'stressed',
  },
  {
    id: 'shard-acquired',
    pattern: 'shard acquired',
    match: sub('shard acquired'),
    services: ['history'],
    description: 'shard ownership change',
    impliedTier: 'info',
  },
  {
    id: 'shard-released',
    pattern: 'shard released',
    match: sub('shard released'),
    services: ['history'],
    description: 'shard ownership change',
    impliedTier: 'info',
  },
  {
    id: 'serialization-failure',
    pattern: 'serialization failure',
    match: sub('serialization failure'),
    services: null,
    description: 'OCC serialization failure',
    impliedTier: 'stressed',
  },
  {
    id: 'connection-refused',
    pattern: 'connection refused',
    match: sub('connection refused'),
    services: null,
    description: 'connectivity issue: a dependency is down or unreachable',
    impliedTier: 'critical',
  },
  {
    id: 'pool-exhausted',
    pattern: 'pool exhausted',
    match: sub('pool exhausted'),
    services: null,
    description: 'connection pool exhaustion',
    impliedTier: 'critical',
  },
  {
    id: 'persistence-failure',
    pattern: 'Persistent store operation failure',
    match: sub('persistent store operation failure'),
    services: null,
    description: 'the persistence layer failed an operation (shard context)',
    impliedTier: 'critical',
  },
  {
    id: 'shard-acquire-error',
    pattern: 'Error acquiring shard',
    match: sub('error acquiring shard'),
    services: ['history'],
    description: 'a history host could not acquire a shard: its workflows make no progress',
    impliedTier: 'critical',
  },
  {
    id: 'critical-task-error',
    pattern: 'Critical error processing task, retrying.',
    match: sub('critical error processing task'),
    services: ['history'],
    description: 'a history queue task keeps failing (operation-critical)',
    impliedTier: 'critical',
  },
  {
    id: 'task-processing-failure',
    pattern: 'Fail to process task',
    match: sub('fail to process task'),
    services: ['history'],
    description: 'a history queue task failed and will be retried',
    impliedTier: 'stressed',
  },
  {
    id: 'workflow-task-critical-attempts',
    pattern: 'Critical attempts processing workflow task',
    match: sub('critical attempts processing workflow task'),
    services: null,
    description: 'a workflow task has failed many times (stuck workflow, usually a worker-side bug)',
    impliedTier: 'stressed',
  },
  {
    id: 'history-size-warn',
    pattern: 'history size exceeds warn limit.',
    match: sub('history size exceeds warn limit'),
    services: ['history'],
    description: 'a workflow history is approaching the size limit: continue-as-new is overdue',
    impliedTier: 'stressed',
  },
  {
    id: 'history-count-warn',
    pattern: 'history count exceeds warn limit.',
    match: sub('history count exceeds warn limit'),
    services: ['history'],
    description: 'a workflow history is approaching the event-count limit: continue-as-new is overdue',
    impliedTier: 'stressed',
  },
  {
    id: 'mutable-state-size-error',
    pattern: 'mutable state size exceeds error limit.',
    match: sub('mutable state size exceeds error limit'),
    services: ['history'],
    description: 'a workflow mutable state passed the error limit: that workflow will be terminated',
    impliedTier: 'stressed',
  },
  {
    id: 'workflow-busy',
    pattern: 'Workflow is busy.',
    match: sub('workflow is busy'),
    services: null,
    description: 'per-workflow lock contention (ResourceExhausted): too many updates/signals to one workflow',
    impliedTier: 'stressed',
  },
  {
    id: 'shard-ownership-lost',
    pattern: 'shard ownership lost',
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
