import { describe, expect, test } from 'bun:test';
import { readCorpusDir } from '../../src/agents/knowledge-index.ts';

/**
 * The `docs/rag/` corpus is operator prose. PromQL and numeric thresholds live in code (the signal catalog and
 * the band profiles): a copy in a note would drift from the rules and a model would quote it as if it were the
 * rule. This test keeps them out, and checks that every note has the sections an operator looks for.
 */

const corpus = await readCorpusDir(new URL('../../docs/rag', import.meta.url).pathname);

/** Text that reads like PromQL or like a threshold; each pattern names what it catches. */
const FORBIDDEN: readonly { name: string; pattern: RegExp }[] = [
  {
    name: 'PromQL function call',
    pattern:
      /\b(rate|irate|increase|histogram_quantile|sum|avg|max|min|count|topk|absent|delta|deriv|quantile_over_time|avg_over_time|max_over_time|sum_over_time|label_replace)\s*\(/i,
  },
  { name: 'PromQL label matcher', pattern: /\{\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*["'`]/ },
  { name: 'PromQL range selector', pattern: /\[\s*\d+[smhdw]\s*\]/ },
  { name: 'PromQL aggregation clause', pattern: /\b(by|without)\s*\(\s*[a-z_]+/ },
  { name: 'histogram series name', pattern: /_bucket\b/ },
  { name: 'comparison with a number', pattern: /(^|[^-=<>])(<=?|>=?|≤|≥)\s*\d/ },
  { name: 'percentage', pattern: /\d\s*%/ },
  {
    name: 'number after a threshold word',
    pattern:
      /\b(above|below|over|under|exceeds?|exceeding|more than|less than|at least|at most|greater than|higher than|lower than|up to)\s+\d/i,
  },
  {
    name: 'number with a latency or rate unit',
    pattern: /\b\d+(\.\d+)?\s*(ms|milliseconds?|s|sec|seconds?|minutes?|\/s|per second)\b/i,
  },
];

/** The names of the forbidden patterns that match `text`. */
function violations(text: string): string[] {
  return FORBIDDEN.filter(({ pattern }) => pattern.test(text)).map(({ name }) => name);
}

describe('docs/rag corpus', () => {
  test('holds at least 12 notes', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(12);
  });

  test.each([
    ['sum(rate(state_transition_count_count[1m]))', 'PromQL function call'],
    ['service_latency{service_name="frontend"}', 'PromQL label matcher'],
    ['over the last [5m] window', 'PromQL range selector'],
    ['sum by (operation) of requests', 'PromQL aggregation clause'],
    ['task_latency_queue_bucket', 'histogram series name'],
    ['alert when the ratio is > 0.5', 'comparison with a number'],
    ['p99 >= 200', 'comparison with a number'],
    ['keep CPU under 80 %', 'percentage'],
    ['a hit rate below 0.8 is bad', 'number after a threshold word'],
    ['more than 100 new connections', 'number after a threshold word'],
    ['schedule-to-start of 200 ms', 'number with a latency or rate unit'],
    ['about 5 s of backlog', 'number with a latency or rate unit'],
  ])('the check catches %p', (text, name) => {
    expect(violations(text)).toContain(name);
  });

  test.each([
    'SQLSTATE `40001` is a serialization failure',
    'a rolling deploy -> settle',
    'the state is Happy, Stressed or Critical',
    'connections recycle before the one-hour cap',
    'rule `stressed.persistence_latency` fires',
  ])('the check leaves operator prose alone: %p', (text) => {
    expect(violations(text)).toEqual([]);
  });

  test.each(corpus.map((doc) => [doc.file, doc.text] as const))('%s has no PromQL and no thresholds', (_, text) => {
    const found = text
      .split('\n')
      .map((line, index) => ({ line: index + 1, text: line, names: violations(line) }))
      .filter((entry) => entry.names.length > 0);
    expect(found).toEqual([]);
  });

  test.each(corpus.map((doc) => [doc.file, doc.text] as const))('%s is a complete operator note', (_, text) => {
    const headings = [...text.matchAll(/^(#{1,3}) (.+)$/gm)].map((match) => `${match[1]} ${match[2]}`);
    expect(headings[0]).toMatch(/^# \S/);
    expect(headings.filter((heading) => heading.startsWith('# '))).toHaveLength(1);
    for (const section of ['What it means', 'How to confirm', 'What to do', 'What not to do']) {
      expect(headings).toContain(`## ${section}`);
    }
  });

  test('every section is short: no section body runs past the chunk bound unsplit', () => {
    for (const doc of corpus) {
      for (const body of doc.text.split(/^#{1,6} .*$/m)) expect(body.trim().length).toBeLessThanOrEqual(2400);
    }
  });
});
