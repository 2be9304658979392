import { RULE_ADVICE } from '../../src/agents/rule-advice.ts';
import { BAND_HYSTERESIS, MID_HIGH_BOUNDARY_PER_SEC, STARTER_MID_BOUNDARY_PER_SEC } from '../../src/health/bands.ts';
import { IDLE_LIMITS, SYSTEM_BUSY_LIMITS } from '../../src/health/context.ts';
import { CONSECUTIVE_CRITICAL_THRESHOLD } from '../../src/health/decide.ts';
import { RULE_VERSION } from '../../src/health/evaluate.ts';
import * as progress from '../../src/health/progress.ts';
import type { Rule, RuleKind } from '../../src/health/rules.ts';
import { CRITICAL_RULES, HEALTHY_RULES, RECOVERY_RULES, STRESSED_RULES } from '../../src/health/rules.ts';
import { SERVICE_OF_RULE } from '../../src/health/services.ts';
import { BAND_PROFILES } from '../../src/health/thresholds.ts';
import type { ScaleBand, ThresholdProfile } from '../../src/models/index.ts';
import { code, document, generatedBanner, table } from './markdown.ts';

const BANDS: readonly ScaleBand[] = ['starter', 'mid-scale', 'high-throughput'];

/** Rules that can drive Critical: each has a runbook in docs/runbooks/<rule id>.md. */
export const CRITICAL_RULE_IDS: readonly string[] = CRITICAL_RULES.map((rule) => rule.id);
export const ALL_RULE_IDS: readonly string[] = [
  ...new Set([...CRITICAL_RULES, ...RECOVERY_RULES, ...STRESSED_RULES, ...HEALTHY_RULES].map((rule) => rule.id)),
];

/**
 * The profile field a rule's threshold reads, found by handing it a profile that records what is read: the key is
 * what an operator overrides (docs/health-engine.md), so it must come from the code, not from a copy of it.
 */
export function thresholdKeyOf(rule: Rule): string | null {
  const read: string[] = [];
  const section = (name: string) =>
    new Proxy({} as Record<string, number>, {
      get: (_target, key) => {
        read.push(`${name}.${String(key)}`);
        return 1;
      },
    });
  const profile = { critical: section('critical'), stressed: section('stressed'), healthy: section('healthy') };
  rule.threshold(profile as unknown as ThresholdProfile);
  if (read.length > 1) throw new Error(`${rule.id}: threshold reads ${read.join(', ')}; the docs expect one field`);
  return read[0] ?? null;
}

const STATE_OF_KIND: Record<RuleKind, string> = {
  critical: 'critical',
  stressed: 'stressed',
  recovery: 'stressed (held while leaving Critical)',
  healthy: 'not happy (Stressed) when the gate fails',
};

