import type { S3Operation, StoredObject } from './kb-s3-bucket.ts';
import { s3Error, s3OperationOf, serveS3 } from './kb-s3-bucket.ts';
import type { VerifierCredentials } from './sigv4-verifier.ts';
import { verifySigV4 } from './sigv4-verifier.ts';

/**
 * A local server for the knowledge-base side of Bedrock: Agent Runtime `Retrieve`, Agent ingestion jobs and S3
 * (path-style PutObject / HeadObject / ListObjectsV2 with paging / DeleteObject, in kb-s3-bucket.ts) on one port. Every request's SigV4 signature is verified independently first,
 * with the signing name the real service expects (`bedrock` for both Bedrock APIs, `s3` with the path signed as
 * sent); a bad one is a 403 as AWS answers it. Shapes follow aws-protocols.md §4: JSON errors with
 * `x-amzn-ErrorType`, S3 errors as XML. It behaves like the real thing end to end: an ingestion job indexes the
 * objects in the bucket when it completes, and Retrieve searches what was indexed.
 * Deleting an object and running a job drops it from what Retrieve returns.
 * `failNext(operation, ...faults)` queues faults (throttling, 5xx, S3 SlowDown, a hang, a garbage body, the real
 * body cut in half, an IAM denial) for the next calls of one operation.
 */
export type KbOperation = 'retrieve' | 'start' | 'get' | 'list' | S3Operation;
/** `ok` serves the call normally: queued before a fault, it aims the fault at a later call (a second page). */
export type KbFault =
  | 'ok'
  | 'throttle'
  | '5xx'
  | 'slowdown'
  | 'hang'
  | 'garbage'
  | 'truncated'
  | 'denied'
  | 'validation';
export type { StoredObject } from './kb-s3-bucket.ts';

export interface ReceivedKbRequest {
  operation: KbOperation | 'unknown';
  method: string;
  path: string;
  /** The query string as received, `?` included (empty when none). */
  search: string;
  service: 'bedrock' | 's3';
  verified: boolean;
  reason?: string;
  body: string;
}

interface Job {
  ingestionJobId: string;
  knowledgeBaseId: string;
  dataSourceId: string;
  status: 'STARTING' | 'IN_PROGRESS' | 'COMPLETE';
  clientToken: string;
  startedAt: string;
  updatedAt: string;
  statistics: Record<string, number>;
}

export interface KbServerOptions {
  region: string;
  credentials: readonly VerifierCredentials[];
  bucket: string;
  /** The most keys one ListObjectsV2 page holds (S3: 1000); small values make paging happen. @default 1000 */
  maxKeysPerPage?: number;
}

function awsError(status: number, code: string, message: string): Response {
  return Response.json(
    { message },
    { status, headers: { 'x-amzn-ErrorType': `${code}:http://internal.amazon.com/coral/com.amazon.bedrock/` } },
  );
}

async function faultResponse(fault: KbFault, s3: boolean, serve: () => Response): Promise<Response> {
  switch (fault) {
    case 'ok':
      return serve();
    case 'throttle':
      return s3
        ? s3Error(503, 'SlowDown', 'Please reduce your request rate.')
        : awsError(429, 'ThrottlingException', 'Rate exceeded');
    case 'slowdown':
      return s3Error(503, 'SlowDown', 'Please reduce your request rate.');
    case '5xx':
      return s3
        ? s3Error(500, 'InternalError', 'internal error')
        : awsError(500, 'InternalServerException', 'internal error');
    case 'hang':
      return new Promise<Response>(() => {});
    case 'garbage':
      return new Response('<html>proxy error</html>', { status: 200, headers: { 'content-type': 'text/html' } });
    case 'truncated': {
      // What a connection cut mid-body leaves: the status and headers of a success, half of its body.
      const real = serve();
      const text = await real.text();
      return new Response(text.slice(0, Math.floor(text.length / 2)), { status: real.status, headers: real.headers });
    }
    case 'denied':
      return s3
        ? s3Error(403, 'AccessDenied', 'Access Denied')
        : awsError(403, 'AccessDeniedException', 'not authorized to perform this action');
    case 'validation':
      return awsError(400, 'ValidationException', 'bad request');
  }
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 3);
}

