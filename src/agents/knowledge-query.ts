import type { RuleId } from '../health/index.ts';
import type { Decision, RuleFinding } from '../models/index.ts';

/**
 * The knowledge query for one decision: words for what fired and what is elevated, in a fixed order, so that the
 * same decision always asks the knowledge base the same question (and the retrieved passages, the prompt and the
 * cached answer stay the same). Pure.
 */

/** Longest query sent; Bedrock Retrieve takes a short text, and more words only blur the ranking. */
export const MAX_KNOWLEDGE_QUERY_CHARS = 400;

/** Words each rule adds beyond its own id: the names the operator notes use for the same problem. */
const RULE_TERMS: Readonly<Record<RuleId, string>> = {
  'critical.throughput_collapse': 'state transitions throughput collapse forward progress persistence workers',
  'critical.completion_collapse': 'workflow completion failures timeouts worker deploy',
  'critical.processing_collapse': 'history task processing persistence errors shard ownership',
  'critical.history_backlog': 'history task backlog transfer timer tasks persistence',
  'critical.persistence_errors': 'persistence errors DSQL OCC conflicts connections IAM tokens',
  'critical.progress_stall': 'completions stall workers pollers task queue schedule-to-start',
  'critical.dispatch_stall': 'task queue backlog no pollers workers',
  'stressed.state_transition_latency': 'state transition latency persistence contention',
  'stressed.history_backlog': 'history task backlog persistence latency',
  'stressed.frontend_latency': 'frontend latency namespace rate limits ResourceExhausted',
  'stressed.persistence_latency': 'persistence latency DSQL OCC conflicts connection pool',
  'stressed.shard_churn': 'shard ownership churn membership deploys ringpop restarts',
  'stressed.poller_timeouts': 'pollers task slots poll timeouts',
  'stressed.stalled_task_queue': 'task queue no pollers workers backlog',
  'happy.throughput': 'throughput state transitions',
  'happy.history_backlog': 'history task backlog',
  'happy.completion': 'workflow completion',
  'recovery.near_critical': 'recovery copilot states nearest escalation',
};

/** Worker advisories name the notes that explain them. */
const ADVISORY_TERMS: Readonly<Record<Decision['worker_advisories'][number]['rule'], string>> = {
  NEVER_SCALE_DOWN_AT_ZERO: 'worker scaling task slots exhausted',
  STICKY_QUEUE_WARNING: 'sticky cache sticky task queue',
  RESTART_TO_REDISTRIBUTE: 'sticky cache restart workers redistribute',
  POLLER_EXECUTOR_MISMATCH: 'pollers task slots executors',
  NO_SDK_METRICS: 'SDK metrics worker capacity unknown',
};

/** Unit and shape words in signal paths; they say nothing about the topic. */
const UNIT_WORDS = new Set([
  'per',
  'sec',
  'ms',
  'min',
  'pct',
  'p95',
  'p99',
  'bytes',
  'primary',
  'amplifiers',
  'worker_amplifiers',
]);

const LEVEL_ORDER: Readonly<Record<RuleFinding['level'], number>> = { critical: 0, stressed: 1, not_happy: 2 };

/** A signal as the evidence bundle lists it; only elevated, high and critical ones shape the query. */
export interface KnowledgeSignal {
  signal: string;
  level: string;
}

export interface KnowledgeQueryInput {
  decision: Pick<
    Decision,
    'health_state' | 'firing' | 'data_quality' | 'worker_advisories' | 'bottleneck' | 'system_busy'
  >;
  /** The evidence bundle's primary, amplifier and worker items. */
  signals?: readonly KnowledgeSignal[];
}

function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULE_TERMS, id);
}

/** `amplifiers.persistence.occ_conflicts_per_sec` → `persistence occ conflicts`. */
export function signalWords(path: string): string {
  return path
    .split(/[._]/)
    .filter((word) => word !== '' && !UNIT_WORDS.has(word))
    .join(' ');
}

function ruleWords(id: string): string {
  const [, name = id] = id.split('.');
  return `${name.replace(/_/g, ' ')}${isRuleId(id) ? ` ${RULE_TERMS[id]}` : ''}`;
}

const ELEVATED = new Set(['elevated', 'high', 'critical']);
const SIGNAL_LEVEL_ORDER: Readonly<Record<string, number>> = { critical: 0, high: 1, elevated: 2 };

/**
 * Build the query: firing rules (counted ones before suppressed ones, critical first, then by id), elevated
 * signals (highest level first, then by path), worker advisories, the bottleneck and the state's own words.
 * Each word appears once, in first-seen order; the text is cut at `MAX_KNOWLEDGE_QUERY_CHARS` on a word boundary.
 * Returns an empty string when there is nothing to ask about (a Happy cluster with nothing elevated).
 */
export function knowledgeQueryOf(input: KnowledgeQueryInput): string {
  const { decision } = input;
  const phrases: string[] = [];
  const firing = [...decision.firing].sort(
    (a, b) =>
      Number(a.suppressed) - Number(b.suppressed) ||
      LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
      (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0),
  );
  for (const finding of firing) phrases.push(ruleWords(finding.rule_id));
  const elevated = (input.signals ?? [])
    .filter((item) => ELEVATED.has(item.level))
    .sort(
      (a, b) =>
        (SIGNAL_LEVEL_ORDER[a.level] ?? 9) - (SIGNAL_LEVEL_ORDER[b.level] ?? 9) ||
        (a.signal < b.signal ? -1 : a.signal > b.signal ? 1 : 0),
    );
  for (const item of elevated) phrases.push(signalWords(item.signal));
  const advisories = [...new Set(decision.worker_advisories.map((advisory) => advisory.rule))].sort();
  for (const rule of advisories) phrases.push(ADVISORY_TERMS[rule]);
  if (decision.system_busy) phrases.push('retention deletion storm system busy');
  if (decision.bottleneck.classification === 'worker_limited') phrases.push('worker scaling');
  if (decision.health_state === 'unknown' || decision.data_quality !== 'complete') {
    phrases.push(`copilot states data quality ${decision.data_quality} unknown`);
  }
  if (phrases.length === 0) return '';
  return bounded(uniqueWords(phrases.join(' ')), MAX_KNOWLEDGE_QUERY_CHARS);
}

function uniqueWords(text: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const word of text.split(/\s+/)) {
    const key = word.toLowerCase();
    if (word === '' || seen.has(key)) continue;
    seen.add(key);
    words.push(word);
  }
  return words;
}

function bounded(words: readonly string[], maxChars: number): string {
  let text = '';
  for (const word of words) {
    const next = text === '' ? word : `${text} ${word}`;
    if (next.length > maxChars) break;
    text = next;
  }
  return text;
}
