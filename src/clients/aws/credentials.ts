import { AppError } from '../../models/index.ts';

/** AWS credentials as the signer needs them; `expirationMs` is absent for long-lived keys. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms after which AWS rejects these credentials. */
  expirationMs?: number;
}

/** Returns usable credentials; implementations cache and refresh, so call it on every request. */
export type CredentialProvider = () => Promise<AwsCredentials>;

export interface RefreshingProviderOptions {
  /** Fetches fresh credentials from the source (container endpoint, STS, …). */
  load: () => Promise<AwsCredentials>;
  /** @default Date.now */
  clock?: () => number;
  /** Refresh this long before expiry; the SDK uses the same 5-minute window. @default 300000 */
  refreshWindowMs?: number;
  /** After a failed background refresh, wait this long before trying again. @default 10000 */
  retryAfterFailureMs?: number;
}

/**
 * Wrap a credential source in a cache that refreshes before expiry without a restart.
 * - Fresh credentials are returned from the cache.
 * - Inside the refresh window, the cached (still valid) credentials are returned while one background refresh runs;
 *   a failed refresh is kept quiet and the cached credentials keep serving until they really expire.
 * - With nothing cached, or only expired credentials, callers wait for one shared load; its failure is thrown.
 * Concurrent callers share one in-flight load.
 * @throws AppError CREDENTIALS_UNAVAILABLE when there are no unexpired credentials and the load fails.
 */
export function createRefreshingProvider(options: RefreshingProviderOptions): CredentialProvider {
  const clock = options.clock ?? Date.now;
  const refreshWindowMs = options.refreshWindowMs ?? 300_000;
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 10_000;
  let cached: AwsCredentials | null = null;
  let inflight: Promise<AwsCredentials> | null = null;
  let lastFailureMs: number | null = null;

  const startLoad = (): Promise<AwsCredentials> => {
    if (inflight) return inflight;
    const run = (async () => {
      try {
        const fresh = await options.load();
        if (fresh.expirationMs !== undefined && fresh.expirationMs <= clock()) {
          throw new AppError('CREDENTIALS_UNAVAILABLE', 'the credential source returned already-expired credentials');
        }
        cached = fresh;
        lastFailureMs = null;
        return fresh;
      } catch (error) {
        lastFailureMs = clock();
        throw asCredentialsError(error);
      } finally {
        inflight = null;
      }
    })();
    inflight = run;
    return run;
  };

  return async () => {
    const nowMs = clock();
    const current = cached;
    if (current !== null && (current.expirationMs === undefined || current.expirationMs > nowMs)) {
      const dueForRefresh = current.expirationMs !== undefined && current.expirationMs - nowMs <= refreshWindowMs;
      const backingOff = lastFailureMs !== null && nowMs - lastFailureMs < retryAfterFailureMs;
      if (dueForRefresh && !backingOff) {
        // Background refresh: the caller keeps the valid credentials; a failure is retried on a later call.
        startLoad().catch(() => undefined);
      }
      return current;
    }
    cached = null;
    return startLoad();
  };
}

/** Long-lived credentials (environment keys): no refresh, just a validity check. */
export function staticProvider(credentials: AwsCredentials, clock: () => number = Date.now): CredentialProvider {
  return async () => {
    if (credentials.expirationMs !== undefined && credentials.expirationMs <= clock()) {
      throw new AppError(
        'CREDENTIALS_UNAVAILABLE',
        'the environment credentials have expired (AWS_CREDENTIAL_EXPIRATION is in the past)',
      );
    }
    return credentials;
  };
}

function asCredentialsError(error: unknown): AppError {
  if (error instanceof AppError && error.code === 'CREDENTIALS_UNAVAILABLE') return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError('CREDENTIALS_UNAVAILABLE', `could not load AWS credentials: ${reason}`, { cause: error });
}
