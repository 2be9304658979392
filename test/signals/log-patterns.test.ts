import { afterAll, describe, expect, test } from 'bun:test';
import type { LokiClient, LokiQueryResult, LokiRangeQueryInput, LokiStream } from '../../src/clients/loki.ts';
import { createLokiClient } from '../../src/clients/loki.ts';
import { AppError, LogPattern } from '../../src/models/index.ts';
import {
  buildSignatureQuery,
  countLogPatterns,
  DEFAULT_LOKI_SELECTOR,
  LOG_SIGNATURES,
  parseLogLine,
  resolveService,
} from '../../src/signals/log-patterns.ts';

const START_MS = Date.parse('2026-05-01T12:00:00Z');
const END_MS = START_MS + 60_000;
const ns = (ms: number, extra = 0) => (BigInt(ms) * 1_000_000n + BigInt(extra)).toString();

/** An in-process Loki that serves log entries honouring start, exclusive end, limit and backward direction. */
function fakeLoki(
  streams: { labels: Record<string, string>; entries: { ms: number; extraNs?: number; line: string }[] }[],
) {
  const calls: LokiRangeQueryInput[] = [];
  const client: LokiClient = {
    query: async () => {
      throw new Error('instant queries are not used for logs');
    },
    queryRange: async (input): Promise<LokiQueryResult> => {
      calls.push(input);
      const all = streams.flatMap((s) =>
        s.entries
          .filter((e) => e.ms >= input.startMs && e.ms < input.endMs)
          .map((e) => ({ labels: s.labels, ns: ns(e.ms, e.extraNs ?? 0), ms: e.ms, line: e.line })),
      );
      all.sort((a, b) => (BigInt(b.ns) > BigInt(a.ns) ? 1 : BigInt(b.ns) < BigInt(a.ns) ? -1 : 0));
      const page = all.slice(0, input.limit ?? 100);
      const byStream = new Map<Record<string, string>, LokiStream>();
      for (const e of page) {
        const stream = byStream.get(e.labels) ?? { labels: e.labels, entries: [] };
        stream.entries.push({ timestampNs: e.ns, timestampMs: e.ms, line: e.line });
        byStream.set(e.labels, stream);
      }
      return { resultType: 'streams', streams: [...byStream.values()] };
    },
  };
  return { client, calls };
}

const json = (fields: Record<string, string>) => JSON.stringify({ ts: '2026-05-01T12:00:01.000Z', ...fields });

