export { BAND_HYSTERESIS, classifyScaleBand, plainScaleBand, SCALE_BANDS } from './bands.ts';
export { CONSECUTIVE_CRITICAL_THRESHOLD } from './decide.ts';
export type { EvaluateInput, EvaluateResult } from './evaluate.ts';
export { evaluate, initialEngineState, RULE_VERSION } from './evaluate.ts';
export { decisionFingerprint, fnv1a32 } from './fingerprint.ts';
export type { RuleId } from './rules.ts';
export { BAND_PROFILES, getThresholdProfile, validateOverrides } from './thresholds.ts';
