import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSetSize, ImageTarget } from '../../deploy/docker/image-files.ts';
import { fileSetSize } from '../../deploy/docker/image-files.ts';
import { freePort } from '../../src/demo/local-prometheus.ts';
import { openPostgres } from '../db/backends.ts';
import { runProcess } from '../support/run-process.ts';
import { REPO_ROOT, waitFor } from '../support/temporal.ts';
import { startTemporalDevServer } from '../support/temporal-dev-server.ts';
import type { Stage } from './dockerfile.ts';
import { DOCKERFILE, envOf, execForm, healthcheckCommand, only, parseDockerfile, stageNamed } from './dockerfile.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this one builds and starts servers.
setDefaultTimeout(600_000);

/**
 * The images without Docker (no daemon runs here): each target's files are assembled by the RUN its Dockerfile
 * stage holds, into a temporary directory standing in for the image's /app, and its ENTRYPOINT/CMD and HEALTHCHECK
 * are run from there with the stage's ENV. What is not exercised is the base image itself (distroless glibc, Node 22).
 */

const HADOLINT = join(
  process.env['HOME'] ?? '/root',
  '.cache',
  'temporal-sre-copilot',
  'infra-lint',
  'bin',
  'hadolint',
);
const stages = parseDockerfile();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function baseEnv(home: string): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home };
}

/** The image path `/app/…` as the temporary directory holding the assembled files. */
function inDir(dir: string, args: readonly string[]): string[] {
  return args.map((arg) => (arg === '/app' || arg.startsWith('/app/') ? join(dir, arg.slice('/app'.length)) : arg));
}

function megabytes(size: FileSetSize): string {
  return `${(size.bytes / 1_000_000).toFixed(1)} MB in ${size.files} files`;
}

/** Run the target's files stage RUN (`bun deploy/docker/image-files.ts <target> /out`) with /out a temp dir. */
async function assemble(target: ImageTarget): Promise<{ dir: string; size: FileSetSize; image: Stage }> {
  const image = stageNamed(stages, target);
  const copy = only(image, 'COPY').args.split(/\s+/);
  expect(copy).toEqual([`--from=${target}-files`, '/out/', '/app/']);
  const run = only(stageNamed(stages, `${target}-files`), 'RUN').args.split(/\s+/);
  const dir = mkdtempSync(join(tmpdir(), `copilot-image-${target}-`));
  dirs.push(dir);
  const cmd = run.map((arg) => (arg === 'bun' ? process.execPath : arg === '/out' ? dir : arg));
  const result = await runProcess({ cmd, cwd: REPO_ROOT });
  expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
  const size = fileSetSize(target, dir);
  console.log(`image file set (contents above the base image): ${target} ${megabytes(size)}`);
  return { dir, size, image };
}

describe('Dockerfile', () => {
  test('hadolint passes with no rule ignored (no inline ignores, no config file)', async () => {
    const text = readFileSync(DOCKERFILE, 'utf8');
    expect([text.match(/hadolint\s+ignore/i), existsSync(join(REPO_ROOT, '.hadolint.yaml'))]).toEqual([null, false]);
    // HOME elsewhere, so that no user-level hadolint.yaml can relax a rule either.
    const result = await runProcess({
      cmd: [HADOLINT, '--no-color', '--disable-ignore-pragma', DOCKERFILE],
      cwd: REPO_ROOT,
      env: baseEnv(tmpdir()),
    });
    expect({ code: result.code, out: result.stdout + result.stderr }).toEqual({ code: 0, out: '' });
  });

  test.each(['api', 'worker'] as const)('%s: a numeric non-root USER and exec-form ENTRYPOINT/CMD', (target) => {
    const image = stageNamed(stages, target);
    const user = only(image, 'USER').args;
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(execForm(only(image, 'CMD').args).length).toBeGreaterThan(0);
  });
});

