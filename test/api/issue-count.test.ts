import { afterAll, expect, test } from 'bun:test';
import { writeAssessment } from '../../src/db/index.ts';
import { IssuesResponse, StatusResponse } from '../../src/models/index.ts';
import { openPostgres } from '../db/backends.ts';
import { assessment, issue } from '../db/fixtures.ts';
import { call, shape, T0, testApi } from './helpers.ts';

const db = await openPostgres();
afterAll(() => db.close());

test('issue_count is the exact number of open issues, not the cached list capped at 100', async () => {
  const issues = Array.from({ length: 105 }, (_, i) => issue({ ruleId: `rule.${i}`, title: `issue ${i}` }));
  await writeAssessment(db.sql, assessment({ cluster: 'many', key: 'a-many', atMs: T0 - 10_000, issues }));
  const api = testApi(db.sql);
  await api.refresh();
  const status = shape(StatusResponse, (await call(api, '/status?cluster=many')).body);
  expect(status.issue_count).toBe(105);
  const listed = shape(IssuesResponse, (await call(api, '/status/issues?cluster=many&limit=100')).body);
  expect(listed.issues).toHaveLength(100);
});
