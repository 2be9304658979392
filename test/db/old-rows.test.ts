import { afterAll, describe, expect, test } from 'bun:test';
import { latestCycle, writeCycle } from '../../src/db/index.ts';
import { BACKENDS, type TestDb } from './backends.ts';
import { cycle, T0 } from './fixtures.ts';

const opened = new Map<string, TestDb>();
for (const backend of BACKENDS) opened.set(backend.name, await backend.open());
afterAll(async () => {
  for (const db of opened.values()) await db.close();
});

describe.each(BACKENDS)('rows written by an older copilot, on $name', (backend) => {
  const found = opened.get(backend.name);
  if (!found) throw new Error(`backend ${backend.name} did not open`);
  const db: TestDb = found;

  test('a snapshot without the signals added since reads them as no data, not as a broken row', async () => {
    const input = cycle({ cluster: 'old-snapshot', atMs: T0 });
    await writeCycle(db.sql, input);
    const { demand: _demand, ...primary } = input.snapshot.primary;
    const { stalled_task_queues: _s, backlog_tasks: _b, backlog_growth_per_sec: _g, ...matching } = primary.matching;
    const { sdk_endpoints_down: _d, ...worker } = input.snapshot.worker;
    const older = { ...input.snapshot, primary: { ...primary, matching }, worker };
    await db.sql`UPDATE signal_snapshots SET snapshot_json = ${JSON.stringify(older)} WHERE cluster = 'old-snapshot'`;
    const stored = await latestCycle(db.sql, { cluster: 'old-snapshot' });
    expect(stored?.snapshot.primary.demand.workflow_starts_per_sec).toBeNull();
    expect(stored?.snapshot.primary.matching.stalled_task_queues).toBeNull();
    expect(stored?.snapshot.worker.sdk_endpoints_down).toBeNull();
    expect(stored?.snapshot.missing.filter((m) => m.reason === 'not_queried').map((m) => m.signal)).toEqual(
      expect.arrayContaining(['primary.demand.workflow_starts_per_sec', 'worker.sdk_endpoints_down']),
    );
  });

  test('the progress baseline the last cycle was judged with is restored with the engine state', async () => {
    const input = cycle({ cluster: 'baseline', atMs: T0 });
    const baseline = {
      completions_per_sec: 8,
      starts_per_sec: 8,
      updated_at: new Date(T0).toISOString(),
      learned_ms: 300_000,
    };
    const decision = {
      ...input.decision,
      progress: {
        completions_per_sec: 8,
        baseline_completions_per_sec: 8,
        completions_fraction_of_baseline: 1,
        starts_per_sec: 8,
        baseline_starts_per_sec: 8,
        demand: 'continuing' as const,
        backlog_tasks: 0,
        backlog_growth_per_sec: 0,
        stalled_task_queues: 0,
        baseline_ready: true,
        demand_dropped: false,
        baseline,
      },
    };
    await writeCycle(db.sql, { ...input, decision });
    const stored = await latestCycle(db.sql, { cluster: 'baseline' });
    expect(stored?.engineState.progress_baseline).toEqual(baseline);
  });
});
