import { type } from 'arktype';
import type { InstantQueryResult, RangeQueryResult, VectorSample } from '../models/index.ts';
import { AppError } from '../models/index.ts';

export type { InstantQueryResult, RangeQueryResult, VectorSample } from '../models/index.ts';

// Responses from other services stay open: extra keys upstream must not break us.
const Envelope = type({
  status: "'success' | 'error'",
  'data?': 'unknown',
  'errorType?': 'string',
  'error?': 'string',
  'warnings?': 'string[]',
  'infos?': 'string[]',
});

const Sample = type(['number', 'string']);
const Labels = type({ '[string]': 'string' });
const QueryData = type({ resultType: "'vector' | 'matrix' | 'scalar' | 'string'", result: 'unknown' });
// Native-histogram series carry `histogram(s)` instead of `value(s)`; we only use float series.
const VectorResult = type({ metric: Labels, 'value?': Sample }).array();
const MatrixResult = type({ metric: Labels, 'values?': Sample.array() }).array();
const StringList = type('string[]');

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parse a Prometheus sample value string. Go renders non-finite floats as `NaN`, `+Inf`, `-Inf`
 * (https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats).
 * @throws AppError UPSTREAM_BAD_BODY for anything that is not a float literal.
 */
export function parseSampleValue(text: string): number {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default:
      if (!DECIMAL.test(text)) throw badBody(`sample value ${JSON.stringify(text.slice(0, 40))} is not a number`);
      return Number(text);
  }
}

/** Render a float the way Prometheus does in JSON and exposition text (inverse of `parseSampleValue`). */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function badBody(message: string, cause?: unknown): AppError {
  return new AppError('UPSTREAM_BAD_BODY', `prometheus: ${message}`, cause === undefined ? {} : { cause });
}

function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** Map an HTTP status plus Prometheus `errorType` to our error. Pure, so every branch is testable. */
export function prometheusError(input: { status: number; errorType?: string; error?: string }): AppError {
  const detail = input.error ? `: ${input.error.slice(0, 500)}` : '';
  const label = `prometheus answered ${input.status}${input.errorType ? ` (${input.errorType})` : ''}${detail}`;
  if (input.status === 401 || input.status === 403) return new AppError('AUTH_FAILED', label, { status: 502 });
  if (input.status === 429) return new AppError('UPSTREAM_THROTTLED', label, { status: 503 });
  if (input.errorType === 'timeout') return new AppError('UPSTREAM_TIMEOUT', label, { status: 504 });
  if (input.errorType === 'canceled') return new AppError('UPSTREAM_STATUS', label, { status: 502 });
  // 400 bad_data and 422 execution are properties of the query: retrying cannot help.
  if (
    input.errorType === 'bad_data' ||
    input.errorType === 'execution' ||
    input.status === 400 ||
    input.status === 422
  ) {
    return new AppError('UPSTREAM_QUERY_ERROR', label, { status: 502 });
  }
  return new AppError('UPSTREAM_STATUS', label, { status: 502 });
}

/**
 * Parse a Prometheus API response body into `data`, or throw the matching AppError.
 * @throws AppError UPSTREAM_BAD_BODY (not JSON / not the envelope), UPSTREAM_QUERY_ERROR, UPSTREAM_STATUS,
 *   UPSTREAM_THROTTLED, UPSTREAM_TIMEOUT, AUTH_FAILED.
 */
export function parseEnvelope(input: { status: number; text: string }): { data: unknown; warnings: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(input.text) as unknown;
  } catch (error) {
    if (input.status >= 400) throw prometheusError({ status: input.status, error: input.text.slice(0, 200) });
    throw badBody(`response is not JSON (${input.text.slice(0, 60).replace(/\s+/g, ' ')}…)`, error);
  }
  const envelope = Envelope(json);
  if (envelope instanceof type.errors) {
    if (input.status >= 400) throw prometheusError({ status: input.status });
    throw badBody(`unexpected response shape: ${envelope.summary}`);
  }
  if (envelope.status === 'error' || input.status >= 400) {
    throw prometheusError({
      status: input.status,
      ...(envelope.errorType === undefined ? {} : { errorType: envelope.errorType }),
      ...(envelope.error === undefined ? {} : { error: envelope.error }),
    });
  }
  return { data: envelope.data, warnings: [...(envelope.warnings ?? []), ...(envelope.infos ?? [])] };
}

/** Parse the `data` of `/api/v1/query`. @throws AppError UPSTREAM_BAD_BODY */
export function parseInstantData(data: unknown, warnings: string[]): InstantQueryResult {
  const query = QueryData(data);
  if (query instanceof type.errors) throw badBody(`query data: ${query.summary}`);
  switch (query.resultType) {
    case 'vector': {
      const result = VectorResult(query.result);
      if (result instanceof type.errors) throw badBody(`vector result: ${result.summary}`);
      const series: VectorSample[] = [];
      for (const item of result) {
        if (!item.value) continue;
        series.push({ metric: item.metric, value: parseSampleValue(item.value[1]), timestampMs: toMs(item.value[0]) });
      }
      return { resultType: 'vector', series, warnings };
    }
    case 'scalar': {
      const sample = Sample(query.result);
      if (sample instanceof type.errors) throw badBody(`scalar result: ${sample.summary}`);
      return { resultType: 'scalar', value: parseSampleValue(sample[1]), timestampMs: toMs(sample[0]), warnings };
    }
    case 'matrix':
    case 'string':
      throw badBody(`instant query returned a ${query.resultType}; expected a vector or scalar`);
    default: {
      const never: never = query.resultType;
      throw badBody(`unknown result type ${String(never)}`);
    }
  }
}

/** Parse the `data` of `/api/v1/query_range` (always a matrix). @throws AppError UPSTREAM_BAD_BODY */
export function parseRangeData(data: unknown, warnings: string[]): RangeQueryResult {
  const query = QueryData(data);
  if (query instanceof type.errors) throw badBody(`query data: ${query.summary}`);
  if (query.resultType !== 'matrix') throw badBody(`range query returned a ${query.resultType}; expected a matrix`);
  const result = MatrixResult(query.result);
  if (result instanceof type.errors) throw badBody(`matrix result: ${result.summary}`);
  return {
    series: result.map((item) => ({
      metric: item.metric,
      points: (item.values ?? []).map(([seconds, value]) => ({
        timestampMs: toMs(seconds),
        value: parseSampleValue(value),
      })),
    })),
    warnings,
  };
}

/** Parse the `data` of `/api/v1/label/<name>/values`. @throws AppError UPSTREAM_BAD_BODY */
export function parseStringList(data: unknown): string[] {
  const list = StringList(data);
  if (list instanceof type.errors) throw badBody(`label values: ${list.summary}`);
  return list;
}
