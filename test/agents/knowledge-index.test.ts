import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import {
  chunkCorpus,
  chunkFile,
  headingSlug,
  MAX_CHUNK_CHARS,
  splitBounded,
} from '../../src/agents/knowledge-chunks.ts';
import { createLocalKnowledgeIndex } from '../../src/agents/knowledge-index.ts';
import { isAppError } from '../../src/models/index.ts';

const index = createLocalKnowledgeIndex();

describe('local knowledge index over docs/rag', () => {
  test.each([
    ['sticky cache hit rate falls and evictions rise, histories replay', 'sticky-cache.md'],
    ['OCC conflict SQLSTATE 40001 serialization failure retries', 'dsql-connections-and-occ.md'],
    ['DSQL IAM token expired new connection fails', 'dsql-connections-and-occ.md'],
    ['ResourceExhausted namespace RPS limit', 'namespace-rate-limits.md'],
    ['busy workflow: per-execution lock contention', 'namespace-rate-limits.md'],
    ['retention deletes system busy', 'retention-and-deletion-storms.md'],
    ['ringpop membership rolling deploy', 'deploys-and-membership-churn.md'],
    ['number of history shards cannot be changed', 'shard-count-and-ownership-churn.md'],
    ['pollers outnumber executor slots', 'pollers-and-task-slots.md'],
    ['schedule-to-start latency', 'schedule-to-start-latency.md'],
    ['transfer and timer tasks wait in the history backlog', 'history-task-backlog.md'],
    ['nearest escalation headroom', 'reading-copilot-evidence.md'],
    ['what does unknown mean, never Happy on missing data', 'reading-copilot-states.md'],
    ['persistence latency by operation', 'persistence-latency.md'],
    ['never scale workers down while slots are exhausted', 'worker-scaling.md'],
  ])('%p finds %s first', async (query, file) => {
    const [top] = await index.retrieve({ query, limit: 3 });
    expect(top?.source).toStartWith(`docs/rag/${file}#`);
  });

  test('passages name their section and carry its text', async () => {
    const passages = await index.retrieve({ query: 'sticky cache forced evictions', limit: 5 });
    expect(passages.length).toBe(5);
    for (const passage of passages) {
      expect(passage.source).toMatch(/^docs\/rag\/[a-z0-9-]+\.md#[a-z0-9-]+$/);
      expect(passage.text.length).toBeGreaterThan(0);
      expect(passage.score).toBeGreaterThan(0);
    }
    expect(passages.map((p) => p.score)).toEqual([...passages.map((p) => p.score)].sort((a, b) => (b ?? 0) - (a ?? 0)));
    expect(passages[0]?.text).toStartWith('Sticky cache and sticky task queues');
  });

  test('an empty or stop-word-only query finds nothing; limit is honoured and clamped', async () => {
    expect(await index.retrieve({ query: '', limit: 5 })).toEqual([]);
    expect(await index.retrieve({ query: 'the and of', limit: 5 })).toEqual([]);
    expect(await index.retrieve({ query: 'persistence', limit: 2 })).toHaveLength(2);
    expect(await index.retrieve({ query: 'persistence', limit: 0 })).toHaveLength(1);
  });

  test('built once, lazily, and rebuilt after a failed load', async () => {
    let loads = 0;
    let fail = true;
    const lazy = createLocalKnowledgeIndex({
      loadCorpus: async () => {
        loads += 1;
        if (fail) throw new Error('disk gone');
        return [{ file: 'a.md', text: '# Alpha\n\nsticky cache words\n' }];
      },
    });
    expect(loads).toBe(0);
    await expect(lazy.retrieve({ query: 'sticky', limit: 1 })).rejects.toThrow('disk gone');
    fail = false;
    await lazy.retrieve({ query: 'sticky', limit: 1 });
    await lazy.retrieve({ query: 'cache', limit: 1 });
    expect(await lazy.size()).toBe(1);
    expect(loads).toBe(2);
  });

  test('equal scores are ordered by source, whatever order the files come in', async () => {
    const same = '# Note\n\nshard churn during deploys\n';
    const files = ['c.md', 'a.md', 'b.md'].map((file) => ({ file, text: same }));
    const forward = createLocalKnowledgeIndex({ loadCorpus: async () => files });
    const backward = createLocalKnowledgeIndex({ loadCorpus: async () => [...files].reverse() });
    const first = await forward.retrieve({ query: 'shard churn', limit: 3 });
    expect(first.map((p) => p.source)).toEqual(['docs/rag/a.md#note', 'docs/rag/b.md#note', 'docs/rag/c.md#note']);
    expect(await backward.retrieve({ query: 'shard churn', limit: 3 })).toEqual(first);
  });

  test('a cancelled query is CANCELLED', async () => {
    const error = await index.retrieve({ query: 'x', limit: 1, signal: AbortSignal.abort() }).catch((e) => e);
    expect(isAppError(error, 'CANCELLED')).toBe(true);
  });
});

describe('chunking', () => {
  test('one chunk per section, slugged like GitHub anchors, repeated headings numbered', () => {
    const text =
      '# Title: One\n\nIntro.\n\n## What it means\n\nA.\n\n## What it means\n\nB.\n\n### Sub-part (x)\n\nC.\n';
    expect(chunkFile({ file: 'n.md', text }).map((c) => [c.id, c.heading, c.body])).toEqual([
      ['docs/rag/n.md#title-one', 'Title: One', 'Intro.'],
      ['docs/rag/n.md#what-it-means', 'What it means', 'A.'],
      ['docs/rag/n.md#what-it-means-1', 'What it means', 'B.'],
      ['docs/rag/n.md#sub-part-x', 'Sub-part (x)', 'C.'],
    ]);
  });

  test('headings inside code fences are text, not sections', () => {
    const chunks = chunkFile({ file: 'f.md', text: '# T\n\n```\n# not a heading\n```\n' });
    expect(chunks.map((c) => c.id)).toEqual(['docs/rag/f.md#t']);
  });

  test('a long section splits at paragraph boundaries into parts with one source', () => {
    const paragraph = 'word '.repeat(60).trim();
    const text = `# T\n\n## Long\n\n${Array.from({ length: 6 }, () => paragraph).join('\n\n')}\n`;
    const chunks = chunkFile({ file: 'l.md', text, maxChars: 700 });
    expect(chunks.length).toBeGreaterThan(1);
    expect(new Set(chunks.map((c) => c.source))).toEqual(new Set(['docs/rag/l.md#long']));
    expect(chunks.map((c) => c.id)).toEqual(chunks.map((_, i) => `docs/rag/l.md#long${i === 0 ? '' : `~${i + 1}`}`));
    for (const chunk of chunks) expect(chunk.body.length).toBeLessThanOrEqual(700);
  });

  test('the real corpus stays within the chunk bound', async () => {
    expect(await index.size()).toBeGreaterThan(50);
  });

  test('property: chunks are bounded, ids unique, sources well formed, and no body text lost or reordered', () => {
    const heading = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,20}$/);
    const bodyLine = fc
      .oneof(fc.string({ maxLength: 200 }), fc.constant('x'.repeat(300)))
      .filter((s) => !/^\s*#/.test(s) && !s.includes('```') && !s.includes('~~~'));
    const line = fc.oneof(
      bodyLine.map((text) => ({ text, body: true })),
      heading.map((h) => ({ text: `## ${h}`, body: false })),
      heading.map((h) => ({ text: `# ${h}`, body: false })),
    );
    const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.integer({ min: 80, max: 2000 }), (lines, maxChars) => {
        const chunks = chunkCorpus([{ file: 'p.md', text: lines.map((l) => l.text).join('\n') }], maxChars);
        expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
        for (const chunk of chunks) {
          expect(chunk.body.length).toBeLessThanOrEqual(maxChars);
          expect(chunk.source).toMatch(/^docs\/rag\/p\.md#[a-z0-9_-]*$/);
        }
        // A word longer than the bound is cut, so compare the non-space characters, in order.
        const expected = lines
          .filter((l) => l.body)
          .flatMap((l) => words(l.text))
          .join('');
        expect(chunks.flatMap((c) => words(c.body)).join('')).toBe(expected);
      }),
    );
  });

  test('property: splitBounded keeps every word in order within the bound', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), fc.integer({ min: 1, max: 500 }), (text, maxChars) => {
        const parts = splitBounded(text, maxChars);
        for (const part of parts) expect(part.length).toBeLessThanOrEqual(maxChars);
        expect(parts.join(' ').split(/\s+/).filter(Boolean).join('')).toBe(text.split(/\s+/).filter(Boolean).join(''));
      }),
    );
  });

  test('property: slugs hold only letters, digits, hyphens and underscores', () => {
    fc.assert(
      fc.property(fc.string(), (heading) => {
        expect(headingSlug(heading)).toMatch(/^[\p{L}\p{N}_-]*$/u);
      }),
    );
  });

  test('default chunk bound', () => {
    expect(MAX_CHUNK_CHARS).toBe(1200);
  });
});
