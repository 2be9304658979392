/**
 * The store's schema as an ordered list of migrations, one DDL statement each, written once in the portable dialect
 * (Postgres / PGlite) and rendered for Aurora DSQL by `renderStatement`.
 *
 * DSQL rules this schema follows (see docs/store.md): no foreign keys, triggers, extensions, temporary tables,
 * sequences or SERIAL, JSON/JSONB columns (JSON is TEXT, validated with ArkType on read), no index sort order, one DDL
 * per transaction, and every index is built with `CREATE INDEX ASYNC` on DSQL. Keys are deterministic TEXT so that
 * writes are idempotent. Migrations are append-only: never edit a released one, add a new version.
 */

export type Dialect = 'postgres' | 'dsql';

export interface Migration {
  /** Sortable, unique, never reused. */
  version: string;
  statement: string;
}

/** Created before anything else; records which migrations ran. */
export const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version TEXT PRIMARY KEY,
  applied_at TIMESTAMPTZ NOT NULL
)`;

const table = (version: string, statement: string): Migration => ({ version, statement });
const index = (version: string, name: string, on: string): Migration => ({
  version,
  statement: `CREATE INDEX IF NOT EXISTS ${name} ON ${on}`,
});

const addColumn = (version: string, on: string, column: string): Migration => ({
  version,
  statement: `ALTER TABLE ${on} ADD COLUMN IF NOT EXISTS ${column}`,
});

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  table(
    '0001_clusters',
    `CREATE TABLE IF NOT EXISTS clusters (
  name TEXT PRIMARY KEY,
  first_seen_at TIMESTAMPTZ NOT NULL,
  last_seen_at TIMESTAMPTZ NOT NULL
)`,
  ),
  table(
    '0002_signal_snapshots',
    `CREATE TABLE IF NOT EXISTS signal_snapshots (
  id TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  cycle_key TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  metric_style TEXT NOT NULL,
  missing_count INTEGER NOT NULL,
  snapshot_json TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`,
  ),
  table(
    '0003_decisions',
    `CREATE TABLE IF NOT EXISTS decisions (
  id TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  cycle_key TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  health_state TEXT NOT NULL,
  previous_state TEXT NOT NULL,
  last_known_state TEXT,
  consecutive_critical INTEGER NOT NULL,
  scale_band TEXT,
  data_quality TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  rule_version TEXT NOT NULL,
  decision_json TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`,
  ),
  table(
    '0004_assessments',
    `CREATE TABLE IF NOT EXISTS assessments (
  id TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  trigger TEXT NOT NULL,
  health_state TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  explainer TEXT NOT NULL,
  issue_count INTEGER NOT NULL,
  rule_version TEXT NOT NULL,
  assessment_json TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`,
  ),
  table(
    '0005_issues',
    `CREATE TABLE IF NOT EXISTS issues (
  id TEXT PRIMARY KEY,
  assessment_id TEXT NOT NULL,
  cluster TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  position INTEGER NOT NULL,
  issue_key TEXT NOT NULL,
  rule_id TEXT,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  issue_json TEXT NOT NULL,
  rule_version TEXT NOT NULL,
  first_seen_at TIMESTAMPTZ NOT NULL,
  resolved_at TIMESTAMPTZ,
  superseded_by TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`,
  ),
  table(
    '0006_suggested_actions',
    `CREATE TABLE IF NOT EXISTS suggested_actions (
  id TEXT PRIMARY KEY,
  assessment_id TEXT NOT NULL,
  issue_id TEXT,
  cluster TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  position INTEGER NOT NULL,
  action_type TEXT NOT NULL,
  target_service TEXT NOT NULL,
  risk_level TEXT NOT NULL,
  action_json TEXT NOT NULL,
  rule_version TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`,
  ),
  table(
    '0007_log_patterns',
    `CREATE TABLE IF NOT EXISTS log_patterns (
  id TEXT PRIMARY KEY,
  cluster TEXT NOT NULL,
  window_key TEXT NOT NULL,
  signature_id TEXT NOT NULL,
  service TEXT NOT NULL,
  count INTEGER NOT NULL,
  window_start TIMESTAMPTZ NOT NULL,
  window_end TIMESTAMPTZ NOT NULL,
  pattern_json TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`,
  ),
  // Latest cycle, signal history per cluster, and purge by age.
  index('0008_idx_snapshots_cluster_at', 'idx_snapshots_cluster_at', 'signal_snapshots (cluster, at, id)'),
  index('0009_idx_snapshots_at', 'idx_snapshots_at', 'signal_snapshots (at)'),
  // latestCycle, the decision timeline (keyset on at, id), purge.
  index('0010_idx_decisions_cluster_at', 'idx_decisions_cluster_at', 'decisions (cluster, at, id)'),
  index('0011_idx_decisions_at', 'idx_decisions_at', 'decisions (at)'),
  // latestAssessment, assessments in a range (keyset), dedup by fingerprint, purge.
  index('0012_idx_assessments_cluster_at', 'idx_assessments_cluster_at', 'assessments (cluster, at, id)'),
  index('0013_idx_assessments_fingerprint', 'idx_assessments_fingerprint', 'assessments (cluster, fingerprint, at)'),
  index('0014_idx_assessments_at', 'idx_assessments_at', 'assessments (at)'),
  // Issues of one assessment; open issues of a cluster; purge.
  index('0015_idx_issues_assessment', 'idx_issues_assessment', 'issues (assessment_id)'),
  index('0016_idx_issues_open', 'idx_issues_open', 'issues (cluster, resolved_at, superseded_by)'),
  index('0017_idx_issues_at', 'idx_issues_at', 'issues (at)'),
  index('0018_idx_actions_assessment', 'idx_actions_assessment', 'suggested_actions (assessment_id)'),
  index('0019_idx_actions_at', 'idx_actions_at', 'suggested_actions (at)'),
  // recentLogPatterns per cluster, purge.
  index('0020_idx_log_patterns_cluster', 'idx_log_patterns_cluster', 'log_patterns (cluster, window_end)'),
  index('0021_idx_log_patterns_window', 'idx_log_patterns_window', 'log_patterns (window_end)'),
  // The model explainer's accounting (docs/explainer.md). ADD COLUMN without default or constraint, one per
  // migration: the only ALTER TABLE form DSQL accepts. Null on rows written before.
  addColumn('0022_assessments_fallback_reason', 'assessments', 'fallback_reason TEXT'),
  addColumn('0023_assessments_model_ids', 'assessments', 'model_ids TEXT'),
  addColumn('0024_assessments_input_tokens', 'assessments', 'input_tokens INTEGER'),
  addColumn('0025_assessments_output_tokens', 'assessments', 'output_tokens INTEGER'),
  addColumn('0026_assessments_model_latency_ms', 'assessments', 'model_latency_ms INTEGER'),
  addColumn('0027_assessments_cost_usd', 'assessments', 'cost_usd DOUBLE PRECISION'),
];

/** Tables the store owns, in purge order (children before parents), with the column that ages them. */
export const RETAINED_TABLES = [
  { table: 'suggested_actions', atColumn: 'at' },
  { table: 'issues', atColumn: 'at' },
  { table: 'assessments', atColumn: 'at' },
  { table: 'decisions', atColumn: 'at' },
  { table: 'signal_snapshots', atColumn: 'at' },
  { table: 'log_patterns', atColumn: 'window_end' },
] as const;

export type RetainedTable = (typeof RETAINED_TABLES)[number]['table'];

/** Every table the store creates. */
export const STORE_TABLES: readonly string[] = [
  'schema_migrations',
  'clusters',
  ...RETAINED_TABLES.map((t) => t.table),
];

/**
 * Render one statement for a dialect. DSQL builds indexes only asynchronously (`CREATE INDEX ASYNC`); Postgres and
 * PGlite do not know `ASYNC`, so the portable text carries the plain form.
 * @see https://docs.aws.amazon.com/aurora-dsql/latest/userguide/working-with-create-index-async.html
 */
export function renderStatement(statement: string, dialect: Dialect): string {
  switch (dialect) {
    case 'postgres':
      return statement;
    case 'dsql':
      return statement.replace(/^CREATE (UNIQUE )?INDEX (?!ASYNC\b)/, (_match, unique: string | undefined) =>
        unique ? 'CREATE UNIQUE INDEX ASYNC ' : 'CREATE INDEX ASYNC ',
      );
    default: {
      const unreachable: never = dialect;
      throw new Error(`unknown dialect ${String(unreachable)}`);
    }
  }
}
