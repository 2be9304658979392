import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';

// Bun applies test/setup.ts's default timeout to the first file only; this one runs the whole stack for minutes.
setDefaultTimeout(900_000);

/**
 * The whole stack end to end, exactly as a new user starts it: `bun run copilot demo --once` (the README's first
 * command) — the embedded store, the copilot's own Temporal dev server, the bundled Node worker, the API and the
 * status page — observing a really running cluster (its own dev server, a Prometheus scraping it, SDK workers and
 * callers) through a real outage: the demo kills the cluster's workers, then starts them again. Meanwhile this test
 * reads the API, `/metrics` and the status page in headless Chromium, as an SRE (and Alertmanager) would.
 */

const SCREENSHOT_DIR = resolve(import.meta.dir, '../../test-output/screenshots');
const CLUSTER = 'live-demo';

interface Seen {
  atMs: number;
  state: string;
  /** `copilot_health_state{state=…}` that read 1 on /metrics at that moment. */
  metricState: string | null;
  /** The state badge of the cluster's card on the status page. */
  pageBadge: string | null;
  assessmentExplainer: string | null;
}

let browser: Browser;
let demo: ReturnType<typeof Bun.spawn>;
let output = '';
const seen: Seen[] = [];
const marks: Record<string, number> = {};

function metricState(text: string): string | null {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`copilot_health_state{cluster="${CLUSTER}"`) && l.trimEnd().endsWith(' 1'));
  return line?.match(/state="([a-z]+)"/)?.[1] ?? null;
}

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  demo = Bun.spawn(
    ['bun', 'run', 'copilot', 'demo', '--once', '--port', '0', '--healthy-sec', '40', '--explainer', 'rules'],
    {
      cwd: resolve(import.meta.dir, '../..'),
      // Nothing configured: the embedded default, as on a fresh machine.
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root' },
      stdout: 'pipe',
      stderr: 'pipe',
    },
  );
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      const text = decoder.decode(chunk);
      output += text;
      process.stderr.write(text);
    }
  };
  void drain(demo.stdout as ReadableStream<Uint8Array>);
  void drain(demo.stderr as ReadableStream<Uint8Array>);

  let base: string | null = null;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let screenshots = 0;
  while (demo.exitCode === null) {
    base ??= output.match(/status page: (http:\/\/127\.0\.0\.1:\d+)\//)?.[1] ?? null;
    for (const mark of ['OUTAGE', 'RECOVERY']) {
      if (marks[mark] === undefined && output.includes(`] ${mark}:`)) marks[mark] = Date.now();
    }
    if (base !== null) {
      const summary = await fetch(`${base}/status?cluster=${CLUSTER}`).then(
        async (r) =>
          r.ok ? ((await r.json()) as { health_state: string; assessment: { explainer: string } | null }) : null,
        () => null,
      );
      if (summary !== null && summary.health_state !== seen.at(-1)?.state) {
        const metrics = await fetch(`${base}/metrics`).then(
          (r) => r.text(),
          () => '',
        );
        await page.goto(`${base}/`);
        await page.waitForSelector(`section.cluster[data-cluster="${CLUSTER}"] [data-role=badge]`, { timeout: 10_000 });
        const badge = await page
          .locator(`section.cluster[data-cluster="${CLUSTER}"] .card-head [data-role=badge]`)
          .textContent();
        screenshots += 1;
        await page.screenshot({
          path: resolve(SCREENSHOT_DIR, `e2e-${screenshots}-${summary.health_state}.png`),
          fullPage: true,
        });
        seen.push({
          atMs: Date.now(),
          state: summary.health_state,
          metricState: metricState(metrics),
          pageBadge: badge?.trim().toLowerCase() ?? null,
          assessmentExplainer: summary.assessment?.explainer ?? null,
        });
      }
    }
    await Bun.sleep(1_000);
  }
  await page.close();
});

afterAll(async () => {
  if (demo.exitCode === null) demo.kill('SIGKILL');
  await browser?.close();
});

test('the demo runs to its end and stops cleanly', () => {
  expect({ code: demo.exitCode, tail: demo.exitCode === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });
  expect(output).toContain('stopping: worker, API, monitored cluster, Temporal, store');
  console.log(`e2e: ${JSON.stringify(seen.map((s) => ({ ...s, atMs: s.atMs - (seen[0]?.atMs ?? 0) })))}`);
});

test('Happy before the outage, not Happy within two minutes of it, Happy again after the workers return', () => {
  const outage = marks['OUTAGE'];
  const recovery = marks['RECOVERY'];
  if (outage === undefined || recovery === undefined) throw new Error(`the demo did not inject the outage: ${output}`);
  expect(seen.filter((s) => s.atMs < outage).map((s) => s.state)).toContain('happy');
  const firstBad = seen.find((s) => s.atMs > outage && s.state !== 'happy');
  expect(firstBad).toBeDefined();
  expect((firstBad?.atMs ?? Number.POSITIVE_INFINITY) - outage).toBeLessThan(120_000);
  expect(seen.filter((s) => s.atMs > outage && s.atMs <= recovery).map((s) => s.state)).toContain('critical');
  expect(seen.filter((s) => s.atMs > recovery).at(-1)?.state).toBe('happy');
});

test('the page, /metrics and the stored assessments follow the API', () => {
  for (const s of seen) {
    // The page and the gauge read the same store the API does; each was read right after the API changed.
    expect({ state: s.state, page: s.pageBadge, metric: s.metricState }).toEqual({
      state: s.state,
      page: s.state,
      metric: s.state,
    });
  }
  // Every state change is explained: an assessment was stored and served with it.
  expect(seen.filter((s) => s.assessmentExplainer !== null).length).toBeGreaterThanOrEqual(2);
});
