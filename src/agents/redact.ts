/**
 * Reversible redaction of identifiers before any model request body is built. Namespaces, workflow and run ids,
 * task queues, cluster names, host names and addresses, ARNs, account ids and e-mail addresses become stable
 * placeholders (`<host-1>`: the same value always gets the same placeholder within one redactor) and are restored
 * in the answer. Secret-looking strings become `<secret-n>` too, but restore to `[REDACTED]`: a secret the model
 * quotes back must not reach the stored assessment. Host detection needs a known top-level label so that our own
 * dotted vocabulary (`primary.history.backlog_age_sec`, `docs/rag/x.md`) is left alone.
 */

export type IdentifierKind =
  | 'literal'
  | 'cluster'
  | 'namespace'
  | 'workflow'
  | 'run'
  | 'task-queue'
  | 'secret'
  | 'arn'
  | 'account'
  | 'email'
  | 'host'
  | 'ip';

export interface KnownIdentifiers {
  clusters?: readonly string[];
  namespaces?: readonly string[];
  taskQueues?: readonly string[];
  workflowIds?: readonly string[];
  hosts?: readonly string[];
}

export interface Redactor {
  redact(text: string): string;
  /** Redact every string in a JSON-like value (object keys and numbers stay as they are). */
  redactDeep<T>(value: T): T;
  restore(text: string): string;
  restoreDeep<T>(value: T): T;
  /** Placeholder → kind, for reporting what was redacted (never the values). */
  placeholders(): ReadonlyMap<string, IdentifierKind>;
}

const PLACEHOLDER = /<(literal|cluster|namespace|workflow|run|task-queue|secret|arn|account|email|host|ip)-\d+>/g;
const RESTORED_SECRET = '[REDACTED]';

/** Top-level labels that make a dotted name a host name (public suffixes we see in infrastructure, private zones). */
const HOST_TLDS =
  'com|net|org|io|dev|app|cloud|aws|amazonaws|internal|local|localdomain|lan|corp|home|svc|cluster|intra|test|example|co|uk|de|fr|nl|eu|us|ai|sh';

type Detector = { kind: IdentifierKind; pattern: RegExp; group?: number };

