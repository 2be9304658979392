import { type } from 'arktype';
import type { LokiPoint, LokiQueryResult, LokiStream } from '../models/index.ts';
import { AppError } from '../models/index.ts';

export type { LokiEntry, LokiPoint, LokiQueryResult, LokiStream } from '../models/index.ts';

// Open objects: fields Loki adds later (stats, structured metadata, encodingFlags) are ignored.
const Envelope = type({ status: 'string', 'data?': 'unknown', 'error?': 'string', 'errorType?': 'string' });
const Data = type({ resultType: 'string', result: 'unknown' });
const Labels = type({ '[string]': 'string' });
const StreamEntry = type(['string', 'string', '...', 'unknown[]']);
const Streams = type({ stream: Labels, values: StreamEntry.array() }).array();
const Sample = type(['number', 'string']);
const Matrix = type({ metric: Labels, values: Sample.array() }).array();
const Vector = type({ metric: Labels, value: Sample }).array();

const NANOSECONDS = /^\d{1,19}$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parse a Loki query response body (text). Never throws anything but AppError.
 * @see https://grafana.com/docs/loki/latest/reference/loki-http-api/
 * @throws AppError UPSTREAM_BAD_BODY (not JSON, wrong shape, unsupported result type),
 *   UPSTREAM_QUERY_ERROR (`status: "error"`).
 */
export function parseLokiBody(text: string): LokiQueryResult {
  if (/^\s*</.test(text)) throw badBody('an HTML/XML page instead of JSON');
  let payload: unknown;
  try {
    payload = JSON.parse(text) as unknown;
  } catch {
    throw badBody(text.length === 0 ? 'an empty body' : 'invalid or truncated JSON');
  }
  return parseLokiPayload(payload);
}

/** Parse an already-decoded Loki response. @throws AppError UPSTREAM_BAD_BODY | UPSTREAM_QUERY_ERROR */
export function parseLokiPayload(payload: unknown): LokiQueryResult {
  const envelope = Envelope(payload);
  if (envelope instanceof type.errors) throw badBody(envelope.summary);
  if (envelope.status !== 'success') {
    throw new AppError('UPSTREAM_QUERY_ERROR', `loki: ${cleanText(envelope.error ?? envelope.status)}`);
  }
  const data = Data(envelope.data);
  if (data instanceof type.errors) throw badBody(data.summary);
  switch (data.resultType) {
    case 'streams':
      return { resultType: 'streams', streams: parseStreams(data.result) };
    case 'matrix': {
      const matrix = Matrix(data.result);
      if (matrix instanceof type.errors) throw badBody(matrix.summary);
      return {
        resultType: 'matrix',
        series: matrix.map((s) => ({ metric: s.metric, points: s.values.map(([ts, v]) => point(ts, v)) })),
      };
    }
    case 'vector': {
      const vector = Vector(data.result);
      if (vector instanceof type.errors) throw badBody(vector.summary);
      return {
        resultType: 'vector',
        series: vector.map((s) => ({ metric: s.metric, ...point(s.value[0], s.value[1]) })),
      };
    }
    default:
      throw badBody(`unsupported resultType ${cleanText(data.resultType)}`);
  }
}

function parseStreams(result: unknown): LokiStream[] {
  const streams = Streams(result);
  if (streams instanceof type.errors) throw badBody(streams.summary);
  return streams.map((s) => ({
    labels: s.stream,
    entries: s.values.map(([timestampNs, line]) => {
      if (!NANOSECONDS.test(timestampNs)) throw badBody(`stream timestamp is not epoch nanoseconds`);
      return { timestampNs, timestampMs: Number(BigInt(timestampNs) / 1_000_000n), line };
    }),
  }));
}

function point(timestampSec: number, value: string): LokiPoint {
  if (!Number.isFinite(timestampSec)) throw badBody('sample timestamp is not finite');
  const trimmed = value.trim();
  const parsed =
    DECIMAL.test(trimmed) || /^[+-]?(Inf|NaN)$/i.test(trimmed) ? Number(trimmed.replace(/inf/i, 'Infinity')) : null;
  if (parsed === null) throw badBody('sample value is not a number');
  return { timestampMs: Math.round(timestampSec * 1000), value: parsed };
}

function badBody(reason: string): AppError {
  return new AppError('UPSTREAM_BAD_BODY', `loki: unexpected response body: ${reason}`);
}

/** Upstream text in our messages: control characters removed, bounded length. */
export function cleanText(text: string, maxChars = 300): string {
  const cleaned = text.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim();
  return cleaned.length > maxChars ? `${cleaned.slice(0, maxChars)}…` : cleaned;
}
