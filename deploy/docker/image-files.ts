/**
 * The file set of each image, assembled by the Dockerfile's build stages and by test/deploy/images.test.ts with the
 * same command, so what the test runs is what the image holds:
 *
 *   bun deploy/docker/image-files.ts api OUT      OUT/copilot: the CLI compiled to one binary, status page embedded
 *   bun deploy/docker/image-files.ts worker OUT   OUT/dist/worker.js (bundled for Node), OUT/src/workflows (the SDK
 *                                                 bundles workflows from source at start), OUT/docs/rag, and the
 *                                                 production node_modules with only this platform's native bridge
 *
 * Prints one JSON line: the target, its file count and its size in bytes (the image contents above the base).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dir, '..', '..');

export type ImageTarget = 'api' | 'worker';

export interface FileSetSize {
  target: ImageTarget;
  files: number;
  bytes: number;
}

async function run(cmd: readonly string[], cwd: string): Promise<void> {
  const proc = Bun.spawn([...cmd], { cwd, stdout: 'inherit', stderr: 'inherit' });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}`);
}

async function assembleApi(out: string): Promise<void> {
  await run(
    [
      process.execPath,
      'build',
      '--compile',
      '--minify',
      // Embedded files keep their names under ui/, where src/api/page.ts looks for them (see api-entry.ts).
      '--asset-naming=ui/[name].[ext]',
      'deploy/docker/api-entry.ts',
      '--outfile',
      join(out, 'copilot'),
    ],
    REPO_ROOT,
  );
}

/** sdk-core's name for this machine's prebuilt bridge (common.js in @temporalio/core-bridge); the image is Linux. */
function bridgeTarget(): string {
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as string];
  if (arch === undefined) throw new Error(`no Temporal core-bridge prebuild for ${process.arch}`);
  return `${arch}-unknown-linux-gnu`;
}

/** Drop what the worker never loads: the other platforms' bridges and the Rust sources they were built from. */
function trimCoreBridge(out: string): void {
  const bridge = join(out, 'node_modules', '@temporalio', 'core-bridge');
  const keep = bridgeTarget();
  if (!existsSync(join(bridge, 'releases', keep, 'index.node'))) throw new Error(`no core-bridge build for ${keep}`);
  for (const release of readdirSync(join(bridge, 'releases'))) {
    if (release !== keep) rmSync(join(bridge, 'releases', release), { recursive: true, force: true });
  }
  for (const source of ['sdk-core', 'src', 'bridge-macros', 'Cargo.lock', 'Cargo.toml']) {
    rmSync(join(bridge, source), { recursive: true, force: true });
  }
}

async function assembleWorker(out: string): Promise<void> {
  const result = await Bun.build({
    entrypoints: [join(REPO_ROOT, 'src', 'worker.ts')],
    target: 'node',
    format: 'esm',
    packages: 'external',
    outdir: join(out, 'dist'),
    naming: 'worker.js',
  });
  if (!result.success) throw new Error(`bundling the worker failed: ${result.logs.join('\n')}`);
  // src/worker.ts resolves the workflows as ../src/workflows from its own directory, so dist/ and src/ are siblings.
  cpSync(join(REPO_ROOT, 'src', 'workflows'), join(out, 'src', 'workflows'), { recursive: true });
  cpSync(join(REPO_ROOT, 'docs', 'rag'), join(out, 'docs', 'rag'), { recursive: true });
  // package.json also makes dist/worker.js an ES module ("type": "module").
  for (const file of ['package.json', 'bun.lock']) cpSync(join(REPO_ROOT, file), join(out, file));
  // Lifecycle scripts stay off, as in development (bun blocks untrusted ones): the bridge ships prebuilt.
  await run([process.execPath, 'install', '--production', '--frozen-lockfile', '--ignore-scripts'], out);
  trimCoreBridge(out);
}

/** Every regular file under `dir`, counted and summed (symlinks are not followed). */
export function fileSetSize(target: ImageTarget, dir: string): FileSetSize {
  let files = 0;
  let bytes = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        files += 1;
        bytes += statSync(full).size;
      }
    }
  };
  walk(dir);
  return { target, files, bytes };
}

/** Assemble `target`'s files into `out` (created; must be empty or absent). */
export async function assembleImageFiles(target: ImageTarget, out: string): Promise<FileSetSize> {
  mkdirSync(out, { recursive: true });
  if (readdirSync(out).length > 0) throw new Error(`${out} is not empty`);
  switch (target) {
    case 'api':
      await assembleApi(out);
      break;
    case 'worker':
      await assembleWorker(out);
      break;
    default: {
      const unknown: never = target;
      throw new Error(`unknown image target ${String(unknown)}`);
    }
  }
  return fileSetSize(target, out);
}

function isTarget(value: string | undefined): value is ImageTarget {
  return value === 'api' || value === 'worker';
}

if (import.meta.main) {
  const [target, out] = process.argv.slice(2);
  if (!isTarget(target) || out === undefined) {
    process.stderr.write('usage: bun deploy/docker/image-files.ts <api|worker> OUT_DIR\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(await assembleImageFiles(target, resolve(out)))}\n`);
}
