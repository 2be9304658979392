import { readFile } from 'node:fs/promises';
import { AppError } from '../../models/index.ts';
import type { AwsCredentials, CredentialProvider } from './credentials.ts';
import { createRefreshingProvider, staticProvider } from './credentials.ts';
import type { ReadTextFile } from './http-credentials.ts';
import { ECS_CONTAINER_CREDENTIALS_BASE_URL, isAllowedFullUri, loadContainerCredentials } from './http-credentials.ts';
import { defaultStsUrl, loadWebIdentityCredentials } from './web-identity.ts';

export interface DefaultCredentialProviderOptions {
  /** The environment, as read by `src/config.ts` (this module never reads `process.env`). */
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** @default Date.now */
  clock?: () => number;
  /** Base for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`. @default "http://169.254.170.2" */
  containerBaseUrl?: string;
  /** STS endpoint for web identity. @default the regional endpoint from AWS_REGION / AWS_DEFAULT_REGION */
  stsUrl?: string;
  readTextFile?: ReadTextFile;
  /** Per-call timeout for credential endpoints. @default 1000 (container), 5000 (STS) */
  timeoutMs?: number;
  /** Refresh this long before expiry. @default 300000 */
  refreshWindowMs?: number;
}

/** Which source the chain picked, for `doctor` output and logs; never includes secret values. */
export type CredentialSource = 'environment' | 'container' | 'web-identity' | 'none';

/**
 * The credential chain the copilot supports, in the AWS SDK's order: environment keys, then web identity, then the
 * container endpoint (ECS task role or EKS Pod Identity). The source is chosen once from `env`; temporary credentials
 * are cached and refreshed before expiry, so rotation needs no restart.
 * @throws AppError CONFIG_INVALID at construction for half-set variables (only one of the key pair, a bad URI).
 * The returned provider throws AppError CREDENTIALS_UNAVAILABLE when no usable credentials can be had.
 */
export function createDefaultCredentialProvider(options: DefaultCredentialProviderOptions): CredentialProvider {
  return resolveCredentialChain(options).provider;
}

/** Like `createDefaultCredentialProvider`, also saying which source was chosen. */
export function resolveCredentialChain(options: DefaultCredentialProviderOptions): {
  source: CredentialSource;
  provider: CredentialProvider;
} {
  const env = (name: string): string | undefined => {
    const value = options.env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const clock = options.clock ?? Date.now;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const readTextFile = options.readTextFile ?? ((path: string) => readFile(path, 'utf8'));
  const refresh = (load: () => Promise<AwsCredentials>): CredentialProvider =>
    createRefreshingProvider({
      load,
      clock,
      ...(options.refreshWindowMs === undefined ? {} : { refreshWindowMs: options.refreshWindowMs }),
    });

  const accessKeyId = env('AWS_ACCESS_KEY_ID');
  const secretAccessKey = env('AWS_SECRET_ACCESS_KEY');
  if (accessKeyId !== undefined || secretAccessKey !== undefined) {
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      throw new AppError('CONFIG_INVALID', 'set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither');
    }
    const credentials: AwsCredentials = { accessKeyId, secretAccessKey };
    const sessionToken = env('AWS_SESSION_TOKEN');
    if (sessionToken !== undefined) credentials.sessionToken = sessionToken;
    const expiration = env('AWS_CREDENTIAL_EXPIRATION');
    if (expiration !== undefined) {
      const expirationMs = Date.parse(expiration);
      if (Number.isNaN(expirationMs)) throw new AppError('CONFIG_INVALID', 'AWS_CREDENTIAL_EXPIRATION is not a date');
      credentials.expirationMs = expirationMs;
    }
    return { source: 'environment', provider: staticProvider(credentials, clock) };
  }

  const tokenFile = env('AWS_WEB_IDENTITY_TOKEN_FILE');
  const roleArn = env('AWS_ROLE_ARN');
  if (tokenFile !== undefined && roleArn !== undefined) {
    const stsUrl = options.stsUrl ?? defaultStsUrl(env('AWS_REGION') ?? env('AWS_DEFAULT_REGION'));
    const sessionName = env('AWS_ROLE_SESSION_NAME') ?? `temporal-sre-copilot-${clock()}`;
    const load = () =>
      loadWebIdentityCredentials({
        tokenFile,
        roleArn,
        sessionName,
        stsUrl,
        fetch: fetchImpl,
        readTextFile,
        timeoutMs: options.timeoutMs ?? 5000,
      });
    return { source: 'web-identity', provider: refresh(load) };
  }

  const containerUrl = containerCredentialsUrl(options, env);
  if (containerUrl !== null) {
    const load = () =>
      loadContainerCredentials({
        url: containerUrl,
        token: env('AWS_CONTAINER_AUTHORIZATION_TOKEN'),
        tokenFile: env('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'),
        fetch: fetchImpl,
        readTextFile,
        timeoutMs: options.timeoutMs ?? 1000,
        maxAttempts: 3,
      });
    return { source: 'container', provider: refresh(load) };
  }

  return {
    source: 'none',
    provider: async () => {
      throw new AppError(
        'CREDENTIALS_UNAVAILABLE',
        'no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN, ' +
          'or run with an ECS task role (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)',
      );
    },
  };
}

function containerCredentialsUrl(
  options: DefaultCredentialProviderOptions,
  env: (name: string) => string | undefined,
): string | null {
  // RELATIVE wins when both are set, as in the AWS SDKs.
  const relative = env('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
  if (relative !== undefined) {
    const base = (options.containerBaseUrl ?? ECS_CONTAINER_CREDENTIALS_BASE_URL).replace(/\/+$/, '');
    return `${base}${relative.startsWith('/') ? '' : '/'}${relative}`;
  }
  const full = env('AWS_CONTAINER_CREDENTIALS_FULL_URI');
  if (full === undefined) return null;
  let url: URL;
  try {
    url = new URL(full);
  } catch (error) {
    throw new AppError('CONFIG_INVALID', 'AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL', { cause: error });
  }
  if (!isAllowedFullUri(url)) {
    throw new AppError(
      'CONFIG_INVALID',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, loopback, or the ECS/EKS link-local credential host',
    );
  }
  return url.href;
}
