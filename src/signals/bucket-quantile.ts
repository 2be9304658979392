/** One classic-histogram bucket: its upper bound (`le`) and its (rate of) cumulative count. */
export interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * A bucket's `le` label as Go's strconv.ParseFloat reads it, or null when Prometheus would drop the series (its
 * histogram_quantile skips a bucket whose bound does not parse).
 */
export function parseBucketBound(le: string): number | null {
  const text = le.trim();
  if (/^[+]?inf(inity)?$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/**
 * `histogram_quantile` over classic buckets, as Prometheus computes it (promql/quantile.go, bucketQuantile, v2.42
 * as Debian ships it): sort by bound, coalesce equal bounds, force the counts monotonic, then interpolate linearly
 * inside the bucket holding the rank. NaN for no observations or no `+Inf` bucket, exactly where Prometheus says
 * NaN, so a grouped query computed here reads the same as the per-signal query Prometheus would have answered.
 * Newer Prometheus releases also smooth count differences under 1e-12 relative; that moves a result by less than
 * any threshold can see.
 */
export function bucketQuantile(quantile: number, input: readonly Bucket[]): number {
  if (Number.isNaN(quantile)) return Number.NaN;
  if (quantile < 0) return Number.NEGATIVE_INFINITY;
  if (quantile > 1) return Number.POSITIVE_INFINITY;
  if (input.length === 0) return Number.NaN;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if ((sorted.at(-1)?.upperBound ?? 0) !== Number.POSITIVE_INFINITY) return Number.NaN;
  const buckets: Bucket[] = [];
  for (const bucket of sorted) {
    const last = buckets.at(-1);
    if (last && last.upperBound === bucket.upperBound) last.count += bucket.count;
    else buckets.push({ ...bucket });
  }
  let max = buckets[0]?.count ?? 0;
  for (const bucket of buckets.slice(1)) {
    if (bucket.count > max) max = bucket.count;
    else if (bucket.count < max) bucket.count = max;
  }
  if (buckets.length < 2) return Number.NaN;
  const observations = buckets.at(-1)?.count ?? 0;
  if (observations === 0) return Number.NaN;
  let rank = quantile * observations;
  // sort.Search over all but the +Inf bucket: the first bucket whose count reaches the rank.
  let b = buckets.findIndex((bucket, index) => index < buckets.length - 1 && bucket.count >= rank);
  if (b === -1) b = buckets.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]?.upperBound ?? Number.NaN;
  const current = buckets[b];
  if (!current) return Number.NaN;
  if (b === 0 && current.upperBound <= 0) return current.upperBound;
  let bucketStart = 0;
  let count = current.count;
  const previous = buckets[b - 1];
  if (previous) {
    bucketStart = previous.upperBound;
    count -= previous.count;
    rank -= previous.count;
  }
  return bucketStart + (current.upperBound - bucketStart) * (rank / count);
}
