import { type } from 'arktype';
import type { KnowledgePassage, KnowledgeRetriever } from '../models/index.ts';
import { createSigV4Signer } from './aws/index.ts';
import type { AwsServiceClientOptions } from './aws-service-errors.ts';
import { jsonServiceError, parseServiceBody, retryOptions, serviceError } from './aws-service-errors.ts';
import { requestWithRetry } from './http.ts';

/**
 * Bedrock Knowledge Base `Retrieve` (Agent Runtime) as a `KnowledgeRetriever`: hand-rolled `fetch`, SigV4 with
 * signing name `bedrock` (not `bedrock-agent-runtime`), throttling and 5xx retried with full jitter.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_Retrieve.html
 */
export interface BedrockRetrieverOptions extends AwsServiceClientOptions {
  knowledgeBaseId: string;
}

/** Bedrock's own cap on `numberOfResults`. */
export const MAX_RETRIEVE_RESULTS = 100;

const Location = type({
  'type?': 'string',
  's3Location?': { uri: 'string' },
  'webLocation?': { url: 'string' },
  'confluenceLocation?': { url: 'string' },
  'salesforceLocation?': { url: 'string' },
  'sharePointLocation?': { url: 'string' },
  'customDocumentLocation?': { id: 'string' },
});

export const RetrieveResponse = type({
  retrievalResults: type({
    content: { text: 'string', 'type?': 'string' },
    'location?': Location,
    'score?': 'number',
    'metadata?': 'Record<string, unknown>',
  }).array(),
  'nextToken?': 'string',
});
export type RetrieveResponse = typeof RetrieveResponse.infer;

function sourceOf(location: typeof Location.infer | undefined): string {
  if (location === undefined) return 'bedrock-kb';
  return (
    location.s3Location?.uri ??
    location.webLocation?.url ??
    location.confluenceLocation?.url ??
    location.salesforceLocation?.url ??
    location.sharePointLocation?.url ??
    location.customDocumentLocation?.id ??
    location.type ??
    'bedrock-kb'
  );
}

/** The passages of a Retrieve response, in Bedrock's order (most relevant first); empty texts are dropped. */
export function passagesOf(response: RetrieveResponse): KnowledgePassage[] {
  return response.retrievalResults
    .filter((result) => result.content.text.trim() !== '')
    .map((result) => ({
      source: sourceOf(result.location),
      text: result.content.text,
      ...(result.score === undefined ? {} : { score: result.score }),
    }));
}

/**
 * @throws AppError UPSTREAM_THROTTLED, AUTH_FAILED, UPSTREAM_QUERY_ERROR (validation, unknown KB), UPSTREAM_STATUS,
 * UPSTREAM_TIMEOUT, UPSTREAM_UNREACHABLE, UPSTREAM_BAD_BODY, CANCELLED.
 */
export function createBedrockRetriever(options: BedrockRetrieverOptions): KnowledgeRetriever {
  const baseUrl = (options.baseUrl ?? `https://bedrock-agent-runtime.${options.region}.amazonaws.com`).replace(
    /\/+$/,
    '',
  );
  const url = `${baseUrl}/knowledgebases/${encodeURIComponent(options.knowledgeBaseId)}/retrieve`;
  const upstream = `bedrock-kb ${options.knowledgeBaseId}`;
  const sign = createSigV4Signer({
    region: options.region,
    service: 'bedrock',
    credentials: options.credentials,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    async retrieve(input) {
      if (input.query.trim() === '') return [];
      const numberOfResults = Math.min(MAX_RETRIEVE_RESULTS, Math.max(1, Math.floor(input.limit)));
      const body = JSON.stringify({
        retrievalQuery: { text: input.query },
        retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults } },
      });
      const result = await requestWithRetry({
        ...retryOptions(options),
        build: () => new Request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
        sign,
        signal: input.signal,
        upstream,
      });
      if (result.status !== 200) {
        throw serviceError({
          upstream,
          status: result.status,
          ...jsonServiceError(result.headers, result.text),
          calls: ['kbRetrieve'],
        });
      }
      const parsed = parseServiceBody({ upstream, text: result.text, schema: RetrieveResponse });
      return passagesOf(parsed).slice(0, numberOfResults);
    },
  };
}
