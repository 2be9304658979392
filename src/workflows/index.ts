// Workflows import only types from the rest of src/ (enforced by .ci/imports.ts): ArkType, the catalog and the
// engine never load inside the sandbox, so it needs no placeholders for the Web APIs it lacks.
export { assessHealthWorkflow } from './assess-health.ts';
export { logWatcherWorkflow } from './log-watcher.ts';
export { observeClusterWorkflow } from './observe-cluster.ts';
export { retentionWorkflow } from './retention.ts';
export { scheduledAssessmentWorkflow } from './scheduled-assessment.ts';
