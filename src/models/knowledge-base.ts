import { type } from 'arktype';

/**
 * The knowledge base's outside shapes: Bedrock Agent ingestion jobs as the API returns them (open: fields AWS adds
 * later are ignored) and the KB configuration. Times are ISO 8601 strings as AWS sends them.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_IngestionJob.html
 */

export const IngestionJobStatus = type("'STARTING' | 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'STOPPING' | 'STOPPED'");
export type IngestionJobStatus = typeof IngestionJobStatus.infer;

const Count = 'number.integer >= 0';

export const IngestionJobStatistics = type({
  'numberOfDocumentsScanned?': Count,
  'numberOfNewDocumentsIndexed?': Count,
  'numberOfModifiedDocumentsIndexed?': Count,
  'numberOfDocumentsDeleted?': Count,
  'numberOfDocumentsFailed?': Count,
  'numberOfMetadataDocumentsScanned?': Count,
  'numberOfMetadataDocumentsModified?': Count,
});
export type IngestionJobStatistics = typeof IngestionJobStatistics.infer;

/** One job, as StartIngestionJob and GetIngestionJob return it (ListIngestionJobs returns the same minus reasons). */
export const IngestionJob = type({
  ingestionJobId: 'string > 0',
  knowledgeBaseId: 'string > 0',
  dataSourceId: 'string > 0',
  status: IngestionJobStatus,
  'statistics?': IngestionJobStatistics,
  startedAt: 'string > 0',
  updatedAt: 'string > 0',
  'description?': 'string',
  'failureReasons?': 'string[]',
});
export type IngestionJob = typeof IngestionJob.infer;

export const IngestionJobResponse = type({ ingestionJob: IngestionJob });

export const IngestionJobList = type({
  ingestionJobSummaries: IngestionJob.array(),
  'nextToken?': 'string',
});
export type IngestionJobList = typeof IngestionJobList.infer;

/**
 * Knowledge base settings (config-llm.ts reads them). Retrieval uses Bedrock when `knowledgeBaseId` is set, else the
 * local index over docs/rag. `kb sync` needs `bucket`; `kb start-ingestion | status | list-jobs` need
 * `knowledgeBaseId` and `dataSourceId`. The endpoint overrides serve VPC endpoints and local test servers.
 */
export interface KbConfig {
  knowledgeBaseId: string | null;
  dataSourceId: string | null;
  bucket: string | null;
  /** Key prefix for the corpus in the bucket; empty or ending in `/`. */
  prefix: string;
  region: string | null;
  retrieveUrl: string | null;
  agentUrl: string | null;
  s3Url: string | null;
}
