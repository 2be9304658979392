import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCorpusFileName, readCorpusDir } from '../agents/knowledge-index.ts';
import type { S3Client } from '../clients/s3.ts';
import { AppError } from '../models/index.ts';

/**
 * `kb sync`: make the objects under the prefix match the corpus folder, like `aws s3 sync [--delete]`. One
 * ListObjectsV2 listing (all pages) says what is there. The SHA-256 of each file is stored as the object's user
 * metadata (`x-amz-meta-content-sha256`); a HeadObject per listed file reads it back, so an unchanged file costs one
 * HEAD and no upload, a new file costs no HEAD, and no manifest object lands in the bucket the knowledge base
 * ingests. Objects under the prefix whose name is a corpus file name but which have no file are orphans: reported
 * as stale, or deleted with `delete`. Any other key under the prefix (a sidecar, a sub-folder) is none of sync's
 * business and is never touched.
 */
export const CONTENT_HASH_METADATA = 'content-sha256';

export type SyncAction = 'uploaded' | 'unchanged' | 'would_upload';

export interface SyncedFile {
  file: string;
  key: string;
  sha256: string;
  action: SyncAction;
}

/** `stale`: left in place (no `--delete`); `deleted`; `would_delete`: `--delete --dry-run`. */
export type OrphanAction = 'stale' | 'deleted' | 'would_delete';

export interface OrphanObject {
  key: string;
  action: OrphanAction;
}

export interface SyncReport {
  bucket: string;
  prefix: string;
  files: SyncedFile[];
  /** Objects under the prefix with a corpus file name and no file in the folder, in key order. */
  orphans: OrphanObject[];
  /** Files uploaded (or, with dry run, that would be). */
  uploaded: number;
  unchanged: number;
  /** Orphans left in the bucket. */
  stale: number;
  /** Orphans deleted (or, with dry run, that would be). */
  deleted: number;
}

export interface SyncInput {
  s3: S3Client;
  bucket: string;
  prefix: string;
  dir: string;
  dryRun: boolean;
  /** Delete the orphans instead of reporting them as stale. */
  delete: boolean;
  /**
   * The most orphans one `delete` run may remove. @default half the corpus notes under the prefix (at least 1), so
   * a wrong `dir` holding some other notes cannot empty the knowledge base.
   */
  maxDelete?: number;
  /** Called after each file, in order. */
  onProgress: (input: { index: number; total: number; file: SyncedFile }) => void;
  /** Called after each orphan, in key order. */
  onOrphan?: (orphan: OrphanObject) => void;
  /** ListObjectsV2 page size. @default S3's 1000 */
  listPageSize?: number;
  signal?: AbortSignal;
}

/**
 * @throws AppError INVALID_INPUT when `delete` is asked for with an empty corpus folder (that would empty the
 * prefix, almost certainly a wrong --dir), with no prefix (the bucket's root is not ours alone) or beyond
 * `maxDelete`; CONFIG_INVALID (folder unreadable), and the S3 client's codes.
 */