function isS3Operation(operation: KbOperation): operation is S3Operation {
  return operation === 'put' || operation === 'head' || operation === 'listObjects' || operation === 'delete';
}

export function startKbServer(options: KbServerOptions) {
  const received: ReceivedKbRequest[] = [];
  const objects = new Map<string, StoredObject>();
  let indexed = new Map<string, string>();
  const jobs: Job[] = [];
  const faults = new Map<KbOperation, KbFault[]>();
  const isoNow = () => new Date().toISOString();

  function complete(job: Job) {
    const before = indexed;
    indexed = new Map([...objects].map(([key, object]) => [key, object.body]));
    const added = [...indexed.keys()].filter((key) => !before.has(key)).length;
    const modified = [...indexed].filter(([key, body]) => before.has(key) && before.get(key) !== body).length;
    job.status = 'COMPLETE';
    job.statistics = {
      numberOfDocumentsScanned: indexed.size,
      numberOfNewDocumentsIndexed: added,
      numberOfModifiedDocumentsIndexed: modified,
      numberOfDocumentsDeleted: [...before.keys()].filter((key) => !indexed.has(key)).length,
      numberOfDocumentsFailed: 0,
    };
  }

  const view = ({ clientToken: _token, ...job }: Job) => job;

  function bedrock(operation: KbOperation, request: Request, url: URL, body: string): Response {
    const json: unknown = body === '' ? {} : JSON.parse(body);
    const field = (name: string): unknown =>
      typeof json === 'object' && json !== null && name in json ? (json as Record<string, unknown>)[name] : undefined;
    const [, , kb = '', , ds = '', , jobId = ''] = url.pathname.split('/');
    switch (operation) {
      case 'retrieve': {
        const query = field('retrievalQuery') as { text?: string } | undefined;
        const config = field('retrievalConfiguration') as { vectorSearchConfiguration?: { numberOfResults?: number } };
        const limit = config?.vectorSearchConfiguration?.numberOfResults ?? 5;
        const terms = [...new Set(words(query?.text ?? ''))];
        if (terms.length === 0) return awsError(400, 'ValidationException', 'retrievalQuery.text is required');
        const results = [...indexed]
          .flatMap(([key, text]) => text.split(/\n(?=#)/).map((part) => ({ key, part })))
          .map(({ key, part }) => {
            const present = new Set(words(part));
            return { key, part, score: terms.filter((term) => present.has(term)).length / terms.length };
          })
          .filter((hit) => hit.score > 0)
          .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1))
          .slice(0, limit);
        return Response.json({
          retrievalResults: results.map((hit) => ({
            content: { text: hit.part.trim(), type: 'TEXT' },
            location: { type: 'S3', s3Location: { uri: `s3://${options.bucket}/${hit.key}` } },
            score: hit.score,
            metadata: { 'x-amz-bedrock-kb-source-uri': `s3://${options.bucket}/${hit.key}` },
          })),
        });
      }
      case 'start': {
        const token = String(field('clientToken') ?? '');
        if (token.length < 33 || token.length > 256) return awsError(400, 'ValidationException', 'clientToken length');
        const same = jobs.find((job) => job.clientToken === token);
        if (same) return Response.json({ ingestionJob: view(same) }, { status: 202 });
        if (jobs.some((job) => job.status !== 'COMPLETE')) {
          return awsError(409, 'ConflictException', 'an ingestion job is already running on this data source');
        }
        const at = isoNow();
        const id = `JOB${String(jobs.length + 1).padStart(7, '0')}`;
        const job: Job = {
          ingestionJobId: id,
          knowledgeBaseId: kb,
          dataSourceId: ds,
          status: 'STARTING',
          clientToken: token,
          startedAt: at,
          updatedAt: at,
          statistics: {},
        };
        jobs.push(job);
        return Response.json({ ingestionJob: view(job) }, { status: 202 });
      }
      case 'get': {
        const job = jobs.find((candidate) => candidate.ingestionJobId === jobId);
        if (!job) return awsError(404, 'ResourceNotFoundException', `no ingestion job ${jobId}`);
        // Each look moves a running job one step on, so a poller sees STARTING → IN_PROGRESS → COMPLETE.
        if (job.status === 'STARTING') job.status = 'IN_PROGRESS';
        else if (job.status === 'IN_PROGRESS') complete(job);
        job.updatedAt = isoNow();
        return Response.json({ ingestionJob: view(job) });
      }
      case 'list': {
        const filters = (field('filters') ?? []) as { attribute: string; values: string[] }[];
        const statuses = filters.find((filter) => filter.attribute === 'STATUS')?.values;
        const max = Number(field('maxResults') ?? 10);
        const listed = [...jobs]
          .reverse()
          .filter((job) => statuses === undefined || statuses.includes(job.status))
          .slice(0, max);
        return Response.json({ ingestionJobSummaries: listed.map(view) });
      }
      default:
        return awsError(404, 'UnknownOperationException', `${request.method} ${url.pathname}`);
    }
  }

  function operationOf(method: string, url: URL): KbOperation | 'unknown' {
    const path = url.pathname;
    if (/^\/knowledgebases\/[^/]+\/retrieve$/.test(path)) return method === 'POST' ? 'retrieve' : 'unknown';
    if (/^\/knowledgebases\/[^/]+\/datasources\/[^/]+\/ingestionjobs\/$/.test(path)) {
      return method === 'PUT' ? 'start' : method === 'POST' ? 'list' : 'unknown';
    }
    if (/^\/knowledgebases\/[^/]+\/datasources\/[^/]+\/ingestionjobs\/[^/]+$/.test(path))
      return method === 'GET' ? 'get' : 'unknown';
    if (path.startsWith('/knowledgebases/')) return 'unknown';
    return s3OperationOf(method, url);
  }

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const body = new TextDecoder().decode(bytes);
      const url = new URL(request.url);
      const operation = operationOf(request.method, url);
      const isS3 = !url.pathname.startsWith('/knowledgebases/');
      const service = isS3 ? 's3' : 'bedrock';
      const common = {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: bytes,
        region: options.region,
        credentials: options.credentials,
      };
      let verdict = verifySigV4({ ...common, service, doubleEscapePath: !isS3 });
      // S3 refuses a SigV4 request without x-amz-content-sha256; the verifier only checks it when present.
      if (verdict.ok && isS3 && request.headers.get('x-amz-content-sha256') === null) {
        verdict = { ok: false, reason: 'x-amz-content-sha256 is required by S3' };
      }
      received.push({
        operation,
        method: request.method,
        path: url.pathname,
        search: url.search,
        service,
        verified: verdict.ok,
        body,
        ...(verdict.ok ? {} : { reason: verdict.reason }),
      });
      if (!verdict.ok) {
        return isS3
          ? s3Error(403, 'SignatureDoesNotMatch', verdict.reason)
          : awsError(403, 'InvalidSignatureException', verdict.reason);
      }
      if (operation === 'unknown')
        return isS3
          ? s3Error(405, 'MethodNotAllowed', 'no route')
          : awsError(404, 'UnknownOperationException', 'no route');
      const serve = () => {
        if (!isS3) return bedrock(operation, request, url, body);
        if (!isS3Operation(operation)) return s3Error(405, 'MethodNotAllowed', 'no route');
        const maxKeysCap = options.maxKeysPerPage ?? 1000;
        return serveS3({ operation, request, url, body, objects, bucket: options.bucket, maxKeysCap });
      };
      const fault = faults.get(operation)?.shift();
      return fault === undefined ? serve() : faultResponse(fault, isS3, serve);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    received,
    objects,
    /** Queue faults for the next calls of `operation`, answered in order before normal service resumes. */
    failNext(operation: KbOperation, ...queued: KbFault[]) {
      faults.set(operation, [...(faults.get(operation) ?? []), ...queued]);
    },
    [Symbol.asyncDispose]: async () => {
      await server.stop(true);
    },
  };
}
