import { type } from 'arktype';

/**
 * Numeric building blocks for measured values. A measurement is either a finite number or `null` ("no data");
 * `null` is never zero (design principle 4). JSON cannot carry NaN or ±Infinity, and neither can we.
 */
export const FiniteNumber = type('number').narrow((n, ctx) => Number.isFinite(n) || ctx.mustBe('a finite number'));
export const NonNegative = FiniteNumber.and('number >= 0');
export const Ratio = FiniteNumber.and('0 <= number <= 1');
export const Percent = FiniteNumber.and('0 <= number <= 100');

/** A measured non-negative quantity (rate, latency, age, count) or `null` when there is no data. */
export const Measured = NonNegative.or('null');
/** A measured quantity that may be negative (a gauge's change per second) or `null`. */
export const MeasuredSigned = FiniteNumber.or('null');
/** A measured ratio in [0, 1] or `null`. */
export const MeasuredRatio = Ratio.or('null');
/** A measured percentage in [0, 100] or `null`. */
export const MeasuredPercent = Percent.or('null');

/** ISO 8601 UTC timestamp with milliseconds, the only time format at our boundaries. */
export const IsoTime = type('string.date.iso');
