import { type } from 'arktype';
import { catalogMetrics } from '../../src/signals/catalog.ts';

/**
 * Record what a real Prometheus scraped from a real dev server as OpenMetrics for `promtool tsdb
 * create-blocks-from openmetrics`, so the fast suite replays real data. Every series the catalog reads is kept at
 * `stepSec` resolution (query_range of the raw selector: the latest sample at each step, as a scrape at that
 * interval would have stored it). Histogram parts are summed over the labels no catalog query reads (partition,
 * instance, build id), which keeps the fixture small without changing any catalog value; counters and gauges
 * keep every label.
 *
 * The dev server exports tally naming (bare counters, timers in seconds). `style: 'otel'` writes the same samples
 * under the OpenTelemetry exporter's names: counters `<name>_total`, timers `<name>_milliseconds_*` with bucket
 * bounds and sums in milliseconds, dimensionless histograms `<name>_ratio_*`. SDK metrics (`temporal_*`, from
 * sdk-core's own exporter) and `up` keep their names in both.
 */

const RangeResponse = type({
  status: "'success'",
  data: {
    resultType: "'matrix'",
    result: type({ metric: 'Record<string, string>', values: type(['number', 'string']).array() }).array(),
  },
});

/** Labels a catalog query may select on; histogram parts keep only these. */
const KEPT_HISTOGRAM_LABELS = [
  'le',
  'service_name',
  'operation',
  'task_type',
  'taskqueue',
  'namespace',
  'cache_type',
  'poller_type',
  'worker_type',
  'job',
];

type Kind = 'counter' | 'timer' | 'dimensionless' | 'gauge';

interface FamilyInfo {
  family: string;
  kind: Kind;
  part: 'bucket' | 'count' | 'sum' | null;
}

/** Tally series name → family, kind and histogram part, from the catalog in both namings. */
function tallyNames(): Map<string, FamilyInfo> {
  const tally = catalogMetrics({ style: 'tally', counters: 'bare' });
  const otel = new Set(catalogMetrics({ style: 'otel', counters: 'total' }).map((metric) => metric.name));
  const byName = new Map<string, FamilyInfo>();
  for (const { name, family } of tally) {
    const part = name === `${family}_bucket` ? 'bucket' : name === `${family}_count` ? 'count' : null;
    if (part !== null) {
      const kind: Kind = otel.has(`${family}_ratio_${part}`) ? 'dimensionless' : 'timer';
      byName.set(name, { family, kind, part });
      // Quantiles read only buckets, but a replayed histogram is complete with its count and sum.
      byName.set(`${family}_count`, { family, kind, part: 'count' });
      byName.set(`${family}_sum`, { family, kind, part: 'sum' });
    } else {
      byName.set(name, { family, kind: otel.has(`${family}_total`) ? 'counter' : 'gauge', part: null });
    }
  }
  return byName;
}

/** The server's OpenTelemetry exporter options that change names and units (common/metrics/config.go). */
export interface OtelExporterOptions {
  /** `withoutUnitSuffix`: no `_milliseconds` / `_seconds` / `_ratio` in the names. @default false */
  withoutUnitSuffix?: boolean;
  /** `recordTimerInSeconds`: timers in seconds (`_seconds_*`) instead of milliseconds. @default false */
  recordTimerInSeconds?: boolean;
}

function exportedName(name: string, info: FamilyInfo, options: OtelExporterOptions): string {
  if (info.family.startsWith('temporal_')) return name;
  const unit = options.withoutUnitSuffix ? '' : options.recordTimerInSeconds ? '_seconds' : '_milliseconds';
  switch (info.kind) {
    case 'counter':
      return `${info.family}_total`;
    case 'timer':
      return `${info.family}${unit}_${info.part}`;
    case 'dimensionless':
      return `${info.family}${options.withoutUnitSuffix ? '' : '_ratio'}_${info.part}`;
    case 'gauge':
      return name;
    default: {
      const never: never = info.kind;
      return never;
    }
  }
}

function typeLine(name: string, info: FamilyInfo): string {
  // OpenMetrics counters must end in `_total`; everything else is written untyped, as a text scrape stores it.
  if (info.kind === 'counter' && !info.family.startsWith('temporal_')) return `# TYPE ${info.family} counter`;
  return `# TYPE ${name} unknown`;
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

async function queryRange(input: { url: string; query: string; startMs: number; endMs: number; stepSec: number }) {
  const params = new URLSearchParams({
    query: input.query,
    start: String(input.startMs / 1000),
    end: String(input.endMs / 1000),
    step: `${input.stepSec}s`,
  });
  const response = await fetch(`${input.url}/api/v1/query_range`, { method: 'POST', body: params });
  const body = RangeResponse(await response.json());
  if (body instanceof type.errors) throw new Error(`query_range ${input.query}: ${body.summary}`);
  return body.data.result;
}

/** The recorded samples in the dev server's own (tally) naming, one OpenMetrics document, `# EOF` last. */
export async function recordOpenMetrics(input: {
  prometheusUrl: string;
  startMs: number;
  endMs: number;
  stepSec: number;
}): Promise<string> {
  const names = tallyNames();
  names.set('up', { family: 'up', kind: 'gauge', part: null });
  const out: string[] = [];
  for (const [name, info] of [...names].sort(([a], [b]) => a.localeCompare(b))) {
    const selector = `{__name__="${name}"}`;
    const query = info.part === null ? selector : `sum by (${KEPT_HISTOGRAM_LABELS.join(', ')}) (${selector})`;
    const series = await queryRange({ url: input.prometheusUrl, query, ...input });
    if (series.length === 0) continue;
    out.push(`# TYPE ${name} unknown`);
    for (const { metric, values } of series) {
      const labels = Object.entries(metric)
        .filter(([key]) => key !== '__name__')
        .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
        .join(',');
      for (const [atSec, value] of values) out.push(`${name}{${labels}} ${value} ${atSec}`);
    }
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+) (\S+)$/;

/**
 * Rewrite a tally-named recording (what `recordOpenMetrics` writes) under the OTel exporter's names and units,
 * optionally as configured with `withoutUnitSuffix` or `recordTimerInSeconds`.
 */
export function toOtelNaming(openMetrics: string, options: OtelExporterOptions = {}): string {
  const names = tallyNames();
  const out: string[] = [];
  for (const line of openMetrics.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const name = line.slice('# TYPE '.length).split(' ')[0] ?? '';
      const info = names.get(name);
      out.push(info ? typeLine(exportedName(name, info, options), info) : line);
      continue;
    }
    const match = SAMPLE.exec(line);
    const info = match ? names.get(match[1] ?? '') : undefined;
    if (!match || !info) {
      out.push(line);
      continue;
    }
    const [, name = '', labels = '', value = '', at = ''] = match;
    const toMs = info.kind === 'timer' && !info.family.startsWith('temporal_') && !options.recordTimerInSeconds;
    const scaledLabels = toMs
      ? labels.replace(/le="([^"]+)"/, (_all, bound: string) =>
          bound === '+Inf' ? 'le="+Inf"' : `le="${Number(bound) * 1000}"`,
        )
      : labels;
    const scaledValue = toMs && info.part === 'sum' ? String(Number(value) * 1000) : value;
    out.push(`${exportedName(name, info, options)}{${scaledLabels}} ${scaledValue} ${at}`);
  }
  return out.join('\n');
}
