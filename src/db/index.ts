export {
  cachedModelAssessment,
  hasEquivalentAssessment,
  latestAssessment,
  listAssessments,
  MAX_ASSESSMENT_BYTES,
  MAX_ASSESSMENT_ROWS,
  writeAssessment,
} from './assessments.ts';
export {
  type DsqlConnectionInput,
  dsqlConnectionOptions,
  openStore,
  postgresConnectionOptions,
  type Store,
} from './connect.ts';
export { decodeCursor, encodeCursor, MAX_PAGE_SIZE } from './cursor.ts';
export {
  cycleId,
  latestCycle,
  listClusters,
  listDecisionPoints,
  listDecisions,
  type RangeInput,
  type WriteCycleInput,
  type WriteOptions,
  writeCycle,
} from './cycles.ts';
export { type EmbeddedServer, ensureEmbeddedServer, servePglite } from './embedded.ts';
export { isRetryableConflict, toStoreError } from './errors.ts';
export { actionsOfAssessment, activeIssues, issuesOfAssessment, resolveIssues } from './issues.ts';
export { recentLogPatterns, writeLogPatterns } from './log-patterns.ts';
export { detectDialect, type MigrateOptions, migrate, pendingMigrations } from './migrate.ts';
export { MAX_PURGE_BATCH, type PurgeInput, type PurgeProgress, purgeOlderThan } from './purge.ts';
export { backoffDelayMs, DEFAULT_RETRY_POLICY, inTransaction, type RetryPolicy } from './retry.ts';
export { type Dialect, MIGRATIONS, renderStatement, STORE_TABLES } from './schema.ts';
export { assessmentById, type ClusterKeys, latestKeys, type StateBucket, stateBuckets } from './status-reads.ts';
