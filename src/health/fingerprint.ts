const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit over the UTF-16 code units of `text`, as 8 lowercase hex digits. Pure and workflow-safe. */
export function fnv1a32(text: string): string {
  let hash = FNV_OFFSET_BASIS;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The decision fingerprint: state, band, data quality and the sorted ids of the rules that count. Values are left
 * out on purpose, so a latency wobbling above its threshold does not re-run the explainer every cycle.
 */
export function decisionFingerprint(input: {
  healthState: string;
  band: string;
  dataQuality: string;
  ruleIds: readonly string[];
}): string {
  const ids = [...new Set(input.ruleIds)].sort();
  return fnv1a32([input.healthState, input.band, input.dataQuality, ids.join(',')].join('|'));
}
