import type { CounterNaming, MetricStyle } from '../../src/models/index.ts';
import type { SignalDefinition, SignalQueries, SignalTier } from '../../src/signals/index.ts';
import { buildSignalQueries, catalogMetrics, SIGNAL_CATALOG, tierOf } from '../../src/signals/index.ts';
import { anchor, code, document, generatedBanner, table } from './markdown.ts';

/** The two namings the docs spell PromQL in: what Temporal's two exporters produce by default. */
const NAMINGS: readonly { label: string; style: MetricStyle; counters: CounterNaming }[] = [
  { label: 'OpenTelemetry exporter (`otel`, counters `_total`, timers in ms)', style: 'otel', counters: 'total' },
  { label: 'tally reporter (`tally`, bare counters, timers in seconds)', style: 'tally', counters: 'bare' },
];

const TIERS: readonly { tier: SignalTier; title: string; role: string }[] = [
  { tier: 'primary', title: 'Primary signals', role: 'They decide the state ([rules.md](rules.md)).' },
  { tier: 'amplifier', title: 'Amplifiers', role: 'They explain why; they never decide the state.' },
  { tier: 'worker', title: 'Worker signals', role: 'They tell whether the workers or the server are the bottleneck.' },
  { tier: 'worker_amplifier', title: 'Worker amplifiers', role: 'They explain the worker-side findings.' },
];

function guardOf(signal: SignalDefinition): string {
  if (signal.measure.kind === 'not_measurable') return 'always null (`not_measurable`)';
  return signal.measure.volumeGuard ?? '—';
}

function summaryTable(signals: readonly SignalDefinition[]): string {
  return table(
    ['signal', 'unit', 'what it means', 'a gap blinds', 'volume guard'],
    signals.map((s) => [`[${code(s.id)}](#${anchor(s.id)})`, s.unit, s.summary, s.blinds, guardOf(s)]),
  );
}

function queriesBlock(label: string, queries: SignalQueries): string {
  const inputs = Object.entries(queries.inputs);
  const body = inputs.map(([name, promql]) => (inputs.length === 1 ? promql : `# ${name}\n${promql}`)).join('\n');
  return `${label}:\n\n\`\`\`promql\n${body}\n\`\`\``;
}

function signalSection(signal: SignalDefinition, byNaming: readonly Map<string, SignalQueries>[]): string {
  const facts = `${signal.summary} Unit \`${signal.unit}\`, tier \`${tierOf(signal.id)}\`. A gap blinds: ${signal.blinds}.`;
  const { measure } = signal;
  if (measure.kind === 'not_measurable') {
    return document([`### ${signal.id}`, facts, `Not measurable: ${measure.reason}.`]).trimEnd();
  }
  const notes = [
    measure.derive ? 'The value is computed from the inputs below in code (`derive`).' : '',
    measure.optionalInputs ? 'Inputs without a series are left out rather than making the value null.' : '',
    measure.clamp ? `Clamped to the ${measure.clamp === 'ratio' ? '[0, 1]' : '[0, 100]'} range.` : '',
    measure.volumeGuard ? `Volume guard: ${measure.volumeGuard}.` : '',
  ].filter((note) => note !== '');
  const blocks = NAMINGS.map((naming, i) => {
    const queries = byNaming[i]?.get(signal.id);
    if (queries === undefined) throw new Error(`${signal.id}: no queries for ${naming.style}`);
    return queriesBlock(naming.label, queries);
  });
  return document([`### ${signal.id}`, facts, notes.join(' '), ...blocks]).trimEnd();
}

/** One row per Temporal metric family the catalog reads: its exported name in each naming, who reads it. */
function metricsTable(): string {
  const rows = new Map<string, { names: string[]; signals: Set<string>; when: string }>();
  NAMINGS.forEach((naming, i) => {
    for (const metric of catalogMetrics(naming)) {
      const row = rows.get(metric.family) ?? { names: NAMINGS.map(() => '—'), signals: new Set(), when: '' };
      row.names[i] = row.names[i] === '—' ? code(metric.name) : `${row.names[i]}, ${code(metric.name)}`;
      for (const id of metric.signals) row.signals.add(id);
      row.when = metric.emittedOnlyWhen ?? row.when;
      rows.set(metric.family, row);
    }
  });
  return table(
    ['family', ...NAMINGS.map((n) => n.style), 'read by', 'exists only once'],
    [...rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([family, row]) => [family, ...row.names, [...row.signals].sort().map(code).join(', '), row.when || '—']),
  );
}

/** docs/signals.md: the signal catalog (src/signals) as tables, every signal's PromQL in both namings. */
export function renderSignals(): string {
  const byNaming = NAMINGS.map(
    (naming) => new Map(buildSignalQueries({ ...naming, matchers: [] }).map((q) => [q.id, q] as const)),
  );
  const intro = [
    '# Signal catalog',
    generatedBanner('the signal catalog in `src/signals/catalog*.ts`'),
    `Every value in a signals snapshot (${SIGNAL_CATALOG.length} signals), its unit, what it means, what a gap ` +
      'blinds, and the PromQL the copilot runs for it. A missing series, a failed query or a value below its ' +
      "volume guard is `null` with a reason in the snapshot's `missing` list, never 0; a quantile with no " +
      'observations in its window is `null` (`low_volume`) too. The PromQL below has no cluster selector; the ' +
      "cluster's `selector` (COPILOT_CLUSTERS) is merged into every vector selector. How the naming is detected: " +
      '[metric-naming.md](metric-naming.md).',
  ];
  const tiers = TIERS.flatMap(({ tier, title, role }) => {
    const signals = SIGNAL_CATALOG.filter((s) => tierOf(s.id) === tier);
    return [`## ${title}`, role, summaryTable(signals), ...signals.map((s) => signalSection(s, byNaming))];
  });
  const metrics = [
    '## Metric names',
    'Every exported series the catalog reads, per naming. "Exists only once" names the event before which a ' +
      'healthy server has no such series (the signal reads 0 while its service is provably scraped).',
    metricsTable(),
  ];
  return document([...intro, ...tiers, ...metrics]);
}
