import { AppError } from '../models/index.ts';
import { SIGNAL_CATALOG } from '../signals/index.ts';

const GROUPS = ['primary', 'amplifiers', 'worker', 'worker_amplifiers'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Read a snapshot written by hand or by an older copilot: a signal group or field that is absent is no data (null,
 * listed in `missing` as `not_queried`), never a rejection; a field the catalog does not know is rejected by name,
 * so a misspelt signal cannot silently read as missing. Returns a copy; validation of values follows.
 * @throws AppError INVALID_INPUT naming each unknown field.
 */
export function fillAbsentSignals(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const copy: Record<string, unknown> = structuredClone(raw);
  const known = new Set<string>(SIGNAL_CATALOG.map((signal) => signal.id));
  const prefixes = new Set(
    [...known].flatMap((id) =>
      id
        .split('.')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('.')),
    ),
  );
  const unknown: string[] = [];
  const visit = (node: Record<string, unknown>, path: string) => {
    for (const [key, value] of Object.entries(node)) {
      const child = `${path}.${key}`;
      if (isRecord(value) && prefixes.has(child)) visit(value, child);
      else if (!known.has(child)) unknown.push(child);
    }
  };
  for (const group of GROUPS) {
    const node = copy[group];
    if (isRecord(node)) visit(node, group);
  }
  if (unknown.length > 0) {
    throw new AppError('INVALID_INPUT', `unknown signal field(s): ${unknown.join(', ')}`, {
      problems: Object.fromEntries(unknown.map((path) => [`signals.${path}`, ['is not a signal the catalog knows']])),
    });
  }
  const missing = Array.isArray(copy['missing']) ? [...copy['missing']] : [];
  for (const id of known) {
    const parts = id.split('.');
    let node: Record<string, unknown> = copy;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (isRecord(next)) node = next;
      else {
        const created: Record<string, unknown> = {};
        node[part] = created;
        node = created;
      }
    }
    const leaf = parts.at(-1) ?? id;
    if (!(leaf in node)) {
      node[leaf] = null;
      missing.push({ signal: id, reason: 'not_queried', detail: 'absent from the input snapshot' });
    }
  }
  copy['missing'] = missing;
  return copy;
}
