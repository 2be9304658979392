import { describe, expect, test } from 'bun:test';
import { activeIssues, writeAssessment } from '../../src/db/index.ts';
import { openPostgres } from './backends.ts';
import { assessment, issue, T0 } from './fixtures.ts';

const RUNS = 20;

describe('concurrent assessments on plain Postgres (production DATABASE_URL options)', () => {
  test('a rule that keeps firing is open once, however the writes interleave', async () => {
    const db = await openPostgres();
    try {
      const duplicated: string[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        const cluster = `race${run}`;
        const firing = () => [issue({ ruleId: 'critical.history_backlog' })];
        await writeAssessment(db.sql, assessment({ cluster, key: `${cluster}-a0`, atMs: T0, issues: firing() }));
        // Two assessments of the same still-firing rule race to supersede the open issue.
        await Promise.all(
          [1, 2].map((i) =>
            writeAssessment(
              db.sql,
              assessment({ cluster, key: `${cluster}-a${i}`, atMs: T0 + i * 1000, issues: firing() }),
            ),
          ),
        );
        const open = await activeIssues(db.sql, { cluster });
        if (open.length !== 1) duplicated.push(`${cluster}: ${open.length} open`);
      }
      expect(duplicated).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
