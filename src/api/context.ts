import type postgres from 'postgres';
import type { ApiResult } from './http.ts';
import type { ApiMetrics } from './metrics.ts';
import type { StatusCache } from './status-cache.ts';

/** What every handler may use; built once by `createApi`. */
export interface ApiContext {
  sql: postgres.Sql;
  cache: StatusCache;
  /** Epoch ms. */
  now: () => number;
  staleAfterMs: number;
  maxBodyBytes: number;
  metrics: ApiMetrics;
}

export interface RequestContext {
  api: ApiContext;
  url: URL;
  /** Path parameters, decoded (`:id` of `/assessments/:id`). */
  params: Readonly<Record<string, string>>;
}

/** Style convention 3: a handler is `(req, ctx) => Promise<result>`, runnable without a server. */
export type Handler = (req: Request, ctx: RequestContext) => Promise<ApiResult>;
