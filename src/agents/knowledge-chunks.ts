/**
 * Heading-aware chunking of the `docs/rag/` corpus. Pure: the same files give the same chunks in the same order.
 * A chunk is one section (the text under one heading, down to the next heading of any level), so a passage a model
 * cites is a whole operator note section, never half of one and half of the next. A section longer than
 * `maxChars` is split at paragraph boundaries (and, for a single overlong paragraph, at a word boundary).
 */

/** One markdown file of the corpus, with its path relative to the corpus folder (`sticky-cache.md`). */
export interface CorpusFile {
  file: string;
  text: string;
}

export interface KnowledgeChunk {
  /** Unique across the corpus: the source, plus `~n` for the n-th part of a split section (n ≥ 2). */
  id: string;
  /** `docs/rag/<file>#<heading-slug>`, the address a passage is cited by. */
  source: string;
  /** The document's title (its first level-1 heading, else the file name). */
  title: string;
  /** The section heading; the title for text before the first subheading. */
  heading: string;
  body: string;
}

/** Upper bound on a chunk's body; about 300 tokens, small enough that five passages fit the evidence budget. */
export const MAX_CHUNK_CHARS = 1200;

const CORPUS_PREFIX = 'docs/rag/';

/**
 * GitHub's heading anchors: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens.
 * A slug that repeats in one file gets `-1`, `-2`, … as GitHub numbers them.
 */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

interface Section {
  heading: string;
  lines: string[];
}

function sectionsOf(text: string): { title: string | null; sections: Section[] } {
  let title: string | null = null;
  const sections: Section[] = [];
  let current: Section | null = null;
  let inFence = false;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const match = inFence ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      const heading = match[2];
      if (match[1].length === 1 && title === null) title = heading;
      current = { heading, lines: [] };
      sections.push(current);
      continue;
    }
    if (current === null) {
      current = { heading: '', lines: [] };
      sections.push(current);
    }
    current.lines.push(line);
  }
  return { title, sections };
}

/** Split text into parts of at most `maxChars`, preferring paragraph, then line, then word boundaries. */
export function splitBounded(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars + 1);
    const cut = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find(
      (index) => index > 0,
    );
    const at = cut ?? maxChars;
    const head = rest.slice(0, at).trimEnd();
    if (head !== '') parts.push(head);
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '') parts.push(rest);
  return parts;
}

/** Chunk one file. Sections without text (a title directly followed by a subheading) yield no chunk. */
export function chunkFile(input: CorpusFile & { maxChars?: number }): KnowledgeChunk[] {
  const maxChars = Math.max(80, input.maxChars ?? MAX_CHUNK_CHARS);
  const { title: parsedTitle, sections } = sectionsOf(input.text);
  const title = parsedTitle ?? input.file.replace(/\.md$/i, '');
  const seen = new Map<string, number>();
  const chunks: KnowledgeChunk[] = [];
  for (const section of sections) {
    const heading = section.heading === '' ? title : section.heading;
    const base = headingSlug(heading);
    const repeat = seen.get(base) ?? 0;
    seen.set(base, repeat + 1);
    const slug = repeat === 0 ? base : `${base}-${repeat}`;
    const body = section.lines.join('\n').trim();
    if (body === '') continue;
    const source = `${CORPUS_PREFIX}${input.file}#${slug}`;
    splitBounded(body, maxChars).forEach((part, index) => {
      chunks.push({ id: index === 0 ? source : `${source}~${index + 1}`, source, title, heading, body: part });
    });
  }
  return chunks;
}

/** Chunk a whole corpus, files in name order so that the result does not depend on directory listing order. */
export function chunkCorpus(files: readonly CorpusFile[], maxChars?: number): KnowledgeChunk[] {
  return [...files]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .flatMap((file) => chunkFile(maxChars === undefined ? file : { ...file, maxChars }));
}