describe('api image', () => {
  test('the compiled binary sets up the schema, serves /healthz and the page, and its HEALTHCHECK follows', async () => {
    const { dir, size, image } = await assemble('api');
    expect(size.files).toBe(1);
    await using db = { ...(await openPostgres({ migrate: false })), [Symbol.asyncDispose]: () => db.close() };
    const port = await freePort();
    const env = {
      ...baseEnv(dir),
      ...envOf(image),
      DATABASE_URL: db.url,
      COPILOT_API_PORT: String(port),
      // Loopback only here; the image's 0.0.0.0 is for a container network.
      COPILOT_API_HOST: '127.0.0.1',
    };
    const entrypoint = inDir(dir, execForm(only(image, 'ENTRYPOINT').args));
    const setup = await runProcess({ cmd: [...entrypoint, 'db', 'setup-schema'], env, cwd: dir });
    expect(setup.code).toBe(0);
    const server = Bun.spawn([...entrypoint, ...execForm(only(image, 'CMD').args)], {
      env,
      cwd: dir,
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const health = await waitFor({
        what: 'the API to answer /healthz',
        withinMs: 30_000,
        check: async () => {
          const response = await fetch(`${base}/healthz`);
          return response.ok ? response.json() : null;
        },
      });
      expect(health).toEqual({ status: 'ok' });
      const [page, script] = [await fetch(`${base}/`), await fetch(`${base}/ui/app.js`)];
      expect([page.status, (await page.text()).startsWith('<!doctype html>'), script.status]).toEqual([200, true, 200]);
      const probe = healthcheckCommand(image);
      expect((await runProcess({ cmd: inDir(dir, probe), env, cwd: dir })).code).toBe(0);
      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const down = await runProcess({ cmd: inDir(dir, probe), env, cwd: dir });
      expect([down.code, down.stderr.startsWith('healthcheck: ')]).toEqual([1, true]);
    } finally {
      server.kill('SIGKILL');
    }
  });
});

describe('worker image', () => {
  test('the assembled worker runs its workflows against a dev server and Postgres, and drains on SIGTERM', async () => {
    const { dir, image } = await assemble('worker');
    await using temporal = await startTemporalDevServer();
    await using db = { ...(await openPostgres({ migrate: false })), [Symbol.asyncDispose]: () => db.close() };
    const cluster = `image-${crypto.randomUUID().slice(0, 8)}`;
    const env = {
      ...baseEnv(dir),
      ...envOf(image),
      COPILOT_WORKER_METRICS_PORT: String(await freePort()),
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: db.url,
      COPILOT_TASK_QUEUE: `${cluster}-queue`,
      // Nothing listens on port 1: the observer writes blind cycles, which is enough to prove activities ran.
      COPILOT_CLUSTERS: JSON.stringify([{ name: cluster, prometheus_url: 'http://127.0.0.1:1' }]),
      COPILOT_OBSERVE_INTERVAL_SEC: '5',
    };
    const worker = Bun.spawn(inDir(dir, execForm(only(image, 'CMD').args)), {
      env,
      cwd: dir,
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const decided = await waitFor({
        what: 'the worker to store a decision for the cluster',
        withinMs: 180_000,
        check: async () => {
          if (worker.exitCode !== null) throw new Error(`worker exited ${worker.exitCode}`);
          const rows = await db.sql<{ health_state: string }[]>`
            SELECT health_state FROM decisions WHERE cluster = ${cluster} LIMIT 1`;
          return rows[0] ?? null;
        },
      });
      expect(decided.health_state).toBe('unknown');
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      worker.kill('SIGKILL');
      if (worker.exitCode !== 0) console.log(await new Response(worker.stderr).text());
    }
  });

  test('its HEALTHCHECK passes only while COPILOT_WORKER_METRICS_PORT answers /metrics', async () => {
    const probe = healthcheckCommand(stageNamed(stages, 'worker'));
    let status = 200;
    await using metrics = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request) => new Response('', { status: new URL(request.url).pathname === '/metrics' ? status : 404 }),
    });
    const probeAt = async (port: number) =>
      (await runProcess({ cmd: probe, env: { ...baseEnv(tmpdir()), COPILOT_WORKER_METRICS_PORT: String(port) } })).code;
    const port = metrics.port;
    if (port === undefined) throw new Error('the stub metrics server has no port');
    const up = await probeAt(port);
    status = 503;
    const failing = await probeAt(port);
    const closed = await probeAt(await freePort());
    expect({ up, failing, closed }).toEqual({ up: 0, failing: 1, closed: 1 });
  });
});
