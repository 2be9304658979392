import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';
import type { KnowledgePassage, KnowledgeRetriever } from '../models/index.ts';
import { AppError } from '../models/index.ts';
import type { CorpusFile, KnowledgeChunk } from './knowledge-chunks.ts';
import { chunkCorpus } from './knowledge-chunks.ts';

/**
 * The local knowledge base: a MiniSearch (BM25+) full-text index over the `docs/rag/` sections, used when no
 * Bedrock Knowledge Base is configured. Built once per retriever, lazily on the first query, so that a process that
 * never explains pays nothing. Ranking is deterministic: MiniSearch's score, ties broken by chunk id.
 */

/** The corpus folder of this checkout (`<repo>/docs/rag`). */
export const DEFAULT_CORPUS_DIR = fileURLToPath(new URL('../../docs/rag', import.meta.url));

/**
 * Whether a name is one `readCorpusDir` reads: a `*.md` file directly in the folder (so never a name with `/`).
 * `kb sync` applies the same rule to the keys under its prefix, so it only ever calls stale what it could upload.
 */
export function isCorpusFileName(name: string): boolean {
  return name.endsWith('.md') && !name.includes('/');
}

/** Read every `*.md` file of a corpus folder. @throws AppError CONFIG_INVALID when the folder cannot be read. */
export async function readCorpusDir(dir: string): Promise<CorpusFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new AppError('CONFIG_INVALID', `knowledge corpus ${dir} cannot be read`, { cause: error });
  }
  const files = names.filter(isCorpusFileName).sort();
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(join(dir, file), 'utf8') })));
}

export interface LocalKnowledgeIndexOptions {
  /** Where the corpus comes from. @default readCorpusDir(DEFAULT_CORPUS_DIR) */
  loadCorpus?: () => Promise<readonly CorpusFile[]>;
  /** @default MAX_CHUNK_CHARS */
  maxChunkChars?: number;
}

export interface LocalKnowledgeIndex extends KnowledgeRetriever {
  /** How many chunks the index holds (builds it if needed). */
  size(): Promise<number>;
}

/** Words too common to say anything about which note fits; dropping them keeps scores about the topic. */
const STOP_WORDS = new Set(
  'a an and are as at be by do does for from has have how in is it its not of on or so that the then this to too was what when where which while with'.split(
    ' ',
  ),
);

function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return lower.length < 2 || STOP_WORDS.has(lower) ? null : lower;
}

// Headings and titles say what a section is about; matching them counts more than a word in the body.
const SEARCH_OPTIONS = { boost: { title: 2, heading: 3, body: 1 }, prefix: true, fuzzy: 0.15 } as const;

function buildIndex(chunks: readonly KnowledgeChunk[]): MiniSearch<KnowledgeChunk> {
  const index = new MiniSearch<KnowledgeChunk>({
    idField: 'id',
    fields: ['title', 'heading', 'body'],
    storeFields: [],
    processTerm,
    searchOptions: SEARCH_OPTIONS,
  });
  index.addAll([...chunks]);
  return index;
}

function passageText(chunk: KnowledgeChunk): string {
  return chunk.heading === chunk.title
    ? `${chunk.title}\n\n${chunk.body}`
    : `${chunk.title}: ${chunk.heading}\n\n${chunk.body}`;
}

/**
 * A `KnowledgeRetriever` over the local corpus. `limit` is clamped to at least 1; an empty or stop-word-only query
 * returns no passages. A corpus that fails to load fails this query and is tried again on the next one.
 */
export function createLocalKnowledgeIndex(options: LocalKnowledgeIndexOptions = {}): LocalKnowledgeIndex {
  const load = options.loadCorpus ?? (() => readCorpusDir(DEFAULT_CORPUS_DIR));
  let built: Promise<{ index: MiniSearch<KnowledgeChunk>; chunks: Map<string, KnowledgeChunk> }> | null = null;
  const ready = () => {
    if (built === null) {
      const building = load().then((files) => {
        const chunks = chunkCorpus(files, options.maxChunkChars);
        return { index: buildIndex(chunks), chunks: new Map(chunks.map((chunk) => [chunk.id, chunk])) };
      });
      built = building;
      building.catch(() => {
        if (built === building) built = null;
      });
    }
    return built;
  };
  return {
    async size() {
      return (await ready()).chunks.size;
    },
    async retrieve(input) {
      if (input.signal?.aborted) throw new AppError('CANCELLED', 'knowledge query cancelled by the caller');
      const { index, chunks } = await ready();
      const limit = Math.max(1, Math.floor(input.limit));
      const results = index
        .search(input.query)
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const passages: KnowledgePassage[] = [];
      for (const result of results) {
        const chunk = chunks.get(String(result.id));
        if (chunk === undefined) continue;
        passages.push({ source: chunk.source, text: passageText(chunk), score: result.score });
        if (passages.length === limit) break;
      }
      return passages;
    },
  };
}
