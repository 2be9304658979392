/**
 * Reversible redaction of identifiers before any model request body is built. Namespaces, workflow and run ids,
 * task queues, cluster names, host and pod names and addresses, ARNs, account ids and e-mail addresses become stable
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

/**
 * `accept` vets a shape-only match (no key names it): returning false leaves the text as it is. Patterns that use it
 * match whole tokens only, so a rejected token is never retried as a shorter piece of itself.
 */
type Detector = { kind: IdentifierKind; pattern: RegExp; group?: number; accept?: (value: string) => boolean };

/** Shannon entropy in bits per character. */
function entropyBits(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / text.length) * Math.log2(count / text.length);
  return bits;
}

/**
 * A key-less token that looks generated rather than written: upper and lower case and digits, at least 4 bits of
 * entropy per character, and no run of seven lower-case letters (which words and CamelCase type names have and
 * random keys rarely do). Catches AWS secret keys, GitHub and OpenAI tokens and the like wherever they appear.
 */
function looksRandom(token: string): boolean {
  return (
    /[A-Z]/.test(token) && /[a-z]/.test(token) && /\d/.test(token) && !/[a-z]{7}/.test(token) && entropyBits(token) >= 4
  );
}

/** A value after a space-separated key name: only if it could not be a word (`password incorrect` stays). */
function looksLikeSecretValue(value: string): boolean {
  const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(value)).length;
  return (value.length >= 16 && classes >= 2) || classes >= 3;
}

/** Kubernetes Deployment pods (`name-<template hash>-<suffix>`): only when the generated part holds a digit. */
function looksLikePod(name: string): boolean {
  const parts = name.split('-');
  return /\d/.test(`${parts.at(-2) ?? ''}${parts.at(-1) ?? ''}`);
}

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
  {
    // `aws_secret_access_key wJalr…`: config dumps and CLI output separate key and value with spaces.
    kind: 'secret',
    pattern:
      /\b[A-Za-z0-9_-]*(?:secret[_-]?access[_-]?key|session[_-]?token|access[_-]?token|api[_-]?key|client[_-]?secret|private[_-]?key|password)["']?\s+["']?((?!<)[A-Za-z0-9+/=_.~-]{8,})/gi,
    group: 1,
    accept: looksLikeSecretValue,
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
  {
    // Temporal's NamespaceNotFound says "Namespace payments-prod is not found."; other errors put a verb after it too.
    kind: 'namespace',
    pattern:
      /\bnamespace\s+["']?((?!<)(?!(?:is|was|not|name|already|does|has)\b)[A-Za-z][A-Za-z0-9._-]*)["']?(?=\s+(?:is|was|not|does|has|already|cannot|could)\b)/gi,
    group: 1,
  },
  {
    // Pod and node names have no dots (`"host":"temporal-history-5f7d8c9b6-x2k4q"`), so the key is what says host.
    kind: 'host',
    pattern:
      /\b(?:host(?:[_-]?name)?|pod(?:[_.-]?name)?|node(?:[_-]?name)?|instance)["']?\s*[:=]\s*["']?((?!<)[^\s"',;&}\]]+)/gi,
    group: 1,
  },
  { kind: 'account', pattern: /\baccount(?:[_ -]?id)?["']?\s*[:=]?\s*["']?(\d{12})\b/gi, group: 1 },
  { kind: 'run', pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  // Twelve digits on their own are an AWS account id (`account 111111111111 and 222222222222`); epoch ms has 13.
  { kind: 'account', pattern: /(?<![\w.])\d{12}(?!\w|\.\d)/g },
  {
    kind: 'host',
    pattern: /(?<![\w.<-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[a-z0-9]{5,10}-[a-z0-9]{5}(?![\w>-]|\.[a-z0-9])/g,
    accept: looksLikePod,
  },
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
  // Last: a secret no key names. Whole tokens only (a sentence's full stop may follow), so nothing is cut in half.
  {
    kind: 'secret',
    pattern: /(?<![\w<>/+=.-])[A-Za-z0-9+/=_-]{20,}(?![\w<>/+=-]|\.[A-Za-z0-9])/g,
    accept: looksRandom,
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What may follow a known value as a file extension (`docs/rag/prod.md`, `certs/prod.PEM`, `prod.tar.gz`): one or
 * two short dot-labels that end the token (a full stop may follow). A label followed by another label or a word
 * character is part of a dotted name instead (`primary.history.backlog_age_sec` with a cluster called `primary`), and the value is left alone there.
 */
const FILE_SUFFIX = '[A-Za-z0-9]{1,8}(?:\\.[A-Za-z0-9]{1,8})?(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])';

/**
 * A known value counts only as a whole token: `prod` is redacted in `cluster prod.` and `runbooks/prod.md` but not in
 * `production`, nor as a label of a dotted name (`primary.history.backlog_age_sec` with a cluster called `history`,
 * or `prod.example.com`, which the host detector takes whole).
 */
function knownPattern(value: string): RegExp {
  return new RegExp(
    `(?<![<A-Za-z0-9_-])(?<![A-Za-z0-9]\\.)${escapeRegExp(value)}(?![A-Za-z0-9_>-])` +
      `(?!\\.(?!${FILE_SUFFIX})[A-Za-z0-9])`,
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
        const value = typeof group === 'string' && group !== '' ? group : match;
        if (detector.accept && !detector.accept(value)) return match;
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