function debounceOf(kind: RuleKind): string {
  switch (kind) {
    case 'critical':
      return `${CONSECUTIVE_CRITICAL_THRESHOLD} consecutive cycles (at once if already Critical); never Happy → Critical in one cycle`;
    case 'stressed':
      return 'none: Stressed in the cycle it holds';
    case 'recovery':
      return 'only while the previous known state is Critical and no critical gate counts';
    case 'healthy':
      return 'none: every healthy gate must pass, with data, for Happy';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

function comparisonOf(rule: Rule): string {
  const holds = rule.kind === 'healthy' ? 'fails when' : 'holds when';
  return `${holds} value ${rule.comparison === 'above' ? '>' : '<'} threshold`;
}

function demandOf(rule: Rule): string {
  if (rule.demand === undefined) return '—';
  if (rule.demandSummary === undefined) throw new Error(`${rule.id}: a demand gate needs demandSummary (rules.ts)`);
  return rule.demandSummary;
}

/** Where a rule's runbook lives; every Critical rule has one (test/ci/runbooks.test.ts). */
export const runbookPath = (ruleId: string): string => `docs/runbooks/${ruleId}.md`;

function ruleRow(rule: Rule): string[] {
  const key = thresholdKeyOf(rule);
  const thresholds = BANDS.map((band) => String(rule.threshold(BAND_PROFILES[band])));
  const runbook = rule.kind === 'critical' ? ` ([runbook](runbooks/${rule.id}.md))` : '';
  return [
    `${code(rule.id)}${runbook}`,
    RULE_ADVICE[rule.id].title,
    STATE_OF_KIND[rule.kind],
    code(rule.signal),
    comparisonOf(rule),
    ...thresholds,
    key === null ? 'fixed (not overridable)' : rule.kind === 'recovery' ? `derived from ${code(key)}` : code(key),
    demandOf(rule),
    rule.suppressedWhenBusy ? 'yes' : 'no',
    SERVICE_OF_RULE[rule.id],
  ];
}

const HEADER = [
  'rule',
  'what it says',
  'drives',
  'signal',
  'comparison',
  ...BANDS,
  'override key',
  'applies only with',
  'quiet-suppressed',
  'service',
];

function group(title: string, kind: RuleKind, rules: readonly Rule[]): string[] {
  return [`## ${title}`, `Debounce: ${debounceOf(kind)}.`, table(HEADER, rules.map(ruleRow))];
}

function constants(): string {
  const rows: [string, string][] = [
    [
      'scale bands (state transitions/s)',
      `starter < ${STARTER_MID_BOUNDARY_PER_SEC} ≤ mid-scale < ${MID_HIGH_BOUNDARY_PER_SEC} ≤ high-throughput`,
    ],
    ['band hysteresis', `±${BAND_HYSTERESIS * 100} % around each boundary, one band step per cycle`],
    ['critical debounce', `${CONSECUTIVE_CRITICAL_THRESHOLD} consecutive cycles`],
    [
      'idle (every input strictly below)',
      Object.entries(IDLE_LIMITS)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    [
      'system busy',
      Object.entries(SYSTEM_BUSY_LIMITS)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    ['progress collapse', `completions < ${progress.PROGRESS_COLLAPSE_FRACTION} × baseline`],
    ['demand continues', `starts ≥ ${progress.DEMAND_CONTINUES_FRACTION} × baseline starts`],
    [
      'baseline',
      `time constant ${progress.BASELINE_TIME_CONSTANT_MS / 60_000} min, ready after ${progress.BASELINE_READY_AFTER_MS / 60_000} min with ≥ ${progress.BASELINE_MIN_PER_SEC}/s, restarts after a ${progress.BASELINE_STALE_AFTER_MS / 60_000} min gap`,
    ],
    ['nothing completes', `< ${progress.NOTHING_COMPLETES_PER_SEC} completions/s`],
  ];
  return table(['constant', 'value'], rows);
}

/** docs/rules.md: the rulebook (src/health) as tables, each Critical rule linked to its runbook. */
export function renderRules(): string {
  return document([
    '# Rulebook',
    generatedBanner(
      'the rulebook in `src/health/` (rules, thresholds, bands, progress) and `src/agents/rule-advice.ts`',
    ),
    `Rule version \`${RULE_VERSION}\`. Every rule the health engine evaluates, the state it drives, the signal it ` +
      'reads ([signals.md](signals.md)), its comparison and its threshold in each scale band. "Override key" is the ' +
      'field of `overrides` in `COPILOT_CLUSTERS` that changes it (per band or for `all`; see ' +
      '[health-engine.md](health-engine.md)); "quiet-suppressed" rules still appear in `firing` but do not count ' +
      'during a retention storm, a demand drop or an idle check that missing data leaves open. The evaluation ' +
      'order and the state machine: [health-engine.md](health-engine.md). What to do when a Critical rule fires: ' +
      'its runbook, linked below ([runbooks/](runbooks/)).',
    ...group('Critical gates', 'critical', CRITICAL_RULES),
    ...group('Recovery band', 'recovery', RECOVERY_RULES),
    ...group('Stressed gates', 'stressed', STRESSED_RULES),
    ...group('Healthy gates', 'healthy', HEALTHY_RULES),
    '## Constants',
    constants(),
  ]);
}
