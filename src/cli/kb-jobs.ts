import type { KnowledgeBaseDeps } from '../knowledge-base.ts';
import { createIngestionJobs } from '../knowledge-base.ts';
import type { IngestionJob } from '../models/index.ts';
import type { CliIo } from './command.ts';
import { EXIT } from './command.ts';
import type { Format } from './kb-output.ts';
import { emit } from './kb-output.ts';

/** `kb start-ingestion | status | list-jobs`: Bedrock Agent ingestion jobs on the configured data source. */
interface JobsInput {
  io: CliIo;
  format: Format;
  kbDeps: KnowledgeBaseDeps;
}

function describeJob(job: IngestionJob): string {
  const stats = job.statistics ?? {};
  const counts = [
    `scanned ${stats.numberOfDocumentsScanned ?? 0}`,
    `new ${stats.numberOfNewDocumentsIndexed ?? 0}`,
    `modified ${stats.numberOfModifiedDocumentsIndexed ?? 0}`,
    `deleted ${stats.numberOfDocumentsDeleted ?? 0}`,
    `failed ${stats.numberOfDocumentsFailed ?? 0}`,
  ].join(', ');
  const reasons = (job.failureReasons ?? []).map((reason) => `\n  failure: ${reason}`).join('');
  return `${job.ingestionJobId}  ${job.status.padEnd(11)}  started ${job.startedAt}  updated ${job.updatedAt}\n  ${counts}${reasons}\n`;
}

export async function startIngestion(input: JobsInput & { description: string }): Promise<number> {
  const jobs = createIngestionJobs(input.kbDeps);
  // One job at a time per data source: starting another is a ConflictException, and the running one may not see
  // files synced after it began, so say which job runs instead of failing with the bare conflict.
  const running = (await jobs.list({ statuses: ['STARTING', 'IN_PROGRESS'], maxResults: 1 })).ingestionJobSummaries[0];
  if (running !== undefined) {
    emit(
      input.io,
      input.format,
      { started: false, running },
      `not started: job ${running.ingestionJobId} is ${running.status}; wait for it, then start again\n`,
    );
    return EXIT.failure;
  }
  const job = await jobs.start({ description: input.description });
  return emit(input.io, input.format, { started: true, job }, `started ingestion job\n${describeJob(job)}`);
}

export async function showStatus(input: JobsInput & { jobId: string | null }): Promise<number> {
  const jobs = createIngestionJobs(input.kbDeps);
  // Without a JOB, the newest one; read through GetIngestionJob either way, since list summaries omit failure reasons.
  const jobId = input.jobId ?? (await jobs.list({ maxResults: 1 })).ingestionJobSummaries[0]?.ingestionJobId ?? null;
  const job = jobId === null ? null : await jobs.get({ jobId });
  if (job === null) {
    emit(input.io, input.format, { job: null }, 'no ingestion jobs on this data source\n');
    return EXIT.failure;
  }
  return emit(input.io, input.format, { job }, describeJob(job));
}

export async function listJobs(input: JobsInput & { limit: number }): Promise<number> {
  const { ingestionJobSummaries: jobs } = await createIngestionJobs(input.kbDeps).list({ maxResults: input.limit });
  const text = jobs.length === 0 ? 'no ingestion jobs on this data source\n' : jobs.map(describeJob).join('');
  return emit(input.io, input.format, { jobs }, text);
}
