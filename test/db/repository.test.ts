import { afterAll, describe, expect, test } from 'bun:test';
import {
  actionsOfAssessment,
  activeIssues,
  hasEquivalentAssessment,
  issuesOfAssessment,
  latestAssessment,
  latestCycle,
  listAssessments,
  listClusters,
  listDecisions,
  recentLogPatterns,
  resolveIssues,
  writeAssessment,
  writeCycle,
  writeLogPatterns,
} from '../../src/db/index.ts';
import { isAppError } from '../../src/models/index.ts';
import { BACKENDS, type TestDb } from './backends.ts';
import { assessment, cycle, iso, issue, pattern, T0 } from './fixtures.ts';

async function count(db: TestDb, table: string, cluster: string): Promise<number> {
  const rows = await db.sql`SELECT count(*)::int AS n FROM ${db.sql(table)} WHERE cluster = ${cluster}`;
  return Number(rows[0]?.['n']);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

// Opened at module scope: starting PGlite (WASM) can outlast a hook's default timeout on a busy machine.
const opened = new Map<string, TestDb>();
for (const backend of BACKENDS) opened.set(backend.name, await backend.open());
afterAll(async () => {
  for (const db of opened.values()) await db.close();
});

describe.each(BACKENDS)('store on $name', (backend) => {
  const found = opened.get(backend.name);
  if (!found) throw new Error(`backend ${backend.name} did not open`);
  const db: TestDb = found;

  test('a cycle round-trips: snapshot, decision and engine state', async () => {
    const input = cycle({ cluster: 'rt', atMs: T0, state: 'critical' });
    expect(await writeCycle(db.sql, input)).toEqual({ inserted: true });
    expect(await latestCycle(db.sql, { cluster: 'rt' })).toEqual({
      snapshot: input.snapshot,
      decision: input.decision,
      engineState: input.engineState,
    });
    expect(await latestCycle(db.sql, { cluster: 'nobody' })).toBeNull();
  });

  test('the same cycle written twice, or eight times at once, is one row', async () => {
    const input = cycle({ cluster: 'idem', atMs: T0 });
    expect(await writeCycle(db.sql, input)).toEqual({ inserted: true });
    expect(await writeCycle(db.sql, input)).toEqual({ inserted: false });
    const racing = cycle({ cluster: 'idem', atMs: T0 + 30_000 });
    const results = await Promise.all(Array.from({ length: 8 }, () => writeCycle(db.sql, racing)));
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    expect(await count(db, 'decisions', 'idem')).toBe(2);
    expect(await count(db, 'signal_snapshots', 'idem')).toBe(2);
  });

  test('concurrent writers of different cycles lose nothing and keep the newest last_seen_at', async () => {
    const times = Array.from({ length: 20 }, (_, i) => T0 + i * 30_000);
    await Promise.all(times.toReversed().map((atMs) => writeCycle(db.sql, cycle({ cluster: 'busy', atMs }))));
    expect(await count(db, 'decisions', 'busy')).toBe(20);
    const clusters = await listClusters(db.sql);
    expect(clusters.find((c) => c.name === 'busy')).toEqual({
      name: 'busy',
      first_seen_at: iso(T0),
      last_seen_at: iso(T0 + 19 * 30_000),
    });
    expect((await latestCycle(db.sql, { cluster: 'busy' }))?.decision.at).toBe(iso(T0 + 19 * 30_000));
  });

  test('the decision timeline pages newest first on (at, id) without gaps or repeats', async () => {
    const times = Array.from({ length: 25 }, (_, i) => T0 + i * 30_000);
    for (const atMs of times) await writeCycle(db.sql, cycle({ cluster: 'pages', atMs }));
    // Two cycles at the same instant: the id breaks the tie.
    await writeCycle(db.sql, cycle({ cluster: 'pages', atMs: T0, cycleKey: 'twin' }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listDecisions(db.sql, {
        cluster: 'pages',
        startMs: T0,
        endMs: T0 + 3_600_000,
        limit: 10,
        cursor,
      });
      seen.push(...page.items.map((item) => `${item.at}|${item.cycle_key}`));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    expect(seen.at(0)).toBe(`${iso(T0 + 24 * 30_000)}|${T0 + 24 * 30_000}`);
    expect(seen.slice(-2)).toEqual([`${iso(T0)}|twin`, `${iso(T0)}|${T0}`]);
    const window = await listDecisions(db.sql, { cluster: 'pages', startMs: T0 + 30_000, endMs: T0 + 90_000 });
    expect(window.items.map((i) => i.at)).toEqual([iso(T0 + 90_000), iso(T0 + 60_000), iso(T0 + 30_000)]);
    expect(window.next_cursor).toBeNull();
    const bad = await rejection(listDecisions(db.sql, { cluster: 'pages', startMs: 0, endMs: 1, cursor: 'nope' }));
    expect(isAppError(bad, 'INVALID_INPUT')).toBe(true);
    const backwards = await rejection(listDecisions(db.sql, { cluster: 'pages', startMs: 2, endMs: 1 }));
    expect(isAppError(backwards, 'INVALID_INPUT')).toBe(true);
  });

  test('an assessment round-trips with its issues and actions, once per key', async () => {
    const a = assessment({
      cluster: 'assess',
      key: 'assess-1',
      atMs: T0,
      issues: [issue({ ruleId: 'history.backlog' })],
    });
    expect(await writeAssessment(db.sql, a)).toEqual({ inserted: true });
    expect(await writeAssessment(db.sql, a)).toEqual({ inserted: false });
    expect(await latestAssessment(db.sql, { cluster: 'assess' })).toEqual(a);
    expect(await latestAssessment(db.sql, { cluster: 'nobody' })).toBeNull();
    expect(await count(db, 'assessments', 'assess')).toBe(1);
    expect(await count(db, 'issues', 'assess')).toBe(1);
    // Two per issue plus one recommended.
    const actions = await actionsOfAssessment(db.sql, { assessmentId: 'assess-1' });
    expect(actions.map((x) => [x.id, x.issue_id, x.target_service])).toEqual([
      ['assess-1/i0/a0', 'assess-1/i0', 'history'],
      ['assess-1/i0/a1', 'assess-1/i0', 'matching'],
      ['assess-1/r0', null, 'frontend'],
    ]);
    const [stored] = await issuesOfAssessment(db.sql, { assessmentId: 'assess-1' });
    expect(stored).toEqual({
      ...issue({ ruleId: 'history.backlog' }),
      id: 'assess-1/i0',
      assessment_id: 'assess-1',
      cluster: 'assess',
      at: iso(T0),
      first_seen_at: iso(T0),
      resolved_at: null,
      rule_version: 'rules-test-1',
    });
  });

  test('issues resolve when their rule stops firing and carry first_seen_at while it keeps firing', async () => {
    const x = issue({ ruleId: 'rule.x' });
    const y = issue({ ruleId: 'rule.y', severity: 'warning' });
    await writeAssessment(db.sql, assessment({ cluster: 'life', key: 'life-1', atMs: T0, issues: [x, y] }));
    expect((await activeIssues(db.sql, { cluster: 'life' })).map((i) => i.id)).toEqual(['life-1/i0', 'life-1/i1']);
    expect((await activeIssues(db.sql, { cluster: 'life', severity: 'warning' })).map((i) => i.id)).toEqual([
      'life-1/i1',
    ]);
    await writeAssessment(db.sql, assessment({ cluster: 'life', key: 'life-2', atMs: T0 + 60_000, issues: [x] }));
    const active = await activeIssues(db.sql, { cluster: 'life' });
    expect(active.map((i) => [i.id, i.first_seen_at])).toEqual([['life-2/i0', iso(T0)]]);
    const first = await issuesOfAssessment(db.sql, { assessmentId: 'life-1' });
    expect(first.map((i) => [i.rule_id, i.resolved_at])).toEqual([
      ['rule.x', null],
      ['rule.y', iso(T0 + 60_000)],
    ]);
    // A late assessment (older than the newest) changes nothing that is open.
    await writeAssessment(db.sql, assessment({ cluster: 'life', key: 'life-late', atMs: T0 + 30_000, issues: [y] }));
    expect((await activeIssues(db.sql, { cluster: 'life' })).map((i) => i.id)).toEqual(['life-2/i0']);
    await writeAssessment(db.sql, assessment({ cluster: 'life', key: 'life-3', atMs: T0 + 120_000 }));
    expect(await activeIssues(db.sql, { cluster: 'life' })).toEqual([]);
    const second = await issuesOfAssessment(db.sql, { assessmentId: 'life-2' });
    expect(second.map((i) => i.resolved_at)).toEqual([iso(T0 + 120_000)]);
  });

  test('resolveIssues closes rule issues that no longer fire, keeps the firing ones', async () => {
    const issues = [issue({ ruleId: 'rule.a' }), issue({ ruleId: 'rule.b' }), issue({ ruleId: null, title: 'llm' })];
    await writeAssessment(db.sql, assessment({ cluster: 'res', key: 'res-1', atMs: T0, issues }));
    expect(await resolveIssues(db.sql, { cluster: 'res', firingRuleIds: ['rule.b'], atMs: T0 + 1_000 })).toEqual({
      resolved: 1,
    });
    expect((await activeIssues(db.sql, { cluster: 'res' })).map((i) => i.rule_id)).toEqual(['rule.b', null]);
  });

  test('equivalent assessments are found by fingerprint since a time; ranges page newest first', async () => {
    for (let i = 0; i < 5; i++) {
      await writeAssessment(
        db.sql,
        assessment({ cluster: 'eq', key: `eq-${i}`, atMs: T0 + i * 60_000, fingerprint: 'fp-1' }),
      );
    }
    expect(await hasEquivalentAssessment(db.sql, { cluster: 'eq', fingerprint: 'fp-1', sinceMs: T0 + 240_000 })).toBe(
      true,
    );
    expect(await hasEquivalentAssessment(db.sql, { cluster: 'eq', fingerprint: 'fp-1', sinceMs: T0 + 240_001 })).toBe(
      false,
    );
    expect(await hasEquivalentAssessment(db.sql, { cluster: 'eq', fingerprint: 'fp-2', sinceMs: T0 })).toBe(false);
    const first = await listAssessments(db.sql, { cluster: 'eq', startMs: T0, endMs: T0 + 600_000, limit: 3 });
    expect(first.items.map((i) => i.id)).toEqual(['eq-4', 'eq-3', 'eq-2']);
    const second = await listAssessments(db.sql, {
      cluster: 'eq',
      startMs: T0,
      endMs: T0 + 600_000,
      limit: 3,
      cursor: first.next_cursor,
    });
    expect(second.items.map((i) => i.id)).toEqual(['eq-1', 'eq-0']);
    expect(second.next_cursor).toBeNull();
  });

  test('log patterns are idempotent per window and read back newest window first', async () => {
    const a0 = pattern({ signature: 'a', startMs: T0, endMs: T0 + 30_000 });
    const a1 = pattern({ signature: 'a', startMs: T0 + 30_000, endMs: T0 + 60_000, count: 1 });
    const b1 = pattern({ signature: 'b', startMs: T0 + 30_000, endMs: T0 + 60_000, count: 9 });
    const older = [a0];
    const newer = [a1, b1];
    expect(await writeLogPatterns(db.sql, { cluster: 'logs', windowKey: 'w1', patterns: older })).toEqual({
      inserted: 1,
    });
    expect(await writeLogPatterns(db.sql, { cluster: 'logs', windowKey: 'w2', patterns: newer })).toEqual({
      inserted: 2,
    });
    expect(await writeLogPatterns(db.sql, { cluster: 'logs', windowKey: 'w2', patterns: newer })).toEqual({
      inserted: 0,
    });
    expect(await recentLogPatterns(db.sql, { cluster: 'logs', sinceMs: T0 })).toEqual([b1, a1, a0]);
    expect(await recentLogPatterns(db.sql, { cluster: 'logs', sinceMs: T0 + 60_000 })).toHaveLength(2);
    const dup = await rejection(
      writeLogPatterns(db.sql, {
        cluster: 'logs',
        windowKey: 'w3',
        patterns: [a0, a0],
      }),
    );
    expect(isAppError(dup, 'INVALID_INPUT')).toBe(true);
  });

  test('timestamps are stored as instants and come back as UTC ISO 8601', async () => {
    const input = cycle({ cluster: 'tz', atMs: T0 });
    const offset = { ...input, decision: { ...input.decision, at: '2024-01-15T14:00:00.000+02:00' } };
    await writeCycle(db.sql, offset);
    const page = await listDecisions(db.sql, { cluster: 'tz', startMs: T0, endMs: T0 });
    expect(page.items.map((i) => i.at)).toEqual(['2024-01-15T12:00:00.000Z']);
    const rows = await db.sql`SELECT at FROM decisions WHERE cluster = 'tz'`;
    expect(rows[0]?.['at']).toEqual(new Date(T0));
  });

  test('a corrupted JSON row is a STORE_SCHEMA error naming the row, not a crash', async () => {
    await writeCycle(db.sql, cycle({ cluster: 'bad', atMs: T0 }));
    await db.sql`UPDATE decisions SET decision_json = ${'{"health_state":"sunny"}'} WHERE cluster = 'bad'`;
    const error = await rejection(latestCycle(db.sql, { cluster: 'bad' }));
    expect(isAppError(error, 'STORE_SCHEMA')).toBe(true);
    expect(String(error)).toContain(`bad/${T0}`);
  });

  test('an assessment too large for one DSQL transaction is refused with STORE_LIMIT', async () => {
    const many = Array.from({ length: 700 }, (_, i) => issue({ ruleId: `r${i}` }));
    const error = await rejection(
      writeAssessment(db.sql, assessment({ cluster: 'huge', key: 'huge-1', atMs: T0, issues: many })),
    );
    expect(isAppError(error, 'STORE_LIMIT')).toBe(true);
    expect(await count(db, 'assessments', 'huge')).toBe(0);
  });
});
