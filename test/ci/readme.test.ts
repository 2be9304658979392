import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MODULE_MAP } from '../../.ci/imports.ts';

const ROOT = resolve(import.meta.dir, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text of one `## ` section of the README, heading excluded. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

// Environment variables as the config modules read them: keys of the ArkType env schemas (`'NAME?':`) and direct
// reads (`env['NAME']`, `env.NAME`).
const ENV_READ = /'([A-Z][A-Z0-9_]+)\??'\s*:|env\[['"]([A-Z][A-Z0-9_]+)['"]\]|env\.([A-Z][A-Z0-9_]+)/g;
/** Read to find the home directory, which the README writes as `~`; not a setting of ours. */
const PLATFORM_VARIABLES = new Set(['HOME']);

function envVariablesIn(source: string): string[] {
  const names = [...source.matchAll(ENV_READ)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  return [...new Set(names)].filter((name) => name !== '' && !PLATFORM_VARIABLES.has(name)).sort();
}

describe('README', () => {
  test('the configuration section names every variable src/config.ts and src/config-llm.ts read', () => {
    const source = ['src/config.ts', 'src/config-llm.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const variables = envVariablesIn(source);
    expect(variables.length).toBeGreaterThan(30);
    const configuration = section('Configuration');
    const mentioned = (name: string) => new RegExp(`[\`$]${name}\\b`).test(configuration);
    expect(variables.filter((name) => !mentioned(name))).toEqual([]);
  });

  test('the variable scan sees schema keys and both kinds of direct read, so the check above can fail', () => {
    const source = `const Env = type({ 'NEW_SETTING?': 'string', 'OTHER': 'string' });
      const a = env['DIRECT_READ']; const b = env.DOTTED_READ; const c = env['HOME']; throw new AppError('CONFIG_INVALID', 'x');`;
    expect(envVariablesIn(source)).toEqual(['DIRECT_READ', 'DOTTED_READ', 'NEW_SETTING', 'OTHER']);
  });

  test('the architecture table lists every module of the map and every file at the root of src/', () => {
    const architecture = section('Architecture');
    const folders = Object.keys(MODULE_MAP).filter((name) => name !== 'root');
    const rootFiles = readdirSync(join(ROOT, 'src')).filter(
      (name) => name.endsWith('.ts') && !statSync(join(ROOT, 'src', name)).isDirectory(),
    );
    const missing = [
      ...folders.filter((folder) => !architecture.includes(`\`src/${folder}/\``)),
      ...rootFiles.filter((file) => !architecture.includes(`\`src/${file}\``)),
    ];
    expect(missing).toEqual([]);
    expect(rootFiles).toContain('config-llm.ts');
  });

  test('has the sections a new user and an operator need, and the two quick-start commands', () => {
    const headings = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    for (const heading of ['Quick start', 'Configuration', 'Architecture', 'Deploying', 'Operations']) {
      expect(headings).toContain(heading);
    }
    const commands =
      section('Quick start')
        .match(/```sh\n([\s\S]*?)```/)?.[1]
        ?.trim()
        .split('\n') ?? [];
    expect(commands.map((line) => line.split('#')[0]?.trim())).toEqual([
      'bash .ci/setup && bun run copilot demo',
      'bun run check',
    ]);
    const operations = section('Operations');
    for (const topic of ['Upgrading', 'Tuning thresholds with `backtest`', 'Reading the states', 'Alerting']) {
      expect(operations).toContain(`**${topic}`);
    }
    for (const link of ['docs/runbooks/', 'docs/rules.md', 'docs/alerts.md', 'docs/deploy.md']) {
      expect(operations).toContain(`](${link}`);
    }
  });
});
