// Placeholders for Web APIs the sandbox lacks must exist before ArkType loads (see sandbox-globals.ts).
import './sandbox-globals.ts';

export { assessHealthWorkflow } from './assess-health.ts';
export { logWatcherWorkflow } from './log-watcher.ts';
export { observeClusterWorkflow } from './observe-cluster.ts';
export { retentionWorkflow } from './retention.ts';
export { scheduledAssessmentWorkflow } from './scheduled-assessment.ts';
