import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSignalQueries } from '../../src/signals/index.ts';
import { PROMTOOL } from '../support/promtool.ts';

/**
 * The stalled-queue query against Prometheus's own evaluator (`promtool test rules`) at the scrape intervals users
 * run, with the worst case the rule must survive: matching's backlog gauge stuck above 0 (it lags a drain by about
 * a minute). A live idle poller times out once per long poll (1 min, plus the new poll's round trip): at every
 * instant its queue is polled. Dead workers leave one last burst of cancelled polls, and then nothing: stalled
 * once the window has passed it, at any scrape interval.
 */

const STALLED = buildSignalQueries({ style: 'tally', counters: 'bare', matchers: [] }).find(
  (q) => q.id === 'primary.matching.stalled_task_queues',
)?.inputs['value'];
const LABELS = 'service_name="matching",namespace="default",taskqueue="orders",task_type="Workflow"';
const RUN_SEC = 900;

const dir = mkdtempSync(join(tmpdir(), 'stalled-scrape-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sample values every `scrapeSec` over RUN_SEC for a counter whose increments happen at `events` (seconds). */
function counterSamples(scrapeSec: number, events: readonly number[]): string {
  const values: number[] = [];
  for (let t = 0; t <= RUN_SEC; t += scrapeSec) values.push(10 + events.filter((e) => e <= t).length);
  return values.join(' ');
}

/** `promtool test rules` on the query at every 5 s from `fromSec`, expecting `expect(t)`; the failures it prints. */
async function evaluate(input: {
  scrapeSec: number;
  timeoutsAt: readonly number[];
  fromSec: number;
  toSec: number;
  expect: (tSec: number) => 0 | 1;
}): Promise<{ code: number; output: string }> {
  const flat = (value: number) => `${value}+0x${RUN_SEC / input.scrapeSec}`;
  const tests: string[] = [];
  for (let t = input.fromSec; t <= input.toSec; t += 5) {
    tests.push(
      `      - expr: '${STALLED}'\n        eval_time: ${t}s\n        exp_samples:\n          - labels: '{}'\n            value: ${input.expect(t)}`,
    );
  }
  const name = `s${input.scrapeSec}-${input.timeoutsAt.length}`;
  writeFileSync(join(dir, 'rules.yml'), 'groups: []\n');
  writeFileSync(
    join(dir, `${name}.yml`),
    [
      'rule_files: [rules.yml]',
      `evaluation_interval: ${input.scrapeSec}s`,
      'tests:',
      `  - interval: ${input.scrapeSec}s`,
      '    input_series:',
      `      - series: 'approximate_backlog_count{${LABELS}}'`,
      `        values: '${flat(5)}'`,
      `      - series: 'poll_success{${LABELS}}'`,
      `        values: '${flat(100)}'`,
      `      - series: 'poll_timeouts{${LABELS}}'`,
      `        values: '${counterSamples(input.scrapeSec, input.timeoutsAt)}'`,
      '    promql_expr_test:',
      ...tests,
      '',
    ].join('\n'),
  );
  const proc = Bun.spawn([PROMTOOL, 'test', 'rules', `${name}.yml`], { cwd: dir, stdout: 'pipe', stderr: 'pipe' });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, output: `${stdout}${stderr}`.slice(0, 3000) };
}

describe('stalled task queues at the scrape intervals users run', () => {
  test('the query was built', () => {
    expect(STALLED).toContain('poll_timeouts');
  });

  for (const scrapeSec of [5, 15, 30]) {
    test(`${scrapeSec} s scrape: a live idle poller's queue is never stalled, even with the gauge stuck above 0`, async () => {
      // One poller, timing out every 61 s (a 60 s long poll and its new poll's round trip).
      const timeoutsAt = Array.from({ length: 15 }, (_, i) => 61 * (i + 1));
      const result = await evaluate({ scrapeSec, timeoutsAt, fromSec: 150, toSec: RUN_SEC - 30, expect: () => 0 });
      expect(result).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    });

    test(`${scrapeSec} s scrape: after the dead workers' last cancelled polls, stalled within the window and a scrape`, async () => {
      // Live until 300 s, then the burst of cancelled polls at 301 s, then nothing.
      const timeoutsAt = [61, 122, 183, 244, 301, 301, 301];
      const stalledFrom = 301 + 75 + scrapeSec;
      // Only the bounds are promised; in between, the answer depends on where the scrapes fall.
      const still = await evaluate({ scrapeSec, timeoutsAt, fromSec: 150, toSec: 301 + 70, expect: () => 0 });
      expect(still).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
      const result = await evaluate({
        scrapeSec,
        timeoutsAt,
        fromSec: stalledFrom,
        toSec: RUN_SEC - 30,
        expect: () => 1,
      });
      expect(result).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    });
  }
});
