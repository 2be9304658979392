import { afterAll, expect, test } from 'bun:test';
import type postgres from 'postgres';
import { createApi } from '../../src/api/index.ts';
import { openPostgres } from '../db/backends.ts';
import { waitFor } from '../support/temporal.ts';

/**
 * The API's background poll: `start()` is idempotent. A real Postgres behind a proxy that counts the polls (each
 * poll begins with one `latestKeys` statement) and can hold them, so the test can stop and restart mid-poll.
 */

const db = await openPostgres();
afterAll(() => db.close());

function countingSql(sql: postgres.Sql) {
  const state = { polls: 0, gate: null as Promise<void> | null };
  const proxy = new Proxy(sql, {
    apply(target, self, args: unknown[]) {
      const strings = args[0];
      const text = Array.isArray(strings) ? strings.join('?') : '';
      if (/\bFROM clusters\b/i.test(text) && /last_seen|decision_id|open_issues/i.test(text)) {
        state.polls += 1;
        const gate = state.gate;
        if (gate) return gate.then(() => Reflect.apply(target, self, args));
      }
      return Reflect.apply(target, self, args);
    },
  });
  return { sql: proxy, state };
}

test('start() twice starts one loop; stop() then start() mid-poll leaves one loop; both report what they did', async () => {
  const { sql, state } = countingSql(db.sql);
  const api = createApi({ sql, staleAfterMs: 60_000, pollIntervalMs: 100, log: () => {} });
  const held = Promise.withResolvers<void>();
  state.gate = held.promise;
  expect(api.start()).toBe(true);
  expect(api.start()).toBe(false);
  await waitFor({ what: 'the first poll to begin', check: async () => state.polls >= 1 });
  // Stopped and restarted while the first poll is still held: the old loop must end when that poll returns.
  api.stop();
  expect(api.start()).toBe(true);
  expect(api.start()).toBe(false);
  state.gate = null;
  held.resolve();
  await waitFor({ what: 'polling to go on after the restart', check: async () => state.polls >= 4 });
  api.stop();
  // After stop(), start() works again, and a manual refresh still polls.
  const before = state.polls;
  await api.refresh();
  expect(state.polls).toBe(before + 1);
  expect(api.start()).toBe(true);
  api.stop();
});
