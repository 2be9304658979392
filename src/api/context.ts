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
  /**
   * The request's URL, parsed once per distinct URL and shared by every request for it (app.ts): read it, never
   * change it.
   */
  url: URL;
  /** Path parameters, decoded (`:id` of `/assessments/:id`). */
  params: Readonly<Record<string, string>>;
}

/**
 * Style convention 3: a handler is `(req, ctx) => result`, runnable without a server. A handler that needs no I/O
 * answers synchronously: the memoized `/status` then costs no promise and no turn of the event loop.
 */
export type Handler = (req: Request, ctx: RequestContext) => ApiResult | Promise<ApiResult>;
