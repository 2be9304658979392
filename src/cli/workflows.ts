import { loadConfig } from '../config.ts';
import { explainDeadlineMs } from '../config-llm.ts';
import { AppError } from '../models/index.ts';
import {
  connectTemporal,
  listCopilotWorkflows,
  NO_CLUSTERS_WARNING,
  reconcileWorkflows,
  stopWorkflow,
} from '../temporal.ts';
import { LONG_RUNNING_KINDS, longRunningWorkflowId } from '../workflows/ids.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';

const HELP = `usage: bun run copilot workflows <start|stop|list> [options]

  start              start every configured cluster's observer, scheduled assessment and log watcher
                     (already running ones are left alone unless their configuration changed: those are
                     restarted) and stop those of clusters no longer configured (with no cluster configured
                     at all, nothing is started or stopped); also starts the store's retention workflow
                     (copilot-retention, keeps COPILOT_RETENTION_DAYS)
  stop --cluster NAME  cancel that cluster's long-running workflows
  list               the copilot's running long-lived workflows (from Temporal visibility)

options:
  --format json|table  output format (default table)
  --help               this text

Temporal and the clusters come from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, COPILOT_TASK_QUEUE,
COPILOT_CLUSTERS); see the README's configuration table.
`;

interface Flags {
  action: string | null;
  cluster: string | null;
  format: 'json' | 'table';
  help: boolean;
}

function parseWorkflowFlags(argv: readonly string[]): Flags {
  const flags: Flags = { action: null, cluster: null, format: 'table', help: false };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    const value = argv[index + 1];
    if (arg === '--help' || arg === '-h') flags.help = true;
    else if (arg === '--cluster' && value !== undefined) {
      flags.cluster = value;
      index += 1;
    } else if (arg === '--format' && (value === 'json' || value === 'table')) {
      flags.format = value;
      index += 1;
    } else if (arg !== undefined && !arg.startsWith('-') && flags.action === null) flags.action = arg;
    else throw new AppError('INVALID_INPUT', `workflows: unexpected argument ${arg ?? ''}`);
  }
  return flags;
}

function print(io: CliIo, format: Flags['format'], data: unknown, table: string): void {
  io.out(format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : table);
}

/** `copilot workflows start|stop|list`: manage the long-running workflows without restarting the worker. */
export const workflowsCommand: Command = {
  name: 'workflows',
  summary: 'start, stop or list the per-cluster Temporal workflows',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const flags = parseWorkflowFlags(argv);
    if (flags.help || flags.action === null) {
      io.out(HELP);
      return flags.help ? EXIT.ok : EXIT.usage;
    }
    const config = loadConfig();
    const temporal = await connectTemporal(config.temporal);
    try {
      switch (flags.action) {
        case 'start': {
          if (config.clusters.length === 0) io.err(`warning: ${NO_CLUSTERS_WARNING} (is COPILOT_CLUSTERS set?)\n`);
          const { started, stopped, retention } = await reconcileWorkflows({
            client: temporal.client,
            taskQueue: config.temporal.taskQueue,
            clusters: config.clusters,
            observeIntervalMs: config.observeIntervalMs,
            assessmentIntervalMs: config.assessmentIntervalMs,
            retentionDays: config.retentionDays,
            // The same deadline the worker passes: a different input would make each restart the other's workflows.
            explainTimeoutMs: explainDeadlineMs(config.llm),
          });
          const lines = [
            ...[...started, ...(retention ? [retention] : [])].map(
              (w) => `${w.restarted ? 'restarted' : 'running  '}  ${w.workflowId}`,
            ),
            ...stopped.map((id) => `stopped    ${id}`),
          ];
          print(io, flags.format, { started, stopped, retention }, `${lines.join('\n')}\n`);
          return EXIT.ok;
        }
        case 'stop': {
          if (flags.cluster === null) throw new AppError('INVALID_INPUT', 'workflows stop needs --cluster NAME');
          const stopped: string[] = [];
          for (const kind of LONG_RUNNING_KINDS) {
            const workflowId = longRunningWorkflowId(kind, flags.cluster);
            if (await stopWorkflow({ client: temporal.client, workflowId })) stopped.push(workflowId);
          }
          print(io, flags.format, { stopped }, `${stopped.map((id) => `stopped  ${id}`).join('\n')}\n`);
          return EXIT.ok;
        }
        case 'list': {
          const running = await listCopilotWorkflows(temporal.client);
          const lines = running.map((w) => `${w.kind.padEnd(9)}  ${w.cluster.padEnd(20)}  ${w.status}  ${w.startTime}`);
          print(io, flags.format, running, `${lines.join('\n')}\n`);
          return EXIT.ok;
        }
        default:
          throw new AppError('INVALID_INPUT', `workflows: unknown action ${flags.action} (start, stop or list)`);
      }
    } finally {
      await temporal.close();
    }
  },
};