// Order matters: the widest shapes first (an ARN holds an account id, an e-mail and a URL hold a host).
const DETECTORS: readonly Detector[] = [
  { kind: 'secret', pattern: /\b(?:Bearer|Basic|Token)\s+([A-Za-z0-9\-._~+/=]{6,})/gi, group: 1 },
  { kind: 'secret', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  { kind: 'secret', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g },
  {
    kind: 'secret',
    pattern:
      /\b[A-Za-z0-9_-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credential|authorization)s?["']?\s*[:=]\s*["']?((?!<)(?!(?:Bearer|Basic|Token)\s)[^\s"',;&}\]]+)/gi,
    group: 1,
  },
  { kind: 'secret', pattern: /\b[a-z][a-z0-9+.-]{0,20}:\/\/([^\s/?#@<]+)@/gi, group: 1 },
  { kind: 'arn', pattern: /\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[^\s"',;)\]}]+/g },
  { kind: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  {
    kind: 'namespace',
    pattern: /\b(?:wf-namespace|namespace|temporal_namespace)["']?\s*[:=]\s*["']?((?!<)[^\s"',;&}\]]+)/gi,
    group: 1,
  },
  { kind: 'run', pattern: /\b(?:wf-run-id|run[_-]?id)["']?\s*[:=]\s*["']?((?!<)[^\s"',;&}\]]+)/gi, group: 1 },
  { kind: 'workflow', pattern: /\b(?:wf-id|workflow[_-]?id)["']?\s*[:=]\s*["']?((?!<)[^\s"',;&}\]]+)/gi, group: 1 },
  {
    kind: 'task-queue',
    pattern: /\b(?:wf-task-queue-name|task[_-]?queue(?:[_-]?name)?)["']?\s*[:=]\s*["']?((?!<)[^\s"',;&}\]]+)/gi,
    group: 1,
  },
  { kind: 'account', pattern: /\baccount(?:[_ -]?id)?["']?\s*[:=]?\s*["']?(\d{12})\b/gi, group: 1 },
  { kind: 'run', pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  {
    kind: 'host',
    pattern: new RegExp(`\\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:${HOST_TLDS})\\b(?![.-]?[a-z0-9])`, 'gi'),
  },
  { kind: 'ip', pattern: /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])/g },
  // IPv6: the full eight groups, or a `::` form with hex on a side (`fe80::1`); `12:00:00` is a time, not an address.
  { kind: 'ip', pattern: /(?<![:\w])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![:\w])/gi },
  {
    kind: 'ip',
    pattern:
      /(?<![:\w])(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?|::[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)(?![:\w])/gi,
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A known value counts only as a whole token: `prod` is redacted in `cluster prod.` but not in `production`. */
function knownPattern(value: string): RegExp {
  return new RegExp(
    `(?<![<A-Za-z0-9_-])(?<![A-Za-z0-9]\\.)${escapeRegExp(value)}(?![A-Za-z0-9_>-])(?!\\.[A-Za-z0-9])`,
    'g',
  );
}

/** Create a redactor. Placeholders are numbered per kind in order of first sight, so they are deterministic. */
export function createRedactor(known: KnownIdentifiers = {}): Redactor {
  const byValue = new Map<string, string>();
  const byPlaceholder = new Map<string, { value: string; kind: IdentifierKind }>();
  const counters = new Map<IdentifierKind, number>();

  const placeholderFor = (kind: IdentifierKind, value: string): string => {
    const key = `${kind}\u0000${value}`;
    const existing = byValue.get(key);
    if (existing) return existing;
    const next = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, next);
    const placeholder = `<${kind}-${next}>`;
    byValue.set(key, placeholder);
    byPlaceholder.set(placeholder, { value, kind });
    return placeholder;
  };

  const knownRules: { kind: IdentifierKind; pattern: RegExp }[] = [];
  const addKnown = (kind: IdentifierKind, values: readonly string[] | undefined) => {
    for (const value of values ?? []) if (value.length > 0) knownRules.push({ kind, pattern: knownPattern(value) });
  };
  addKnown('workflow', known.workflowIds);
  addKnown('task-queue', known.taskQueues);
  addKnown('namespace', known.namespaces);
  addKnown('host', known.hosts);
  addKnown('cluster', known.clusters);
  // Longest first, so a known value that contains another is replaced whole.
  knownRules.sort((a, b) => b.pattern.source.length - a.pattern.source.length);

  const redact = (text: string): string => {
    let out = text.replace(PLACEHOLDER, (match) => placeholderFor('literal', match));
    for (const rule of knownRules) out = out.replace(rule.pattern, (match) => placeholderFor(rule.kind, match));
    for (const detector of DETECTORS) {
      out = out.replace(detector.pattern, (match: string, ...rest: unknown[]) => {
        const group = detector.group === undefined ? undefined : rest[detector.group - 1];
        if (typeof group !== 'string' || group === '') return placeholderFor(detector.kind, match);
        const at = match.lastIndexOf(group);
        return `${match.slice(0, at)}${placeholderFor(detector.kind, group)}${match.slice(at + group.length)}`;
      });
    }
    return out;
  };

  const restore = (text: string): string =>
    text.replace(PLACEHOLDER, (match) => {
      const entry = byPlaceholder.get(match);
      if (entry === undefined) return match;
      return entry.kind === 'secret' ? RESTORED_SECRET : entry.value;
    });

  return {
    redact,
    restore,
    redactDeep: (value) => mapStrings(value, redact),
    restoreDeep: (value) => mapStrings(value, restore),
    placeholders: () => new Map([...byPlaceholder].map(([placeholder, entry]) => [placeholder, entry.kind])),
  };
}

/** Apply `map` to every string in a JSON-like value; the shape and every non-string leaf are kept. */
function mapStrings<T>(value: T, map: (text: string) => string): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return map(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    }
    return node;
  };
  // The walk keeps every key and every non-string leaf, so the result has T's shape.
  return walk(value) as T;
}