describe('countLogPatterns', () => {
  test('counts per (signature, service) from JSON and plain lines, sorted by count, with safe samples', async () => {
    const { client, calls } = fakeLoki([
      {
        labels: { service_name: 'history', job: 'temporal' },
        entries: [
          {
            ms: START_MS + 1,
            line: json({
              level: 'error',
              msg: 'Persistent store operation failure',
              error: 'SQLSTATE 40001 for postgres://copilot:hunter22@db:5432',
            }),
          },
          { ms: START_MS + 2, line: json({ level: 'error', msg: 'Persistent store operation failure' }) },
          {
            ms: START_MS + 3,
            line: json({ level: 'info', msg: 'historyClient: updating cache from shard ownership lost error' }),
          },
        ],
      },
      {
        labels: { service: 'temporal', container: 'temporal-dev' },
        entries: [
          {
            ms: START_MS + 4,
            line: '2026/05/01 dial tcp db:5432: connect: connection refused; caller AKIAIOSFODNN7EXAMPLE\u001b[31m',
          },
        ],
      },
      {
        labels: { job: 'temporal' },
        entries: [{ ms: START_MS + 5, line: json({ level: 'info', msg: 'Acquired shard', service: 'History' }) }],
      },
    ]);
    const patterns = await countLogPatterns({
      loki: client,
      selector: '{job="temporal"}',
      startMs: START_MS,
      endMs: END_MS,
    });
    const window = { window_start: '2026-05-01T12:00:00.000Z', window_end: '2026-05-01T12:01:00.000Z' };
    expect(patterns).toEqual([
      {
        signature_id: 'persistence-failure',
        pattern: 'Persistent store operation failure',
        service: 'history',
        count: 2,
        // Pages run newest first, so the sample is the newest matching line.
        sample_message: 'error: Persistent store operation failure',
        ...window,
      },
      {
        signature_id: 'connection-refused',
        pattern: 'connection refused',
        service: 'temporal',
        count: 1,
        sample_message: '2026/05/01 dial tcp db:5432: connect: connection refused; caller [REDACTED:aws-key]',
        ...window,
      },
      {
        signature_id: 'shard-acquired',
        pattern: 'Acquired shard',
        service: 'history',
        count: 1,
        sample_message: 'info: Acquired shard',
        ...window,
      },
      {
        signature_id: 'shard-ownership-lost',
        pattern: 'shard ownership lost',
        service: 'history',
        count: 1,
        sample_message: 'info: historyClient: updating cache from shard ownership lost error',
        ...window,
      },
      {
        signature_id: 'sqlstate-40001',
        pattern: 'SQLSTATE 40001',
        service: 'history',
        count: 1,
        sample_message:
          'error: Persistent store operation failure error=SQLSTATE 40001 for postgres://[REDACTED]@db:5432',
        ...window,
      },
    ]);
    for (const pattern of patterns) expect(LogPattern.allows(pattern)).toBe(true);
    expect(calls[0]?.direction).toBe('backward');
    expect(calls[0]?.query.startsWith('{job="temporal"} |~ `(?i)(')).toBe(true);
  });

  test('role filters apply only when the service names a Temporal role', async () => {
    const line = '{"level":"info","msg":"Acquired shard","shard-id":1}';
    const { client } = fakeLoki([
      { labels: { service_name: 'history' }, entries: [{ ms: START_MS, line }] },
      { labels: { service_name: 'matching' }, entries: [{ ms: START_MS, line }] },
      { labels: { service_name: 'temporal-server' }, entries: [{ ms: START_MS, line }] },
    ]);
    const patterns = await countLogPatterns({
      loki: client,
      selector: DEFAULT_LOKI_SELECTOR,
      startMs: START_MS,
      endMs: END_MS,
    });
    expect(patterns.map((p) => [p.signature_id, p.service])).toEqual([
      ['shard-acquired', 'history'],
      ['shard-acquired', 'temporal-server'],
    ]);
  });

  test('pages backward through a busy window without double counting the boundary millisecond', async () => {
    // 2,500 matching lines, five per millisecond, so every page boundary splits a millisecond.
    const entries = Array.from({ length: 2500 }, (_, i) => ({
      ms: START_MS + Math.floor(i / 5),
      extraNs: i % 5,
      line: `context deadline exceeded #${i}`,
    }));
    const { client, calls } = fakeLoki([{ labels: { service_name: 'frontend' }, entries }]);
    const patterns = await countLogPatterns({
      loki: client,
      selector: '{a="b"}',
      startMs: START_MS,
      endMs: END_MS,
      pageLimit: 1000,
    });
    expect(patterns.map((p) => [p.signature_id, p.count])).toEqual([['deadline-exceeded', 2500]]);
    expect(calls.length).toBeLessThanOrEqual(5);
    const bounded = await countLogPatterns({
      loki: client,
      selector: '{a="b"}',
      startMs: START_MS,
      endMs: END_MS,
      pageLimit: 1000,
      maxPages: 2,
    });
    // Page two re-reads the five lines of the boundary millisecond (already counted), so 1000 + 995.
    expect(bounded[0]?.count).toBe(1995);
  });

  test('a selector that is not {…} is refused', async () => {
    const { client } = fakeLoki([]);
    const error = await countLogPatterns({ loki: client, selector: 'job="x"', startMs: START_MS, endMs: END_MS }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_INPUT');
  });
});

describe('signature library', () => {
  test('ids are unique and every signature matches its own pattern through the Loki line filter', () => {
    expect(new Set(LOG_SIGNATURES.map((s) => s.id)).size).toBe(LOG_SIGNATURES.length);
    const query = buildSignatureQuery('{job="temporal"}');
    const filter = /\|~ `\(\?i\)(.*)`$/.exec(query)?.[1] ?? '';
    const regex = new RegExp(filter, 'i');
    for (const signature of LOG_SIGNATURES) expect(regex.test(`prefix ${signature.pattern} suffix`)).toBe(true);
    expect(regex.test('all good here')).toBe(false);
  });

  test('parseLogLine reads Temporal JSON logs and leaves plain text alone', () => {
    expect(
      parseLogLine(json({ level: 'warn', msg: 'Fail to process task', service: 'history', 'wf-namespace': 'default' })),
    ).toEqual({
      level: 'warn',
      service: 'history',
      summary: 'warn: Fail to process task',
    });
    expect(parseLogLine('{not json')).toEqual({ level: null, service: null, summary: '{not json' });
  });

  test('resolveService prefers service_name, then the JSON service, then service and job labels', () => {
    expect(resolveService({ service_name: 'Matching', job: 'temporal' }, 'history')).toBe('matching');
    expect(resolveService({ job: 'temporal' }, 'history')).toBe('history');
    expect(resolveService({ service: 'temporal-dev', job: 'x' }, null)).toBe('temporal-dev');
    expect(resolveService({}, null)).toBe('unknown');
  });
});

describe('countLogPatterns over HTTP', () => {
  const seenQueries: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request) {
      seenQueries.push(new URL(request.url).searchParams.get('query') ?? '');
      return Response.json({
        status: 'success',
        data: {
          resultType: 'streams',
          result: [
            {
              stream: { service_name: 'history' },
              values: [[ns(START_MS + 10), json({ level: 'error', msg: 'Error acquiring shard', 'shard-id': '7' })]],
            },
          ],
        },
      });
    },
  });
  afterAll(() => server.stop(true));

  test('a real Loki client end to end', async () => {
    const loki = createLokiClient({ baseUrl: `http://127.0.0.1:${server.port}` });
    const patterns = await countLogPatterns({
      loki,
      selector: DEFAULT_LOKI_SELECTOR,
      startMs: START_MS,
      endMs: END_MS,
    });
    expect(patterns.map((p) => [p.signature_id, p.service, p.count])).toEqual([['shard-acquire-error', 'history', 1]]);
    expect(seenQueries[0]).toBe(buildSignatureQuery(DEFAULT_LOKI_SELECTOR));
  });
});
