/**
 * Every AWS call the copilot makes, the IAM actions it needs, the resource those actions are scoped to and which
 * process makes it. The clients name these actions in their AUTH_FAILED messages, and the Terraform test
 * (test/deploy/terraform-iam.test.ts) proves the task roles grant exactly this set: a new call without its row
 * fails that test, and a row without a call is caught in review because its client no longer cites it.
 * @see reference aws-protocols.md (endpoints and actions per service)
 */
import { AppError } from './errors.ts';

/** The processes that hold an IAM role in terraform/: the ECS worker and API tasks, and whoever runs `copilot kb`. */
export type AwsPrincipal = 'worker' | 'api' | 'kb-sync';

/** What an action is scoped to; terraform/iam-*.tf turns each into ARNs from the deployment's variables. */
export type AwsResourceKind =
  | 'amp-workspace'
  | 'loki-api'
  | 'bedrock-model'
  | 'knowledge-base'
  | 'corpus-objects'
  | 'corpus-bucket'
  | 'dsql-cluster';

export interface AwsCall {
  /** The client function (or connection step) that sends the request. */
  client: string;
  actions: readonly string[];
  resource: AwsResourceKind;
  principals: readonly AwsPrincipal[];
  /** Why this action, when the API's name does not say it. */
  note?: string;
}

export const AWS_CALLS = {
  ampQuery: {
    client: 'prometheus.query / queryRange (POST or GET /api/v1/query[_range])',
    actions: ['aps:QueryMetrics'],
    resource: 'amp-workspace',
    principals: ['worker'],
  },
  ampMetricNames: {
    client: 'prometheus.metricNames (GET /api/v1/label/__name__/values: naming-style detection)',
    actions: ['aps:GetLabels'],
    resource: 'amp-workspace',
    principals: ['worker'],
  },
  lokiQuery: {
    client: 'loki.query / queryRange, when the cluster sets loki_sigv4 (Loki behind API Gateway with IAM auth)',
    actions: ['execute-api:Invoke'],
    resource: 'loki-api',
    principals: ['worker'],
  },
  bedrockConverse: {
    client: 'bedrock.generate (POST /model/{id}/converse)',
    actions: ['bedrock:InvokeModel'],
    resource: 'bedrock-model',
    principals: ['worker'],
    note: 'on the inference profile and on the foundation model in every region the profile routes to',
  },
  kbRetrieve: {
    client: 'bedrockRetriever.retrieve (POST /knowledgebases/{id}/retrieve; also `copilot kb search`)',
    actions: ['bedrock:Retrieve'],
    resource: 'knowledge-base',
    principals: ['worker', 'kb-sync'],
  },
  kbStartIngestionJob: {
    client: 'ingestionJobs.start (`copilot kb start-ingestion`, `kb sync`)',
    actions: ['bedrock:StartIngestionJob'],
    resource: 'knowledge-base',
    principals: ['kb-sync'],
  },
  kbGetIngestionJob: {
    client: 'ingestionJobs.get (`copilot kb status`)',
    actions: ['bedrock:GetIngestionJob'],
    resource: 'knowledge-base',
    principals: ['kb-sync'],
  },
  kbListIngestionJobs: {
    client: 'ingestionJobs.list (`copilot kb list-jobs`, and before a start)',
    actions: ['bedrock:ListIngestionJobs'],
    resource: 'knowledge-base',
    principals: ['kb-sync'],
  },
  s3PutObject: {
    client: 's3.putObject (`copilot kb sync` uploads a changed file)',
    actions: ['s3:PutObject'],
    resource: 'corpus-objects',
    principals: ['kb-sync'],
  },
  s3HeadObject: {
    client: 's3.headObject (`copilot kb sync` reads the stored content hash of a key the listing holds)',
    actions: ['s3:GetObject'],
    resource: 'corpus-objects',
    principals: ['kb-sync'],
    note: 'HeadObject is authorized as s3:GetObject',
  },
  s3ListObjects: {
    client: 's3.listObjects (ListObjectsV2 under the corpus prefix: `copilot kb sync` finds stale and new keys)',
    actions: ['s3:ListBucket'],
    resource: 'corpus-bucket',
    principals: ['kb-sync'],
    note: 'with the condition s3:prefix like "<corpus prefix>*"; sync HEADs only keys the listing holds, so a missing key never needs ListBucket to be a 404',
  },
  s3DeleteObject: {
    client: 's3.deleteObject (`copilot kb sync --delete` removes a note deleted from docs/rag)',
    actions: ['s3:DeleteObject'],
    resource: 'corpus-objects',
    principals: ['kb-sync'],
  },
  dsqlConnect: {
    client: 'openStore → DsqlSigner.getDbConnectAuthToken (DSQL_USER other than admin)',
    actions: ['dsql:DbConnect'],
    resource: 'dsql-cluster',
    principals: ['worker', 'api'],
  },
  dsqlConnectAdmin: {
    client: 'openStore → DsqlSigner.getDbConnectAdminAuthToken (DSQL_USER=admin, the default)',
    actions: ['dsql:DbConnectAdmin'],
    resource: 'dsql-cluster',
    principals: ['worker', 'api'],
  },
} as const satisfies Record<string, AwsCall>;

export type AwsCallId = keyof typeof AWS_CALLS;

/** The IAM actions `principal` needs, sorted and without duplicates. */
export function awsActionsOf(principal: AwsPrincipal): string[] {
  const calls: readonly AwsCall[] = Object.values(AWS_CALLS);
  return [
    ...new Set(calls.filter((call) => call.principals.includes(principal)).flatMap((call) => call.actions)),
  ].sort();
}

/** The sentence an AUTH_FAILED message ends with, naming what the role needs for `call`. */
export function iamHint(call: AwsCallId): string {
  const row: AwsCall = AWS_CALLS[call];
  return ` (the IAM role needs ${row.actions.join(', ')} on the ${row.resource}${row.note ? `, ${row.note}` : ''})`;
}

/**
 * `error` with `iamHint(call)` appended when it is an AUTH_FAILED AppError (status, cause and problems kept), else
 * `error` itself: for clients whose 403 mapping is shared with unsigned servers, so the hint is added only where
 * the request was SigV4-signed.
 */
export function withIamHint(error: unknown, call: AwsCallId): unknown {
  if (!(error instanceof AppError) || error.code !== 'AUTH_FAILED') return error;
  return new AppError('AUTH_FAILED', `${error.message}${iamHint(call)}`, {
    cause: error,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.problems === undefined ? {} : { problems: error.problems }),
  });
}
