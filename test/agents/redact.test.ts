import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { buildEvidence } from '../../src/agents/evidence.ts';
import { createRedactor } from '../../src/agents/redact.ts';
import { criticalCase, logPattern, rulesOnly } from './evidence-fixtures.ts';

/** Identifiers with distinctive shapes, so that filler text can never contain one by chance. */
const token = fc.stringMatching(/^[a-z][a-z0-9]{5,12}$/);
const identifierArb = fc.oneof(
  token.map((v) => ({ text: `wf-namespace=${v}`, secret: v })),
  token.map((v) => ({ text: `WorkflowId: "${v}-order"`, secret: `${v}-order` })),
  token.map((v) => ({ text: `task_queue=${v}_tq`, secret: `${v}_tq` })),
  fc.uuid().map((v) => ({ text: `run ${v}`, secret: v })),
  token.map((v) => ({ text: `host ${v}.db.internal`, secret: `${v}.db.internal` })),
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255))
    .map(([a, b, c]) => ({ text: `peer 10.${a}.${b}.${c}:7233`, secret: `10.${a}.${b}.${c}` })),
  fc.stringMatching(/^\d{12}$/).map((v) => ({ text: `arn:aws:iam::${v}:role/copilot`, secret: v })),
  token.map((v) => ({ text: `mail ${v}@example.org`, secret: `${v}@example.org` })),
  fc.stringMatching(/^[A-Za-z0-9]{20,30}$/).map((v) => ({ text: `Authorization: Bearer ${v}`, secret: v })),
  token.map((v) => ({ text: `password=${v}`, secret: v })),
);
const fillerArb = fc
  .array(
    fc.constantFrom(
      'history',
      'is',
      'slow',
      'primary.history.backlog_age_sec',
      '(42 ms)',
      'rule:critical.x',
      ';',
      '\n',
    ),
    {
      maxLength: 6,
    },
  )
  .map((words) => words.join(' '));

describe('redaction', () => {
  test.each([
    ['namespace tag', 'wf-namespace=payments-prod msg', 'wf-namespace=<namespace-1> msg'],
    ['workflow and run', 'wf-id=order-77 wf-run-id=abc', 'wf-id=<workflow-1> wf-run-id=<run-1>'],
    ['uuid run id', 'run 0d3c8a43-5f0a-4c3e-9a34-3f0c2f1d9b11 failed', 'run <run-1> failed'],
    ['task queue', 'TaskQueue: "orders-tq"', 'TaskQueue: "<task-queue-1>"'],
    ['host and ip', 'dial history-0.temporal.svc.cluster.local (10.1.2.3)', 'dial <host-1> (<ip-1>)'],
    ['ipv6', 'from fe80::1ff:fe23:4567:890a', 'from <ip-1>'],
    ['arn', 'role arn:aws:iam::123456789012:role/x', 'role <arn-1>'],
    ['account id', 'account_id=123456789012', 'account_id=<account-1>'],
    ['email', 'owner sre@example.com', 'owner <email-1>'],
    ['bearer', 'Authorization: Bearer abcdefghijklmnop', 'Authorization: Bearer <secret-1>'],
    ['aws key', 'key AKIAIOSFODNN7EXAMPLE', 'key <secret-1>'],
    [
      'our own vocabulary stays',
      'primary.history.backlog_age_sec at 12:00:00 in docs/rag/x.md',
      'primary.history.backlog_age_sec at 12:00:00 in docs/rag/x.md',
    ],
  ])('%s', (_name, input, expected) => {
    expect(createRedactor().redact(input)).toBe(expected);
  });

  test('known identifiers are whole tokens: a cluster named prod is not found in production', () => {
    const redactor = createRedactor({ clusters: ['prod'], taskQueues: ['orders'] });
    expect(redactor.redact('cluster prod. production queue orders, orders-v2')).toBe(
      'cluster <cluster-1>. production queue <task-queue-1>, orders-v2',
    );
  });

  test('placeholders are stable: the same value always gets the same one', () => {
    const redactor = createRedactor();
    const a = redactor.redact('wf-namespace=alpha wf-namespace=beta');
    const b = redactor.redact('again wf-namespace=alpha');
    expect(a).toBe('wf-namespace=<namespace-1> wf-namespace=<namespace-2>');
    expect(b).toBe('again wf-namespace=<namespace-1>');
  });

  test('property: reversible, and no identifier survives redaction', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fillerArb, identifierArb), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([filler, id]) => `${filler} ${id.text}`).join(' | ');
        const redactor = createRedactor();
        const redacted = redactor.redact(text);
        for (const [, id] of parts) expect(redacted).not.toContain(id.secret);
        const restored = redactor.restore(redacted);
        const hasSecret = parts.some(([, id]) => /Bearer|password/.test(id.text));
        if (hasSecret) {
          for (const [, id] of parts) if (/Bearer|password/.test(id.text)) expect(restored).not.toContain(id.secret);
        } else {
          expect(restored).toBe(text);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('property: any string round-trips, placeholder-shaped input included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom('<host-1>', '<literal-2>', '<ip-1>x', 'host-1>')), {
          maxLength: 8,
        }),
        (pieces) => {
          const text = pieces.join('');
          const redactor = createRedactor();
          const redacted = redactor.redact(text);
          fc.pre(![...redactor.placeholders().values()].includes('secret'));
          expect(redactor.restore(redacted)).toBe(text);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('property: an outbound evidence body carries no identifier from the input', () => {
    const { decision, snapshot, overrides } = criticalCase();
    fc.assert(
      fc.property(fc.array(identifierArb, { minLength: 1, maxLength: 5 }), token, (ids, cluster) => {
        const named = { ...decision, cluster: `${cluster}-eu` };
        const logs = ids.map((_id, index) => logPattern(`sig_${index}`, 'history', index + 1));
        const rules = rulesOnly(named, logs);
        const bundle = buildEvidence({
          decision: named,
          snapshot,
          overrides,
          window: [],
          logPatterns: logs,
          rulesAssessment: { ...rules, summary: `${rules.summary} ${ids.map((id) => id.text).join(' ')}` },
          knowledge: ids.map((id) => ({ source: 'docs/rag/worker-scaling.md', text: `seen: ${id.text}` })),
        });
        const redactor = createRedactor({ clusters: [named.cluster] });
        const body = JSON.stringify({
          messages: [{ role: 'user', content: JSON.stringify(redactor.redactDeep(bundle)) }],
        });
        expect(body).not.toContain(named.cluster);
        for (const id of ids) expect(body).not.toContain(id.secret);
        expect(redactor.restoreDeep(redactor.redactDeep(bundle)).cluster).toBe(named.cluster);
      }),
      { numRuns: 200 },
    );
  });
});
