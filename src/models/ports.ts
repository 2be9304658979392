/**
 * Ports: what the signal catalog and the activities need from the outside, as interfaces. `clients/` implements
 * them with `fetch`; tests may pass in-process fakes of the same shape. Nothing here does I/O.
 */

/** One instant-vector sample. `value` may be NaN or ±Infinity: Prometheus sends them as strings. */
export interface VectorSample {
  metric: Record<string, string>;
  value: number;
  timestampMs: number;
}

export type InstantQueryResult =
  | { resultType: 'vector'; series: VectorSample[]; warnings: string[] }
  | { resultType: 'scalar'; value: number; timestampMs: number; warnings: string[] };

export interface RangeQueryResult {
  series: { metric: Record<string, string>; points: { timestampMs: number; value: number }[] }[];
  warnings: string[];
}

/** A Prometheus-compatible query API (Prometheus, AMP, Mimir, Thanos). */
export interface PrometheusClient {
  query(input: { query: string; timeMs?: number; signal?: AbortSignal }): Promise<InstantQueryResult>;
  queryRange(input: {
    query: string;
    startMs: number;
    endMs: number;
    stepMs: number;
    signal?: AbortSignal;
  }): Promise<RangeQueryResult>;
  metricNames(input?: { signal?: AbortSignal }): Promise<string[]>;
}

/** One log line; `timestampNs` is Loki's exact nanosecond string, `timestampMs` the same instant truncated to ms. */
export interface LokiEntry {
  timestampNs: string;
  timestampMs: number;
  line: string;
}

export interface LokiStream {
  labels: Record<string, string>;
  entries: LokiEntry[];
}

export interface LokiPoint {
  timestampMs: number;
  /** Parsed from Loki's string; NaN and ±Infinity are possible. */
  value: number;
}

export type LokiQueryResult =
  | { resultType: 'streams'; streams: LokiStream[] }
  | { resultType: 'matrix'; series: { metric: Record<string, string>; points: LokiPoint[] }[] }
  | { resultType: 'vector'; series: ({ metric: Record<string, string> } & LokiPoint)[] };

export type LokiDirection = 'forward' | 'backward';

export interface LokiQueryInput {
  /** A metric LogQL query (Loki rejects log queries on the instant endpoint). */
  query: string;
  timeMs?: number;
  limit?: number;
  direction?: LokiDirection;
  signal?: AbortSignal;
}

export interface LokiRangeQueryInput {
  query: string;
  /** Inclusive start. */
  startMs: number;
  /** Exclusive end. */
  endMs: number;
  /** Max entries for log queries (Loki's own cap is `max_entries_limit_per_query`, 5000 by default). @default 100 */
  limit?: number;
  direction?: LokiDirection;
  /** Metric queries only. */
  stepMs?: number;
  signal?: AbortSignal;
}

/** A Loki-compatible query API. */
export interface LokiClient {
  query(input: LokiQueryInput): Promise<LokiQueryResult>;
  queryRange(input: LokiRangeQueryInput): Promise<LokiQueryResult>;
}

/** One retrieved knowledge passage; the evidence bundle gives it the id an answer cites. */
export interface KnowledgePassage {
  /** Where the passage came from (a `docs/rag/` file or an S3 URI); shown, never fetched. */
  source: string;
  text: string;
  /** The retriever's relevance score, higher is better; only the order matters across retrievers. */
  score?: number;
}

/**
 * The knowledge base as the explainer sees it: Bedrock Knowledge Base `Retrieve` when one is configured, otherwise
 * a local index over `docs/rag/`. The query is built from the firing rules and elevated signals.
 */
export interface KnowledgeRetriever {
  retrieve(input: { query: string; limit: number; signal?: AbortSignal }): Promise<KnowledgePassage[]>;
}

/** Where an outbound call of the worker failed, for `copilot_query_failures_total{source}`. */
export type FailureSource = 'prometheus' | 'loki' | 'store' | 'model' | 'knowledge';

/** One model call as the copilot's own metrics count it (and the stored assessment records it). */
export interface ExplainerCallRecord {
  cluster: string;
  provider: 'bedrock' | 'openai-compatible';
  model: string;
  role: 'dispatcher' | 'researcher';
  /** accepted: passed verification; rejected: failed it; failed: no usable answer (error, timeout, bad shape). */
  outcome: 'accepted' | 'rejected' | 'failed';
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** Estimated from the configured price table; 0 when the model has no price. */
  costUsd: number;
}

/**
 * The worker's own metrics as the activities record them; the worker serves them at `/metrics`. Every method is
 * cheap and never throws: a metric must not fail a cycle.
 */
export interface WorkerMetricsSink {
  cycleStored(input: { cluster: string; slotMs: number; durationMs: number; inserted: boolean }): void;
  queryFailed(input: { cluster: string; source: FailureSource; code: string }): void;
  assessmentWritten(input: { cluster: string; explainer: string; inserted: boolean }): void;
  explainerCall(input: ExplainerCallRecord): void;
  storeError(input: { operation: string; code: string }): void;
}
