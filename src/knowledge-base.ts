import { createLocalKnowledgeIndex, readCorpusDir } from './agents/knowledge-index.ts';
import type { CredentialProvider } from './clients/aws/index.ts';
import { createDefaultCredentialProvider } from './clients/aws/index.ts';
import type { IngestionJobsClient } from './clients/bedrock-ingestion.ts';
import { createIngestionJobsClient } from './clients/bedrock-ingestion.ts';
import { createBedrockRetriever } from './clients/bedrock-retrieve.ts';
import type { S3Client } from './clients/s3.ts';
import { createS3Client } from './clients/s3.ts';
import type { KbConfig, KnowledgeRetriever } from './models/index.ts';
import { AppError } from './models/index.ts';

/**
 * Composition of the knowledge base from configuration: which retriever the explainer gets, and the clients the
 * `copilot kb` commands use. Lives at the root because it joins `agents` (the local index) and `clients` (Bedrock),
 * which may not import each other.
 */
export interface KnowledgeBaseDeps {
  kb: KbConfig;
  /** Needed only for Bedrock / S3; created from `awsEnv` when absent. */
  credentials?: CredentialProvider;
  awsEnv?: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  /** The local index's corpus folder. @default the checkout's docs/rag, resolved from the agents module */
  corpusDir?: string;
}

export type KnowledgeBackend = 'bedrock' | 'local';

export function knowledgeBackendOf(kb: KbConfig): KnowledgeBackend {
  return kb.knowledgeBaseId !== null && kb.region !== null ? 'bedrock' : 'local';
}

function credentialsOf(deps: KnowledgeBaseDeps): CredentialProvider {
  return deps.credentials ?? createDefaultCredentialProvider({ env: { ...(deps.awsEnv ?? {}) } });
}

function missing(variable: string, purpose: string): AppError {
  return new AppError('CONFIG_INVALID', `${variable} is required to ${purpose}`, {
    problems: { [variable]: [`required to ${purpose}`] },
  });
}

/** Bedrock Knowledge Base Retrieve when `COPILOT_KB_ID` is set, else the local index over docs/rag. */
export function createKnowledgeRetriever(deps: KnowledgeBaseDeps): KnowledgeRetriever {
  const { kb } = deps;
  if (knowledgeBackendOf(kb) === 'local' || kb.knowledgeBaseId === null || kb.region === null) {
    const { corpusDir } = deps;
    return createLocalKnowledgeIndex(corpusDir === undefined ? {} : { loadCorpus: () => readCorpusDir(corpusDir) });
  }
  return createBedrockRetriever({
    region: kb.region,
    credentials: credentialsOf(deps),
    knowledgeBaseId: kb.knowledgeBaseId,
    ...(kb.retrieveUrl === null ? {} : { baseUrl: kb.retrieveUrl }),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}

/** @throws AppError CONFIG_INVALID without COPILOT_KB_BUCKET (and AWS_REGION). */
export function createCorpusBucket(deps: KnowledgeBaseDeps): { s3: S3Client; bucket: string; prefix: string } {
  const { kb } = deps;
  if (kb.bucket === null) throw missing('COPILOT_KB_BUCKET', 'sync the corpus');
  if (kb.region === null) throw missing('AWS_REGION', 'sync the corpus');
  const s3 = createS3Client({
    region: kb.region,
    credentials: credentialsOf(deps),
    bucket: kb.bucket,
    ...(kb.s3Url === null ? {} : { baseUrl: kb.s3Url }),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  return { s3, bucket: kb.bucket, prefix: kb.prefix };
}

/** @throws AppError CONFIG_INVALID without COPILOT_KB_ID and COPILOT_KB_DATA_SOURCE_ID (and AWS_REGION). */
export function createIngestionJobs(deps: KnowledgeBaseDeps): IngestionJobsClient {
  const { kb } = deps;
  if (kb.knowledgeBaseId === null) throw missing('COPILOT_KB_ID', 'manage ingestion jobs');
  if (kb.dataSourceId === null) throw missing('COPILOT_KB_DATA_SOURCE_ID', 'manage ingestion jobs');
  if (kb.region === null) throw missing('AWS_REGION', 'manage ingestion jobs');
  return createIngestionJobsClient({
    region: kb.region,
    credentials: credentialsOf(deps),
    knowledgeBaseId: kb.knowledgeBaseId,
    dataSourceId: kb.dataSourceId,
    ...(kb.agentUrl === null ? {} : { baseUrl: kb.agentUrl }),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}
