// Convention 1: files stay under about 300 lines. Lists every source file over the limit that is not on the
// reviewed allowlist (.ci/file-size-allowlist.txt, one path per line with the reason after a '#').
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LIMIT_LINES = 300;
const roots = ['src', 'test', 'bench', 'grafana'];
const allowlist = new Set(
  readFileSync('.ci/file-size-allowlist.txt', 'utf8')
    .split('\n')
    .map((line) => line.split('#')[0]?.trim() ?? '')
    .filter((line) => line.length > 0),
);

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

const over: string[] = [];
for (const root of roots) {
  for (const path of walk(root)) {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > LIMIT_LINES && !allowlist.has(path)) over.push(`${path}: ${lines} lines`);
  }
}
if (over.length > 0) {
  console.error(
    `files over ${LIMIT_LINES} lines (split them, or add them to .ci/file-size-allowlist.txt with a reason):`,
  );
  for (const line of over) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`file sizes: every file in ${roots.join(', ')} is under ${LIMIT_LINES} lines or reviewed`);
