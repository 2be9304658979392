/**
 * Writes the generated docs (docs/signals.md, docs/rules.md, docs/api-schemas.md) from the code's catalog,
 * rulebook and API schemas, so they cannot drift from it. `bun run docs` writes them; `bun run docs:check` (part
 * of `bun run check`) writes nothing and exits 1 naming each committed file that differs from what it would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderApiSchemas } from './docs/api-schemas.ts';
import { renderRules } from './docs/rules.ts';
import { renderSignals } from './docs/signals.ts';

export interface GeneratedDoc {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

/** Every generated file with its content; pure, so two runs give the same bytes. */
export function generatedDocs(): GeneratedDoc[] {
  return [
    { path: 'docs/signals.md', content: renderSignals() },
    { path: 'docs/rules.md', content: renderRules() },
    { path: 'docs/api-schemas.md', content: renderApiSchemas() },
  ];
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The generated files under `root` that are missing or differ from what the generator writes now. */
export function driftedDocs(input: { root: string; docs?: GeneratedDoc[] }): { path: string; why: string }[] {
  return (input.docs ?? generatedDocs()).flatMap((doc) => {
    const committed = readOrNull(join(input.root, doc.path));
    if (committed === null) return [{ path: doc.path, why: 'missing' }];
    if (committed === doc.content) return [];
    const line = committed.split('\n').findIndex((text, i) => text !== doc.content.split('\n')[i]);
    return [{ path: doc.path, why: `differs from the generated text from line ${line + 1}` }];
  });
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const rootFlag = args.indexOf('--root');
  const root = rootFlag >= 0 ? resolve(args[rootFlag + 1] ?? '.') : resolve(import.meta.dir, '..');
  if (args.includes('--check')) {
    const drifted = driftedDocs({ root });
    for (const { path, why } of drifted) console.error(`${path}: ${why}; regenerate it with \`bun run docs\``);
    if (drifted.length > 0) {
      console.error(`docs: ${drifted.length} generated file(s) out of date with the code`);
      process.exit(1);
    }
    console.log('docs: every generated file matches the code');
  } else {
    for (const doc of generatedDocs()) {
      writeFileSync(join(root, doc.path), doc.content);
      console.log(`wrote ${doc.path}`);
    }
  }
}
