import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCorpusDir } from '../agents/knowledge-index.ts';
import type { S3Client } from '../clients/s3.ts';

/**
 * `kb sync`: upload the corpus files whose content changed since the last sync. The SHA-256 of each file is stored
 * as the object's user metadata (`x-amz-meta-content-sha256`); a HeadObject per file reads it back, so an unchanged
 * file costs one HEAD and no upload, and no manifest object lands in the bucket the knowledge base ingests.
 */
export const CONTENT_HASH_METADATA = 'content-sha256';

export type SyncAction = 'uploaded' | 'unchanged' | 'would_upload';

export interface SyncedFile {
  file: string;
  key: string;
  sha256: string;
  action: SyncAction;
}

export interface SyncReport {
  bucket: string;
  prefix: string;
  files: SyncedFile[];
  uploaded: number;
  unchanged: number;
}

export interface SyncInput {
  s3: S3Client;
  bucket: string;
  prefix: string;
  dir: string;
  dryRun: boolean;
  /** Called after each file, in order. */
  onProgress: (input: { index: number; total: number; file: SyncedFile }) => void;
  signal?: AbortSignal;
}

export async function syncCorpus(input: SyncInput): Promise<SyncReport> {
  const names = (await readCorpusDir(input.dir)).map((entry) => entry.file);
  const files: SyncedFile[] = [];
  for (const [index, name] of names.entries()) {
    // Hash and upload the bytes on disk, not a decoded string, so the hash is the object's.
    const body = new Uint8Array(await readFile(join(input.dir, name)));
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = `${input.prefix}${name}`;
    const head = await input.s3.headObject({ key, ...(input.signal ? { signal: input.signal } : {}) });
    let action: SyncAction = 'unchanged';
    if (head?.metadata[CONTENT_HASH_METADATA] !== sha256) {
      action = input.dryRun ? 'would_upload' : 'uploaded';
      if (!input.dryRun) {
        await input.s3.putObject({
          key,
          body,
          contentType: 'text/markdown; charset=utf-8',
          metadata: { [CONTENT_HASH_METADATA]: sha256 },
          ...(input.signal ? { signal: input.signal } : {}),
        });
      }
    }
    const file = { file: name, key, sha256, action };
    files.push(file);
    input.onProgress({ index: index + 1, total: names.length, file });
  }
  return {
    bucket: input.bucket,
    prefix: input.prefix,
    files,
    uploaded: files.filter((file) => file.action !== 'unchanged').length,
    unchanged: files.filter((file) => file.action === 'unchanged').length,
  };
}
