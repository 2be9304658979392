import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';

/**
 * Node entry of the load's client: starts workflows at `--rate` per second on `--task-queue`, round-robin over the
 * three shapes, and waits for every `--await-every`-th result as real callers do (`handle.result()` is a long poll,
 * `GetWorkflowExecutionHistory` with `WaitNewEvent`). Runs until SIGTERM; every second it prints one `STATS` line.
 */
const { values } = parseArgs({
  options: {
    address: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    'task-queue': { type: 'string' },
    rate: { type: 'string', default: '4' },
    'await-every': { type: 'string', default: '4' },
    'id-prefix': { type: 'string', default: 'load' },
  },
});
function usage(): never {
  process.stderr.write('usage: load-client --address H:P --task-queue Q [--rate N] [--await-every N]\n');
  process.exit(2);
}
const address = values.address ?? usage();
const taskQueue = values['task-queue'] ?? usage();
const ratePerSec = Number(values.rate);
const awaitEvery = Number(values['await-every']);
if (!(ratePerSec > 0) || !(awaitEvery >= 1)) usage();

const stats = { started: 0, startErrors: 0, awaited: 0, resultErrors: 0, pendingResults: 0 };
let stopping = false;

async function main(): Promise<void> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: values.namespace });
  const prefix = `${values['id-prefix']}-${Date.now().toString(36)}`;
  const startedAtMs = Date.now();
  const periodMs = 1000 / ratePerSec;
  const statsTimer = setInterval(() => process.stdout.write(`STATS ${JSON.stringify(stats)}\n`), 1000);
  process.once('SIGTERM', () => {
    stopping = true;
  });
  process.once('SIGINT', () => {
    stopping = true;
  });
  process.stdout.write(`READY ${JSON.stringify({ taskQueue, ratePerSec })}\n`);
  for (let index = 0; !stopping; index++) {
    const dueMs = startedAtMs + index * periodMs;
    const waitMs = dueMs - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (stopping) break;
    const workflowId = `${prefix}-${index}`;
    const start = (() => {
      switch (index % 3) {
        case 0:
          return client.workflow.start('orderWorkflow', {
            taskQueue,
            workflowId,
            args: [{ orderId: workflowId, items: 2 }],
          });
        case 1:
          return client.workflow.start('reminderWorkflow', { taskQueue, workflowId, args: [{ delayMs: 5_000 }] });
        default:
          return client.workflow.start('greetWorkflow', { taskQueue, workflowId, args: [{ name: workflowId }] });
      }
    })();
    // Starts are not awaited one by one: a slow or restarting server must not lower the offered rate.
    start.then(
      (handle) => {
        stats.started++;
        if (index % awaitEvery !== 0) return;
        stats.pendingResults++;
        handle.result().then(
          () => {
            stats.awaited++;
            stats.pendingResults--;
          },
          () => {
            stats.resultErrors++;
            stats.pendingResults--;
          },
        );
      },
      () => {
        stats.startErrors++;
      },
    );
  }
  clearInterval(statsTimer);
  process.stdout.write(`STATS ${JSON.stringify(stats)}\n`);
  await connection.close().catch(() => undefined);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`load client failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
    process.exit(1);
  },
);
