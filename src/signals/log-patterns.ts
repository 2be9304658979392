import type { LogPattern, LokiClient, LokiStream } from '../models/index.ts';
import { AppError } from '../models/index.ts';
import type { LogSignature } from './log-signatures.ts';
import { buildSignatureQuery, LOG_SIGNATURES, matchesSignature, serviceMatches } from './log-signatures.ts';
import { sanitizeLogSample, stripControlCharacters } from './redact.ts';

export type { LogMatch, LogSignature, LogTier } from './log-signatures.ts';
export { buildSignatureQuery, LOG_SIGNATURES, matchesSignature, serviceMatches } from './log-signatures.ts';

/**
 * Used when a cluster sets no `loki_selector`. The original's `{job=~"temporal.*"}` matched nothing in the dev stack
 * (its labels are `container` and `service`); Loki 3 derives `service_name` from `service`/`job`/container labels, and
 * the ECS Alloy sidecar sets it to the Temporal role, so this matches both layouts. Set `loki_selector` per cluster.
 */
export const DEFAULT_LOKI_SELECTOR =
  '{service_name=~".*temporal.*|history|matching|frontend|internal-frontend|worker"}';

export interface CountLogPatternsInput {
  loki: LokiClient;
  /** LogQL stream selector, e.g. ClusterConfig.loki_selector ?? DEFAULT_LOKI_SELECTOR. */
  selector: string;
  startMs: number;
  endMs: number;
  signal?: AbortSignal;
  /** Lines per Loki page. @default 1000 */
  pageLimit?: number;
  /** Pages at most; counts are a lower bound when the window holds more lines. @default 5 */
  maxPages?: number;
  signatures?: readonly LogSignature[];
}

interface Bucket {
  signature: LogSignature;
  service: string;
  count: number;
  sample: string | null;
}

/**
 * Count known Temporal server log signatures per (signature, service) over [startMs, endMs). Loki filters lines by
 * the signatures; pages go newest first. One line may count toward several signatures. Samples are sanitized
 * (control characters stripped, secrets redacted, at most 300 characters): log text is untrusted.
 * @returns patterns sorted by count (descending), then signature id and service.
 * @throws AppError INVALID_INPUT for a selector that is not `{…}`, plus whatever the Loki client throws.
 */
export async function countLogPatterns(input: CountLogPatternsInput): Promise<LogPattern[]> {
  const selector = input.selector.trim();
  if (!/^\{[\s\S]*\}$/.test(selector)) {
    throw new AppError(
      'INVALID_INPUT',
      `loki selector must be a LogQL stream selector {…}, got ${selector.slice(0, 80)}`,
    );
  }
  const signatures = input.signatures ?? LOG_SIGNATURES;
  const pageLimit = input.pageLimit ?? 1000;
  const maxPages = input.maxPages ?? 5;
  const query = buildSignatureQuery(selector, signatures);
  const buckets = new Map<string, Bucket>();
  // The next page's end includes the oldest millisecond seen (ms precision, exclusive end), so entries in that
  // millisecond come back again: remember which were counted and skip them.
  let boundaryMs: number | null = null;
  let boundaryKeys = new Set<string>();
  let endMs = input.endMs;

  for (let page = 0; page < maxPages; page += 1) {
    const result = await input.loki.queryRange({
      query,
      startMs: input.startMs,
      endMs,
      limit: pageLimit,
      direction: 'backward',
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
    if (result.resultType !== 'streams') {
      throw new AppError('UPSTREAM_BAD_BODY', `loki answered a log query with ${result.resultType}`);
    }
    const pageEntries: { ms: number; key: string }[] = [];
    let fresh = 0;
    for (const stream of result.streams) {
      const streamKey = JSON.stringify(Object.entries(stream.labels).sort());
      for (const entry of stream.entries) {
        const key = `${streamKey}\u0000${entry.timestampNs}\u0000${entry.line}`;
        pageEntries.push({ ms: entry.timestampMs, key });
        if (entry.timestampMs === boundaryMs && boundaryKeys.has(key)) continue;
        fresh += 1;
        countLine({ buckets, signatures, stream, line: entry.line });
      }
    }
    if (pageEntries.length < pageLimit || fresh === 0) break;
    const oldestMs = pageEntries.reduce((min, e) => Math.min(min, e.ms), Number.POSITIVE_INFINITY);
    boundaryMs = oldestMs;
    boundaryKeys = new Set(pageEntries.filter((e) => e.ms === oldestMs).map((e) => e.key));
    endMs = oldestMs + 1;
    if (endMs <= input.startMs) break;
  }

  const windowStart = new Date(input.startMs).toISOString();
  const windowEnd = new Date(input.endMs).toISOString();
  return [...buckets.values()]
    .sort((a, b) => b.count - a.count || compare(a.signature.id, b.signature.id) || compare(a.service, b.service))
    .map((bucket) => ({
      signature_id: bucket.signature.id,
      pattern: bucket.signature.pattern,
      service: bucket.service,
      count: bucket.count,
      sample_message: bucket.sample,
      window_start: windowStart,
      window_end: windowEnd,
    }));
}

function countLine(input: {
  buckets: Map<string, Bucket>;
  signatures: readonly LogSignature[];
  stream: LokiStream;
  line: string;
}): void {
  const parsed = parseLogLine(input.line);
  const service = resolveService(input.stream.labels, parsed.service);
  const lower = input.line.toLowerCase();
  for (const signature of input.signatures) {
    if (!matchesSignature(signature, lower) || !serviceMatches(signature, service)) continue;
    const key = `${signature.id}\u0000${service}`;
    const bucket = input.buckets.get(key);
    if (bucket) bucket.count += 1;
    else input.buckets.set(key, { signature, service, count: 1, sample: sanitizeLogSample(parsed.summary) });
  }
}

/** What we read from one log line: Temporal's JSON logs (`level`, `ts`, `msg`, `service`, `error`, …) or plain text. */
export interface ParsedLogLine {
  level: string | null;
  service: string | null;
  /** Human-readable summary used for samples: `level: msg error=…` for JSON, the line itself otherwise. */
  summary: string;
}

export function parseLogLine(line: string): ParsedLogLine {
  if (line.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch {
      value = null;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const field = (name: string): string | null => {
        const v: unknown = Reflect.get(value, name);
        return typeof v === 'string' && v !== '' ? v : null;
      };
      const level = field('level');
      const msg = field('msg') ?? field('message');
      const error = field('error');
      if (msg !== null) {
        const summary = `${level === null ? '' : `${level}: `}${msg}${error === null ? '' : ` error=${error}`}`;
        return { level, service: field('service'), summary };
      }
    }
  }
  return { level: null, service: null, summary: line };
}

/**
 * The Temporal service that wrote a line. `service_name` (set to the role by the ECS Alloy sidecar, derived by Loki 3
 * otherwise) first, then the line's own JSON `service`, then the `service` and `job` labels.
 */
export function resolveService(labels: Record<string, string>, jsonService: string | null): string {
  const candidates = [labels['service_name'], jsonService, labels['service'], labels['job']];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === null) continue;
    const clean = stripControlCharacters(candidate).trim().toLowerCase().slice(0, 64);
    if (clean !== '') return clean;
  }
  return 'unknown';
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
