import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { buildEvidence } from '../../src/agents/evidence.ts';
import { createRedactor } from '../../src/agents/redact.ts';
import { criticalCase, decidedArb, logPattern, rulesOnly, windowOf } from './evidence-fixtures.ts';

/** Identifiers with distinctive shapes, so that filler text can never contain one by chance. */
const token = fc.stringMatching(/^[a-z][a-z0-9]{5,12}$/);
/** `value` must not survive redaction; a `secret` restores to [REDACTED], anything else to itself. */
type Planted = { text: string; value: string; secret: boolean };
const plain = (text: string, value: string): Planted => ({ text, value, secret: false });
const hidden = (text: string, value: string): Planted => ({ text, value, secret: true });
/** A Deployment pod name: replica-set hash and suffix from Kubernetes' safe alphabet, with a digit in them. */
const podArb = fc
  .tuple(
    token,
    fc.stringMatching(/^[bcdfghjklmnpqrstvwxz2-9]{8,10}$/),
    fc.stringMatching(/^[bcdfghjklmnpqrstvwxz2-9]{5}$/),
  )
  .filter(([, hash, suffix]) => /\d/.test(hash + suffix))
  .map(([name, hash, suffix]) => `temporal-${name}-${hash}-${suffix}`);
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** A 40-character AWS-style secret key, drawn uniformly as key generators do. */
const awsSecretArb = fc
  .array(fc.constantFrom(...BASE64), { minLength: 40, maxLength: 40 })
  .map((chars) => chars.join(''));
/**
 * The same with no key name near it: the entropy fallback needs all three classes and no seven-letter lower-case
 * run (about 5 % of uniform keys have one and are left to the key-name detectors).
 */
const bareSecretArb = awsSecretArb.filter(
  (v) => /[A-Z]/.test(v) && /[a-z]/.test(v) && /\d/.test(v) && !/[a-z]{7}/.test(v),
);
const accountArb = fc.stringMatching(/^[1-9]\d{11}$/);
const identifierArb: fc.Arbitrary<Planted> = fc.oneof(
  token.map((v) => plain(`wf-namespace=${v}`, v)),
  token.map((v) => plain(`WorkflowId: "${v}-order"`, `${v}-order`)),
  token.map((v) => plain(`task_queue=${v}_tq`, `${v}_tq`)),
  fc.uuid().map((v) => plain(`run ${v}`, v)),
  token.map((v) => plain(`host ${v}.db.internal`, `${v}.db.internal`)),
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255))
    .map(([a, b, c]) => plain(`peer 10.${a}.${b}.${c}:7233`, `10.${a}.${b}.${c}`)),
  accountArb.map((v) => plain(`arn:aws:iam::${v}:role/copilot`, v)),
  token.map((v) => plain(`mail ${v}@example.org`, `${v}@example.org`)),
  fc.stringMatching(/^[A-Za-z0-9]{20,30}$/).map((v) => hidden(`Authorization: Bearer ${v}`, v)),
  token.map((v) => hidden(`password=${v}`, v)),
  // Temporal-shaped lines: the server's NamespaceNotFound message, zap JSON fields, config dumps, bare ids.
  token.map((v) => plain(`Namespace ${v}-prod is not found.`, `${v}-prod`)),
  token.map((v) => plain(`Namespace ${v} not found`, v)),
  podArb.map((v) => plain(`{"level":"error","msg":"shard lost","host":"${v}","shard-id":7}`, v)),
  podArb.map((v) => plain(`pod ${v} restarted`, v)),
  token.map((v) => plain(`{"pod_name":"${v}","service":"matching"}`, v)),
  awsSecretArb.map((v) => hidden(`aws_secret_access_key ${v}`, v)),
  bareSecretArb.map((v) => hidden(`credentials file held ${v} in plain text`, v)),
  fc.tuple(accountArb, accountArb).map(([a, b]) => plain(`account ${a} and ${b}`, b)),
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
    ['NamespaceNotFound', 'Namespace payments-prod not found', 'Namespace <namespace-1> not found'],
    ['dotless pod host', '"host":"temporal-history-5f7d8-abc"', '"host":"<host-1>"'],
    ['pod key', 'pod=temporal-matching-0 hostname=ip-10-0-3-7', 'pod=<host-1> hostname=<host-2>'],
    [
      'space-separated secret key',
      'aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_secret_access_key <secret-1>',
    ],
    ['a key no name announces', 'leaked ghp_16C7e42F292c6912E7710c838347Ae178B4a.', 'leaked <secret-1>.'],
    ['both account ids', 'account 111111111111 and 222222222222', 'account <account-1> and <account-2>'],
    [
      'words and type names are not secrets',
      'password incorrect; the namespace is missing; OrderProcessingWorkflow2026 failed at 1764244800000',
      'password incorrect; the namespace is missing; OrderProcessingWorkflow2026 failed at 1764244800000',
    ],
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

  test('a known identifier glued to a file extension is still redacted; a label of a dotted name is not', () => {
    const redactor = createRedactor({ clusters: ['prod', 'history'] });
    const text =
      'see docs/rag/prod.md, certs/prod.PEM and prod.tar.gz; primary.history.backlog_age_sec, history.log_x. prod.md.';
    const redacted = redactor.redact(text);
    expect(redacted).toBe(
      'see docs/rag/<cluster-1>.md, certs/<cluster-1>.PEM and <cluster-1>.tar.gz; primary.history.backlog_age_sec, history.log_x. <cluster-1>.md.',
    );
    expect(redactor.restore(redacted)).toBe(text);
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
        for (const [, id] of parts) expect(redacted).not.toContain(id.value);
        const restored = redactor.restore(redacted);
        if (parts.some(([, id]) => id.secret)) {
          for (const [, id] of parts) if (id.secret) expect(restored).not.toContain(id.value);
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

  test('property: our own evidence vocabulary is never mistaken for an identifier', () => {
    fc.assert(
      fc.property(decidedArb, ({ decision, snapshot, overrides }) => {
        const bundle = buildEvidence({
          decision,
          snapshot,
          overrides,
          window: windowOf(decision, [1, 2, 4, 8]),
          logPatterns: [logPattern('persistence_unavailable', 'history', 3)],
          rulesAssessment: rulesOnly(decision),
        });
        const redactor = createRedactor({ clusters: [decision.cluster] });
        const redacted = redactor.redactDeep(bundle);
        expect([...redactor.placeholders().values()].filter((kind) => kind !== 'cluster')).toEqual([]);
        expect(redactor.restoreDeep(redacted)).toEqual(bundle);
      }),
      { numRuns: 150 },
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
        for (const id of ids) expect(body).not.toContain(id.value);
        expect(redactor.restoreDeep(redactor.redactDeep(bundle)).cluster).toBe(named.cluster);
      }),
      { numRuns: 200 },
    );
  });
});
