/**
 * Cycles run on a fixed grid of `intervalMs` slots in workflow time. The slot start is the cycle's idempotency key,
 * so a retried or replayed cycle writes the same row, and a new run never repeats a slot.
 */
export function slotOf(nowMs: number, intervalMs: number): number {
  return Math.floor(nowMs / intervalMs) * intervalMs;
}

/** Delay until the next slot starts (at least 1 ms, so a late cycle never spins). */
export function nextSlotDelayMs(nowMs: number, intervalMs: number): number {
  return Math.max(1, slotOf(nowMs, intervalMs) + intervalMs - nowMs);
}
