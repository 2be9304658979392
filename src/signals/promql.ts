import { AppError } from '../models/index.ts';

/** One PromQL label matcher, e.g. `cluster="prod"` or `operation!~"Poll.*TaskQueue"`. */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Quote a label value as a PromQL double-quoted string (Go escape rules). */
export function quoteLabelValue(value: string): string {
  let out = '"';
  for (const char of value) {
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else out += char;
  }
  return `${out}"`;
}

/** Render matchers as a PromQL matcher list without braces: `a="b",c=~"d"`. */
export function formatMatchers(matchers: readonly LabelMatcher[]): string {
  return matchers.map((m) => `${m.name}${m.op}${quoteLabelValue(m.value)}`).join(',');
}

/**
 * A vector selector for `metric` with the given matchers. The cluster's own matchers come last so a reader sees the
 * signal's matchers first; PromQL ANDs them all, so a cluster matcher can narrow a selector but never widen it.
 * @throws AppError INVALID_INPUT for an invalid metric or label name.
 */
export function vectorSelector(metric: string, matchers: readonly LabelMatcher[]): string {
  if (!METRIC_NAME.test(metric)) throw new AppError('INVALID_INPUT', `invalid metric name ${JSON.stringify(metric)}`);
  for (const m of matchers) {
    if (!LABEL_NAME.test(m.name)) throw new AppError('INVALID_INPUT', `invalid label name ${JSON.stringify(m.name)}`);
  }
  return matchers.length === 0 ? metric : `${metric}{${formatMatchers(matchers)}}`;
}

function invalid(text: string, why: string): AppError {
  return new AppError('INVALID_INPUT', `invalid label selector ${JSON.stringify(text)}: ${why}`, {
    status: 400,
    problems: { selector: [why] },
  });
}

// Two-character operators first so `=~` is not read as `=`.
const OPERATORS: readonly LabelMatcher['op'][] = ['=~', '!~', '!=', '='];
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" };

/**
 * Parse a user-supplied label selector such as `cluster="prod", env=~"eu-.*"` (braces optional) into matchers.
 * Only label matchers are accepted: no metric name, no functions, so the text cannot change a query's shape.
 * @throws AppError INVALID_INPUT naming what is wrong.
 */
export function parseLabelMatchers(text: string): LabelMatcher[] {
  let body = text.trim();
  if (body.startsWith('{')) {
    if (!body.endsWith('}')) throw invalid(text, 'unbalanced braces');
    body = body.slice(1, -1);
  }
  const matchers: LabelMatcher[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < body.length && /\s/.test(body[i] ?? '')) i += 1;
  };
  skipSpace();
  while (i < body.length) {
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(body.slice(i));
    if (!nameMatch) throw invalid(text, `expected a label name at offset ${i}`);
    const name = nameMatch[0];
    i += name.length;
    skipSpace();
    const op = OPERATORS.find((candidate) => body.startsWith(candidate, i));
    if (!op) throw invalid(text, `expected =, !=, =~ or !~ after ${name}`);
    i += op.length;
    skipSpace();
    const quote = body[i];
    if (quote !== '"' && quote !== "'") throw invalid(text, `expected a quoted value for ${name}`);
    i += 1;
    let value = '';
    let closed = false;
    while (i < body.length) {
      const char = body[i] ?? '';
      i += 1;
      if (char === quote) {
        closed = true;
        break;
      }
      if (char === '\\') {
        const next = body[i] ?? '';
        const escaped = ESCAPES[next];
        if (escaped === undefined) throw invalid(text, `unsupported escape \\${next}`);
        value += escaped;
        i += 1;
      } else {
        value += char;
      }
    }
    if (!closed) throw invalid(text, `unterminated value for ${name}`);
    matchers.push({ name, op, value });
    skipSpace();
    if (i < body.length) {
      if (body[i] !== ',') throw invalid(text, `expected ',' at offset ${i}`);
      i += 1;
      skipSpace();
    }
  }
  return matchers;
}
