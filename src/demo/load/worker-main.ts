import { parseArgs } from 'node:util';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createLoadActivities } from './activities.ts';

/**
 * Node entry of the load's SDK worker: polls one task queue of the monitored cluster and exports sdk-core's own
 * Prometheus metrics (default naming: bare counters, milliseconds in `_bucket`) on `--metrics-port`, so the copilot
 * sees worker-side signals and `up == 0` when this process is killed.
 */
const { values } = parseArgs({
  options: {
    address: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    'task-queue': { type: 'string' },
    'metrics-port': { type: 'string' },
    workflows: { type: 'string' },
  },
});
function required(name: 'address' | 'task-queue' | 'workflows'): string {
  const value = values[name];
  if (value) return value;
  process.stderr.write('usage: load-worker --address H:P --task-queue Q --workflows PATH [--metrics-port N]\n');
  process.exit(2);
}
const address = required('address');
const taskQueue = required('task-queue');
const metricsPort = values['metrics-port'];
const workflows = required('workflows');

if (metricsPort !== undefined) {
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } } });
}

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: values.namespace,
      taskQueue,
      workflowsPath: workflows,
      activities: createLoadActivities(),
    });
    process.once('SIGTERM', () => worker.shutdown());
    process.once('SIGINT', () => worker.shutdown());
    process.stdout.write(`READY ${JSON.stringify({ taskQueue, metricsPort: metricsPort ?? null })}\n`);
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`load worker failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
    process.exit(1);
  },
);
