import { type } from 'arktype';
import { evaluate } from '../health/index.ts';
import type { Decision, EngineState } from '../models/index.ts';
import {
  AppError,
  EngineState as EngineStateType,
  isRecord,
  parseJsonText,
  parseOrThrow,
  ScaleBand,
  SignalsSnapshot,
  ThresholdOverrides,
} from '../models/index.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';
import { readSnapshotInput } from './evaluate-input.ts';

/** What `copilot evaluate` reads on stdin. Closed: a misspelled key is an error, not silently ignored. */
export const EvaluateCliInput = type({
  signals: SignalsSnapshot,
  'state?': EngineStateType.or('null'),
  'overrides?': ThresholdOverrides,
  'initial_band?': ScaleBand,
  '+': 'reject',
});

const HELP = `usage: bun run copilot evaluate [--format json|table] [--help]

Reads {"signals": <signals snapshot>, "state"?: <engine state | null>, "overrides"?: <threshold overrides>,
"initial_band"?: "starter" | "mid-scale" | "high-throughput"} as JSON on stdin and prints
{"decision": ..., "state": ...}: the health decision and the engine state to pass to the next evaluation.

options:
  --format json|table  output format (default json)
  --help               show this help

A signal group or field that is absent reads as no data (null, listed in "missing" as not_queried), so snapshots
from older copilots still evaluate; a field the catalog does not know is rejected by name.
Bad JSON, a field that fails validation or inconsistent overrides exit with status 2 and name the field.
`;

type Format = 'json' | 'table';

function parseArgs(argv: readonly string[]): { help: boolean; format: Format } {
  let format: Format = 'json';
  let help = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--format' || arg?.startsWith('--format=')) {
      const value = arg === '--format' ? argv[++index] : arg.slice('--format='.length);
      if (value !== 'json' && value !== 'table') {
        throw new AppError('INVALID_INPUT', `--format must be json or table, got ${value ?? 'nothing'}`, {
          problems: { '--format': ['must be json or table'] },
        });
      }
      format = value;
    } else {
      throw new AppError('INVALID_INPUT', `unknown option ${arg ?? ''} (see --help)`, {
        problems: { [arg ?? '(argument)']: ['unknown option'] },
      });
    }
  }
  return { help, format };
}

function table(decision: Decision, state: EngineState): string {
  const lines = [
    `cluster      ${decision.cluster} at ${decision.at}`,
    `state        ${decision.health_state} (was ${decision.previous_state}), band ${decision.scale_band}`,
    `data         ${decision.data_quality}${decision.idle ? ', idle' : ''}${decision.system_busy ? ', system busy' : ''}`,
    `critical     ${decision.consecutive_critical} consecutive`,
  ];
  for (const finding of decision.firing) {
    const op = finding.comparison === 'above' ? '>' : '<';
    const note = finding.suppressed ? ' (suppressed: system busy)' : '';
    lines.push(`firing       ${finding.level} ${finding.rule_id}: ${finding.value} ${op} ${finding.threshold}${note}`);
  }
  const nearest = decision.nearest_escalation;
  if (nearest) {
    const pct = (nearest.headroom_ratio * 100).toFixed(1);
    lines.push(
      `nearest      ${nearest.rule_id} → ${nearest.level}: ${nearest.value} vs ${nearest.threshold} (${pct}% headroom)`,
    );
  }
  if (decision.unevaluated_rules.length > 0) lines.push(`no data      ${decision.unevaluated_rules.join(', ')}`);
  lines.push(`services     ${decision.services.map((service) => `${service.name}=${service.status}`).join(' ')}`);
  lines.push(`bottleneck   ${decision.bottleneck.classification}`);
  for (const advisory of decision.worker_advisories) lines.push(`advisory     ${advisory.severity} ${advisory.rule}`);
  lines.push(`fingerprint  ${decision.fingerprint} (rules ${decision.rule_version})`);
  lines.push(`next state   ${JSON.stringify(state)}`);
  return `${lines.join('\n')}\n`;
}

/** `copilot evaluate`: one engine step from stdin to stdout. */
export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'decide health for a signals snapshot read on stdin (prints decision and next engine state)',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { help, format } = parseArgs(argv);
    if (help) {
      io.out(HELP);
      return EXIT.ok;
    }
    const text = await io.readStdin();
    const raw = parseJsonText(text, 'evaluate input');
    const filled = isRecord(raw) ? { ...raw, signals: readSnapshotInput(raw['signals']) } : raw;
    const input = parseOrThrow(EvaluateCliInput, filled, 'evaluate input');
    const result = evaluate({
      snapshot: input.signals,
      state: input.state ?? null,
      ...(input.overrides ? { overrides: input.overrides } : {}),
      ...(input.initial_band ? { initialBand: input.initial_band } : {}),
    });
    io.out(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : table(result.decision, result.state));
    return EXIT.ok;
  },
};
