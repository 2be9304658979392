import type { Handler } from './context.ts';
import { getIcon, getPage, getScript, getStyle } from './page.ts';
import { getAssessment, getClusters, getHealthz, getMetrics, getReadyz, postActions } from './routes-other.ts';
import { getIssues, getServices, getSignals, getStatus, getSummary } from './routes-status.ts';
import { getTimeline } from './timeline.ts';

export interface Route {
  /** The template, also the `route` label of `copilot_api_requests_total`. */
  path: string;
  methods: readonly ('GET' | 'POST')[];
  handler: Handler;
  /** Answered without the bearer token: probes must work for the orchestrator, which holds no token. */
  open?: boolean;
}

/** Every route of docs/api.md. */
export const ROUTES: readonly Route[] = [
  { path: '/status', methods: ['GET'], handler: getStatus },
  { path: '/status/services', methods: ['GET'], handler: getServices },
  { path: '/status/issues', methods: ['GET'], handler: getIssues },
  { path: '/status/summary', methods: ['GET'], handler: getSummary },
  { path: '/status/signals', methods: ['GET'], handler: getSignals },
  { path: '/status/timeline', methods: ['GET'], handler: getTimeline },
  { path: '/clusters', methods: ['GET'], handler: getClusters },
  { path: '/assessments/:id', methods: ['GET'], handler: getAssessment },
  { path: '/actions', methods: ['POST'], handler: postActions },
  { path: '/healthz', methods: ['GET'], handler: getHealthz, open: true },
  { path: '/readyz', methods: ['GET'], handler: getReadyz, open: true },
  { path: '/metrics', methods: ['GET'], handler: getMetrics },
  // The status page and its files hold no data (the script fetches it), so they are served without the token.
  { path: '/', methods: ['GET'], handler: getPage, open: true },
  { path: '/ui/app.js', methods: ['GET'], handler: getScript, open: true },
  { path: '/ui/app.css', methods: ['GET'], handler: getStyle, open: true },
  { path: '/ui/icon.svg', methods: ['GET'], handler: getIcon, open: true },
];
