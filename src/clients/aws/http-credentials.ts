import { type } from 'arktype';
import { AppError } from '../../models/index.ts';
import type { AwsCredentials } from './credentials.ts';

/** Reads a small text file (token files); injectable so tests and non-Node runtimes can supply their own. */
export type ReadTextFile = (path: string) => Promise<string>;

/** Success body of the ECS / EKS Pod Identity container credential endpoint (open: extra keys such as RoleArn). */
const ContainerCredentialsBody = type({
  AccessKeyId: 'string > 0',
  SecretAccessKey: 'string > 0',
  Token: 'string > 0',
  Expiration: 'string > 0',
});

const ContainerErrorBody = type({ 'Code?': 'string', 'Message?': 'string' });

/** The ECS task-role endpoint host; `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is a path on it. */
export const ECS_CONTAINER_CREDENTIALS_BASE_URL = 'http://169.254.170.2';

const ALLOWED_HTTP_HOSTS = new Set(['169.254.170.2', '169.254.170.23', '[fd00:ec2::23]', '[::1]', 'localhost']);

/**
 * Full URIs must be https or a link-local / loopback agent, as the AWS SDKs require, so a misconfigured variable
 * cannot send the authorization token to an arbitrary plain-http host.
 */
export function isAllowedFullUri(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  return ALLOWED_HTTP_HOSTS.has(url.hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(url.hostname);
}

export interface ContainerCredentialsInput {
  url: string;
  /** Static token (`AWS_CONTAINER_AUTHORIZATION_TOKEN`). */
  token?: string | undefined;
  /** Token file (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`): re-read on every load because the agent rotates it. */
  tokenFile?: string | undefined;
  fetch: typeof fetch;
  readTextFile: ReadTextFile;
  timeoutMs: number;
  maxAttempts: number;
}

/**
 * One load from the container credential endpoint, with a short timeout and a few immediate retries.
 * @throws AppError CREDENTIALS_UNAVAILABLE naming what failed (endpoint down, HTTP status, bad body).
 */
export async function loadContainerCredentials(input: ContainerCredentialsInput): Promise<AwsCredentials> {
  const authorization = await readAuthorization(input);
  let lastError: AppError | null = null;
  for (let attempt = 0; attempt < Math.max(1, input.maxAttempts); attempt += 1) {
    const outcome = await fetchOnce(input, authorization);
    if (!(outcome instanceof AppError)) return outcome;
    lastError = outcome;
    // A 4xx says the request itself is wrong (bad token, unknown role); asking again will not help.
    if (outcome.status !== undefined && outcome.status < 500) break;
  }
  throw lastError ?? new AppError('CREDENTIALS_UNAVAILABLE', 'container credentials: no attempt was made');
}

async function readAuthorization(input: ContainerCredentialsInput): Promise<string | null> {
  let token: string | undefined = input.token;
  if (input.tokenFile) {
    try {
      token = (await input.readTextFile(input.tokenFile)).trim();
    } catch (error) {
      throw new AppError('CREDENTIALS_UNAVAILABLE', 'cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', {
        cause: error,
      });
    }
  }
  if (token === undefined || token === '') return null;
  if (/[\r\n]/.test(token)) {
    throw new AppError('CREDENTIALS_UNAVAILABLE', 'the container authorization token contains a line break');
  }
  return token;
}

async function fetchOnce(
  input: ContainerCredentialsInput,
  authorization: string | null,
): Promise<AwsCredentials | AppError> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization !== null) headers['authorization'] = authorization;
  let status: number;
  let text: string;
  try {
    const response = await input.fetch(input.url, { headers, signal: AbortSignal.timeout(input.timeoutMs) });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new AppError('CREDENTIALS_UNAVAILABLE', `container credential endpoint unreachable (${reason})`, {
      cause: error,
    });
  }
  const body = parseJson(text);
  if (status !== 200) {
    const detail = ContainerErrorBody(body);
    const code = detail instanceof type.errors ? undefined : detail.Code;
    return new AppError(
      'CREDENTIALS_UNAVAILABLE',
      `container credential endpoint answered HTTP ${status}${code ? ` (${code})` : ''}`,
      { status },
    );
  }
  const parsed = ContainerCredentialsBody(body);
  if (parsed instanceof type.errors) {
    return new AppError(
      'CREDENTIALS_UNAVAILABLE',
      `container credential endpoint sent an unusable body: ${parsed.summary}`,
    );
  }
  const expirationMs = Date.parse(parsed.Expiration);
  if (Number.isNaN(expirationMs)) {
    return new AppError('CREDENTIALS_UNAVAILABLE', 'container credential endpoint sent an unparseable Expiration');
  }
  return {
    accessKeyId: parsed.AccessKeyId,
    secretAccessKey: parsed.SecretAccessKey,
    sessionToken: parsed.Token,
    expirationMs,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
