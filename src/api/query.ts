import { type ApiResult, invalid } from './http.ts';

/**
 * Query-string parsing. Every route names the parameters it knows; anything else, a repeated parameter, or a value
 * that does not parse is a 400 naming the parameter, so a typo in a dashboard fails loudly instead of being ignored.
 */

export type Query = ReadonlyMap<string, string>;

/** The allowed list of a route that takes no parameters (one array, so `readQuery` remembers its parses). */
export const NO_PARAMS: readonly string[] = Object.freeze([]);

/**
 * The app hands the same URL object to every request for the same URL (app.ts), so the parse is remembered per URL
 * and per list of allowed names: Grafana and the page ask for a handful of URLs over and over.
 */
const parsed = new WeakMap<URL, { allowed: readonly string[]; result: Query | ApiResult }>();

/** Returns the parameters, or the 400 to answer with. Neither may be changed: both may be handed out again. */
export function readQuery(url: URL, allowed: readonly string[]): Query | ApiResult {
  const known = parsed.get(url);
  if (known?.allowed === allowed) return known.result;
  const result = parseQuery(url, allowed);
  parsed.set(url, { allowed, result });
  return result;
}

function parseQuery(url: URL, allowed: readonly string[]): Query | ApiResult {
  const values = new Map<string, string>();
  const problems: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    const key = name.length > 64 ? `${name.slice(0, 64)}…` : name;
    if (!allowed.includes(name))
      problems[key] = [`unknown parameter; this route accepts ${allowed.join(', ') || 'none'}`];
    else if (values.has(name)) problems[key] = ['given more than once'];
    else values.set(name, value);
  }
  if (Object.keys(problems).length > 0)
    return invalid(`bad query parameters: ${Object.keys(problems).join(', ')}`, problems);
  return values;
}

export function isResult(value: unknown): value is ApiResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

const problem = (name: string, message: string) => invalid(`${name}: ${message}`, { [name]: [message] });

/** ISO 8601 with a zone (`Z` or `±hh:mm`), as Grafana's `${__from:date:iso}` sends it; epoch ms out. */
export function readTime(query: Query, name: string, fallbackMs: number): number | ApiResult {
  const text = query.get(name);
  if (text === undefined) return fallbackMs;
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
  const ms = iso.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) return problem(name, 'expected an ISO 8601 time with a zone, e.g. 2024-01-15T12:00:00Z');
  // The store holds nothing older, and Postgres rejects year 0: refuse it here rather than fail in SQL.
  if (ms < 0) return problem(name, 'expected a time at or after 1970-01-01T00:00:00Z');
  return ms;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A Prometheus-style duration (`30s`, `5m`, `1h`, `1d`) or plain seconds, in ms. */
export function readDuration(query: Query, name: string): number | null | ApiResult {
  const text = query.get(name);
  if (text === undefined) return null;
  const match = /^(\d{1,7})([smhd]?)$/.exec(text);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] || 's'] ?? 1000) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1000)
    return problem(name, 'expected a duration such as 30s, 5m or 1h (at least 1s)');
  return ms;
}

export function readInteger(
  query: Query,
  input: { name: string; fallback: number; min: number; max: number },
): number | ApiResult {
  const text = query.get(input.name);
  if (text === undefined) return input.fallback;
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= input.min && value <= input.max)) {
    return problem(input.name, `expected an integer in [${input.min}, ${input.max}]`);
  }
  return value;
}

export function readChoice<T extends string>(query: Query, name: string, choices: readonly T[]): T | null | ApiResult {
  const text = query.get(name);
  if (text === undefined) return null;
  const found = choices.find((choice) => choice === text);
  return found ?? problem(name, `expected one of ${choices.join(', ')}`);
}
