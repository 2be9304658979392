import { readFileSync } from 'node:fs';
import { validateOverrides } from '../health/index.ts';
import type { ThresholdOverrides } from '../models/index.ts';
import {
  AppError,
  parseJsonText,
  parseOrThrow,
  ThresholdOverrides as ThresholdOverridesType,
} from '../models/index.ts';

/**
 * `--overrides JSON` or `--overrides @path`: threshold overrides in the shape of a cluster's `overrides` in
 * COPILOT_CLUSTERS (docs/rules.md names every key), so a backtest tries exactly what the observer would run.
 * @throws AppError INVALID_INPUT for an unreadable file, bad JSON, an unknown key, or overrides that break the
 * ordering of thresholds in some band.
 */
export function overridesFromFlag(value: string | undefined): ThresholdOverrides | undefined {
  if (value === undefined) return undefined;
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new AppError('INVALID_INPUT', `--overrides: cannot read ${value.slice(1)}`, { cause: error });
    }
  }
  const overrides = parseOrThrow(ThresholdOverridesType, parseJsonText(text, '--overrides'), '--overrides');
  try {
    validateOverrides(overrides);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('INVALID_INPUT', `--overrides: ${reason}`, { cause: error });
  }
  return overrides;
}
