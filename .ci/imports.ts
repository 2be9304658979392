/**
 * The module map of design.md, enforced: every import inside src/ must be one the table allows. Value imports and
 * type-only imports are told apart, because workflows may see other modules' types but must never load their code
 * (the sandbox runs orchestration only). Run by `bun run check`; exits 1 and names each forbidden import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The folders of src/ that design.md's table names; files directly in src/ are the composition root. */
const FOLDERS = [
  'models',
  'health',
  'signals',
  'clients',
  'agents',
  'db',
  'demo',
  'activities',
  'workflows',
  'api',
  'cli',
] as const;
export type ModuleName = (typeof FOLDERS)[number] | 'root';

interface Allowed {
  values: readonly ModuleName[] | 'all';
  types: readonly ModuleName[] | 'all';
  /** External packages a module may load at run time; absent: any. */
  externals?: readonly string[];
}

const ABOVE_ACTIVITIES: readonly ModuleName[] = ['models', 'health', 'signals', 'clients', 'agents', 'db', 'demo'];

/** design.md, "Modules (src/)": who may import whom. A module may always import itself. */
export const MODULE_MAP: Readonly<Record<ModuleName, Allowed>> = {
  models: { values: [], types: [] },
  health: { values: ['models'], types: ['models'] },
  signals: { values: ['models'], types: ['models'] },
  clients: { values: ['models'], types: ['models'] },
  agents: { values: ['models', 'health'], types: ['models', 'health'] },
  db: { values: ['models'], types: ['models'] },
  demo: { values: ['models', 'signals', 'db'], types: ['models', 'signals', 'db'] },
  activities: { values: ABOVE_ACTIVITIES, types: ABOVE_ACTIVITIES },
  // Orchestration only: types from models and the activities, code from the Temporal workflow packages.
  workflows: {
    values: [],
    types: ['models', 'activities'],
    externals: ['@temporalio/workflow', '@temporalio/common'],
  },
  api: { values: ['models', 'db'], types: ['models', 'db'] },
  cli: { values: 'all', types: 'all' },
  // worker.ts, temporal.ts, config.ts: the composition root.
  root: { values: 'all', types: 'all' },
};

export interface ImportStatement {
  specifier: string;
  typeOnly: boolean;
}

// Every static import or re-export with a source, type-only ones included (they are not in the transpiler's list).
const STATEMENT = /(?:^|[\n;])\s*(?:import|export)\s*(?:type\s+)?[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g;

const transpiler = new Bun.Transpiler({ loader: 'ts', trimUnusedImports: false });

/**
 * Every import, re-export, dynamic `import()` and `require()` with a source, and whether it brings in types only.
 * What loads at run time comes from Bun's own transpiler (so comments, missing spaces, `import()` and `require`
 * cannot hide a value import); a source found only by the static-import scan is type-only.
 */
export function importsOf(source: string): ImportStatement[] {
  const values = transpiler.scanImports(source).map((found) => found.path);
  const valueSet = new Set(values);
  const typeOnly = [...source.matchAll(STATEMENT)]
    .map((match) => match[1] ?? '')
    .filter((specifier) => specifier !== '' && !valueSet.has(specifier));
  return [
    ...[...valueSet].map((specifier) => ({ specifier, typeOnly: false })),
    ...[...new Set(typeOnly)].map((specifier) => ({ specifier, typeOnly: true })),
  ];
}

/** The module a file under src/ belongs to. */
export function moduleOf(pathInSrc: string): ModuleName {
  const [first = '', ...rest] = pathInSrc.split('/');
  if (rest.length === 0) return 'root';
  const folder = FOLDERS.find((name) => name === first);
  if (folder !== undefined) return folder;
  throw new Error(`src/${pathInSrc}: folder ${first}/ is not in design.md's module map`);
}

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

function allows(list: readonly ModuleName[] | 'all', target: ModuleName): boolean {
  return list === 'all' || list.includes(target);
}

/** Check one file's imports (`file` relative to src/) against the map. */
export function checkFile(input: { file: string; source: string }): Violation[] {
  const from = moduleOf(input.file);
  const rules = MODULE_MAP[from];
  const violations: Violation[] = [];
  for (const { specifier, typeOnly } of importsOf(input.source)) {
    if (!specifier.startsWith('.')) {
      const external = rules.externals;
      const bare = specifier.startsWith('node:')
        ? specifier
        : specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/');
      if (!typeOnly && external !== undefined && !external.includes(bare)) {
        violations.push({ file: input.file, specifier, reason: `${from}/ may load only ${external.join(', ')}` });
      }
      continue;
    }
    const targetPath = relative('/src', resolve('/src', dirname(input.file), specifier));
    if (targetPath.startsWith('..')) {
      violations.push({ file: input.file, specifier, reason: 'imports from outside src/' });
      continue;
    }
    const target = moduleOf(targetPath);
    if (target === from) continue;
    const ok = typeOnly ? allows(rules.types, target) : allows(rules.values, target);
    if (!ok) {
      const kind = typeOnly ? 'types' : 'code';
      violations.push({ file: input.file, specifier, reason: `${from}/ may not import ${kind} from ${target}/` });
    }
  }
  return violations;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

if (import.meta.main) {
  const src = resolve(import.meta.dir, '..', 'src');
  const violations = sourceFiles(src).flatMap((path) =>
    checkFile({ file: relative(src, path), source: readFileSync(path, 'utf8') }),
  );
  for (const v of violations) console.error(`src/${v.file}: import '${v.specifier}': ${v.reason}`);
  if (violations.length > 0) {
    console.error(`imports: ${violations.length} import(s) break design.md's module map`);
    process.exit(1);
  }
  console.log('imports: every import in src/ follows the module map');
}
