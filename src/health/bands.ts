import type { ScaleBand } from '../models/index.ts';

/** Throughput (state transitions/s) where the starter band ends and mid-scale begins. */
export const STARTER_MID_BOUNDARY_PER_SEC = 50;
/** Throughput (state transitions/s) where mid-scale ends and high-throughput begins. */
export const MID_HIGH_BOUNDARY_PER_SEC = 500;
/** A band changes only when throughput passes a boundary by this fraction, so it does not flap at the edge. */
export const BAND_HYSTERESIS = 0.1;

/** Every band, smallest first. */
export const SCALE_BANDS: readonly ScaleBand[] = ['starter', 'mid-scale', 'high-throughput'];

/** Classify throughput without history: `< 50` starter, `< 500` mid-scale, else high-throughput. */
export function plainScaleBand(throughputPerSec: number): ScaleBand {
  if (throughputPerSec < STARTER_MID_BOUNDARY_PER_SEC) return 'starter';
  if (throughputPerSec < MID_HIGH_BOUNDARY_PER_SEC) return 'mid-scale';
  return 'high-throughput';
}

// Computed as `boundary * (1 ± factor)` exactly like the original, so the IEEE-754 results match it:
// 50 * 1.1 = 55.00000000000001 (55.0 does not promote), 500 * 1.1 = 550 (550 promotes), 45 and 450 are exact.
const promoteAt = (boundary: number): number => boundary * (1 + BAND_HYSTERESIS);
const demoteBelow = (boundary: number): number => boundary * (1 - BAND_HYSTERESIS);

function bandWithHysteresis(throughputPerSec: number, previous: ScaleBand): ScaleBand {
  switch (previous) {
    case 'starter':
      return throughputPerSec >= promoteAt(STARTER_MID_BOUNDARY_PER_SEC) ? 'mid-scale' : 'starter';
    case 'mid-scale':
      if (throughputPerSec < demoteBelow(STARTER_MID_BOUNDARY_PER_SEC)) return 'starter';
      if (throughputPerSec >= promoteAt(MID_HIGH_BOUNDARY_PER_SEC)) return 'high-throughput';
      return 'mid-scale';
    case 'high-throughput':
      return throughputPerSec < demoteBelow(MID_HIGH_BOUNDARY_PER_SEC) ? 'mid-scale' : 'high-throughput';
    default: {
      const unreachable: never = previous;
      return unreachable;
    }
  }
}

/**
 * The scale band for this cycle. With a previous band, ±10 % hysteresis applies around 50 and 500 st/s and the band
 * moves at most one step per cycle; without one, plain classification. Null throughput keeps the previous band
 * (starter when there is none): no data is not a reason to re-band.
 */
export function classifyScaleBand(input: { throughputPerSec: number | null; previous: ScaleBand | null }): ScaleBand {
  const { throughputPerSec, previous } = input;
  if (throughputPerSec === null) return previous ?? 'starter';
  if (previous === null) return plainScaleBand(throughputPerSec);
  return bandWithHysteresis(throughputPerSec, previous);
}

/** Distance in steps between two bands (0, 1 or 2); used by tests of the one-step rule. */
export function bandDistance(a: ScaleBand, b: ScaleBand): number {
  return Math.abs(SCALE_BANDS.indexOf(a) - SCALE_BANDS.indexOf(b));
}
