/**
 * Writing the Prometheus text exposition format 0.0.4, shared by the API's and the worker's `/metrics` so that both
 * escape and declare families the same way. Pure string building: no registry, no I/O.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

/** The content type both `/metrics` endpoints answer with. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'gauge' | 'counter' | 'histogram';

/** A label value with backslash, double quote and newline escaped, as the format requires. */
export function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** `{a="x",b="y"}` from label pairs in the given order; empty string for no labels. */
export function labelSet(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** Append a family's `# HELP` and `# TYPE` lines. Written even when the family has no samples yet. */
export function family(lines: string[], input: { name: string; type: MetricType; help: string }): void {
  lines.push(`# HELP ${input.name} ${input.help}`, `# TYPE ${input.name} ${input.type}`);
}

/** A sample value: integers as they are, others without float noise; infinities as the format spells them. */
export function sampleValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

/** One histogram series as a registry keeps it; the writer makes the buckets cumulative. */
export interface HistogramSeries {
  labels: Readonly<Record<string, string>>;
  /** Per-bucket (not cumulative) counts, one per bound, plus one last for observations above every bound. */
  counts: readonly number[];
  sum: number;
  count: number;
}

/**
 * Append one histogram series: cumulative `_bucket` lines for every bound and `+Inf`, then `_sum` and `_count`.
 * `bounds` must be ascending; `series.counts` has `bounds.length + 1` entries.
 */
export function histogramLines(
  lines: string[],
  input: { name: string; bounds: readonly number[]; series: HistogramSeries },
): void {
  const { name, bounds, series } = input;
  let cumulative = 0;
  for (const [index, bound] of [...bounds, Number.POSITIVE_INFINITY].entries()) {
    cumulative += series.counts[index] ?? 0;
    lines.push(`${name}_bucket${labelSet({ ...series.labels, le: sampleValue(bound) })} ${cumulative}`);
  }
  lines.push(`${name}_sum${labelSet(series.labels)} ${sampleValue(series.sum)}`);
  lines.push(`${name}_count${labelSet(series.labels)} ${series.count}`);
}