export async function syncCorpus(input: SyncInput): Promise<SyncReport> {
  const names = (await readCorpusDir(input.dir)).map((entry) => entry.file);
  if (input.delete && names.length === 0) {
    throw new AppError(
      'INVALID_INPUT',
      `${input.dir} holds no corpus file; refusing to delete every note under the prefix`,
    );
  }
  // Without a prefix the "corpus" is every note at the bucket's root, another team's included: deleting needs one.
  if (input.delete && input.prefix === '') {
    throw new AppError(
      'INVALID_INPUT',
      '--delete needs a key prefix (COPILOT_KB_PREFIX, e.g. rag/), so that only this corpus can be deleted',
    );
  }
  const signal = input.signal ? { signal: input.signal } : {};
  const listed = await input.s3.listObjects({
    prefix: input.prefix,
    ...(input.listPageSize === undefined ? {} : { maxKeys: input.listPageSize }),
    ...signal,
  });
  const listedKeys = new Set(listed.map((object) => object.key));
  if (input.delete) refuseMassDeletion({ ...input, listed: [...listedKeys], names });
  const files: SyncedFile[] = [];
  for (const [index, name] of names.entries()) {
    // Hash and upload the bytes on disk, not a decoded string, so the hash is the object's.
    const body = new Uint8Array(await readFile(join(input.dir, name)));
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = `${input.prefix}${name}`;
    const head = listedKeys.has(key) ? await input.s3.headObject({ key, ...signal }) : null;
    let action: SyncAction = 'unchanged';
    if (head?.metadata[CONTENT_HASH_METADATA] !== sha256) {
      action = input.dryRun ? 'would_upload' : 'uploaded';
      if (!input.dryRun) {
        await input.s3.putObject({
          key,
          body,
          contentType: 'text/markdown; charset=utf-8',
          metadata: { [CONTENT_HASH_METADATA]: sha256 },
          ...signal,
        });
      }
    }
    const file = { file: name, key, sha256, action };
    files.push(file);
    input.onProgress({ index: index + 1, total: names.length, file });
  }

  const corpusKeys = new Set(files.map((file) => file.key));
  const orphans: OrphanObject[] = [];
  // Uploads first, deletions last (as aws s3 sync does): an interrupted run never leaves the prefix with less.
  // The set, not the listing: a listing that repeated a key must not delete (or report) it twice.
  for (const key of listedKeys) {
    if (!isNote(key, input.prefix) || corpusKeys.has(key)) continue;
    let action: OrphanAction = 'stale';
    if (input.delete) {
      action = input.dryRun ? 'would_delete' : 'deleted';
      if (!input.dryRun) await input.s3.deleteObject({ key, ...signal });
    }
    const orphan = { key, action };
    orphans.push(orphan);
    input.onOrphan?.(orphan);
  }
  return {
    bucket: input.bucket,
    prefix: input.prefix,
    files,
    orphans,
    uploaded: files.filter((file) => file.action !== 'unchanged').length,
    unchanged: files.filter((file) => file.action === 'unchanged').length,
    stale: orphans.filter((orphan) => orphan.action === 'stale').length,
    deleted: orphans.filter((orphan) => orphan.action !== 'stale').length,
  };
}

/** A key sync owns: a corpus file name right under the prefix. */
function isNote(key: string, prefix: string): boolean {
  // S3 lists only keys under the prefix; checking again costs nothing and keeps a broken server from widening it.
  return key.startsWith(prefix) && isCorpusFileName(key.slice(prefix.length));
}

/**
 * Refuse, before any upload, a deletion larger than `maxDelete` (by default more than half the notes there): a
 * folder that shares a few names with the corpus would otherwise delete the rest, and the knowledge base would
 * answer from almost nothing after the next ingestion.
 * @throws AppError INVALID_INPUT naming the counts and the flag that allows it.
 */
function refuseMassDeletion(input: {
  bucket: string;
  prefix: string;
  dir: string;
  listed: readonly string[];
  names: readonly string[];
  maxDelete?: number;
}): void {
  const notes = input.listed.filter((key) => isNote(key, input.prefix));
  const kept = new Set(input.names.map((name) => `${input.prefix}${name}`));
  const doomed = notes.filter((key) => !kept.has(key)).length;
  const limit = input.maxDelete ?? Math.max(1, Math.floor(notes.length / 2));
  if (doomed <= limit) return;
  const why = input.maxDelete === undefined ? 'more than half of them' : `more than --max-delete ${input.maxDelete}`;
  throw new AppError(
    'INVALID_INPUT',
    `refusing to delete ${doomed} of the ${notes.length} notes under s3://${input.bucket}/${input.prefix} (${why}): ` +
      `${input.dir} holds ${input.names.length} corpus file(s); if that is the corpus, pass --max-delete ${doomed}`,
  );
}
