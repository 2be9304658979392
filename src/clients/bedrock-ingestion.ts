import type { type } from 'arktype';
import type { AwsCallId, IngestionJob, IngestionJobList, IngestionJobStatus } from '../models/index.ts';
import { IngestionJobList as IngestionJobListType, IngestionJobResponse } from '../models/index.ts';
import { createSigV4Signer } from './aws/index.ts';
import type { AwsServiceClientOptions } from './aws-service-errors.ts';
import { jsonServiceError, parseServiceBody, retryOptions, serviceError } from './aws-service-errors.ts';
import { requestWithRetry } from './http.ts';

/**
 * Bedrock Agent ingestion jobs for one data source: StartIngestionJob, GetIngestionJob, ListIngestionJobs.
 * Hand-rolled `fetch`, SigV4 signing name `bedrock`. Start sends a client token, so a retried start cannot start
 * a second job. A start while a job runs is a `ConflictException` (UPSTREAM_QUERY_ERROR).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_StartIngestionJob.html
 */
export interface IngestionJobsClientOptions extends AwsServiceClientOptions {
  knowledgeBaseId: string;
  dataSourceId: string;
  /** Idempotency token source; 33–256 characters. @default crypto.randomUUID */
  clientToken?: () => string;
}

export interface ListIngestionJobsInput {
  /** Only jobs in these states. */
  statuses?: readonly IngestionJobStatus[];
  /** 1–1000. @default 10 */
  maxResults?: number;
  nextToken?: string;
  signal?: AbortSignal;
}

export interface IngestionJobsClient {
  start(input?: { description?: string; signal?: AbortSignal }): Promise<IngestionJob>;
  get(input: { jobId: string; signal?: AbortSignal }): Promise<IngestionJob>;
  /** Newest first. */
  list(input?: ListIngestionJobsInput): Promise<IngestionJobList>;
}

/**
 * @throws AppError UPSTREAM_THROTTLED, AUTH_FAILED, UPSTREAM_QUERY_ERROR (validation, unknown job, conflict),
 * UPSTREAM_STATUS, UPSTREAM_TIMEOUT, UPSTREAM_UNREACHABLE, UPSTREAM_BAD_BODY, CANCELLED.
 */
export function createIngestionJobsClient(options: IngestionJobsClientOptions): IngestionJobsClient {
  const baseUrl = (options.baseUrl ?? `https://bedrock-agent.${options.region}.amazonaws.com`).replace(/\/+$/, '');
  const jobsUrl =
    `${baseUrl}/knowledgebases/${encodeURIComponent(options.knowledgeBaseId)}` +
    `/datasources/${encodeURIComponent(options.dataSourceId)}/ingestionjobs/`;
  const upstream = `bedrock-agent ${options.knowledgeBaseId}/${options.dataSourceId}`;
  const sign = createSigV4Signer({
    region: options.region,
    service: 'bedrock',
    credentials: options.credentials,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const clientToken = options.clientToken ?? (() => crypto.randomUUID());

  async function call<T>(input: {
    method: 'GET' | 'PUT' | 'POST';
    url: string;
    body?: unknown;
    ok: number;
    schema: (data: unknown) => T | type.errors;
    signal?: AbortSignal | undefined;
    call: AwsCallId;
  }): Promise<T> {
    const body = input.body === undefined ? undefined : JSON.stringify(input.body);
    const result = await requestWithRetry({
      ...retryOptions(options),
      build: () =>
        new Request(input.url, {
          method: input.method,
          ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body }),
        }),
      sign,
      signal: input.signal,
      upstream,
    });
    if (result.status !== input.ok && result.status !== 200) {
      throw serviceError({
        upstream,
        status: result.status,
        ...jsonServiceError(result.headers, result.text),
        calls: [input.call],
      });
    }
    return parseServiceBody({ upstream, text: result.text, schema: input.schema });
  }

  return {
    async start(input = {}) {
      // One token for every attempt of this call: the retry of a start that did arrive returns the same job.
      const body = { clientToken: clientToken(), ...(input.description ? { description: input.description } : {}) };
      const response = await call({
        method: 'PUT',
        url: jobsUrl,
        body,
        ok: 202,
        schema: IngestionJobResponse,
        signal: input.signal,
        call: 'kbStartIngestionJob',
      });
      return response.ingestionJob;
    },
    async get(input) {
      const response = await call({
        method: 'GET',
        url: `${jobsUrl}${encodeURIComponent(input.jobId)}`,
        ok: 200,
        schema: IngestionJobResponse,
        signal: input.signal,
        call: 'kbGetIngestionJob',
      });
      return response.ingestionJob;
    },
    async list(input = {}) {
      const body = {
        maxResults: Math.min(1000, Math.max(1, Math.floor(input.maxResults ?? 10))),
        sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
        ...(input.statuses && input.statuses.length > 0
          ? { filters: [{ attribute: 'STATUS', operator: 'EQ', values: [...input.statuses] }] }
          : {}),
        ...(input.nextToken ? { nextToken: input.nextToken } : {}),
      };
      return call({
        method: 'POST',
        url: jobsUrl,
        body,
        ok: 200,
        schema: IngestionJobListType,
        signal: input.signal,
        call: 'kbListIngestionJobs',
      });
    },
  };
}
