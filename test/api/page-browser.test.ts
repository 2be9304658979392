import { afterAll, describe, expect, test } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { serveApi } from '../../src/api/index.ts';
import { openPostgres } from '../db/backends.ts';
import { launchChromium } from '../support/chromium.ts';
import { BACKLOG_RULE, T0, testApi } from './helpers.ts';
import { HEALTHY_GATE, NEAR_RULE, PAGE_CLUSTERS, STRESS_RULE, seedPage } from './page-seed.ts';
import { sqlThroughProxy, startProxy } from './proxy.ts';

// The status page in Debian's headless Chromium against a real API (real Bun.serve) over a seeded Postgres.
const SCREENSHOT_DIR = resolve(import.meta.dir, '../../test-output/screenshots');
mkdirSync(SCREENSHOT_DIR, { recursive: true });
console.log(`status page screenshots: ${SCREENSHOT_DIR}`);

const db = await openPostgres();
await seedPage(db.sql);
const api = testApi(db.sql, { configuredClusters: [PAGE_CLUSTERS.unobserved] });
await api.refresh();
const server = serveApi({ api, host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${server.port}`;
const browser = await launchChromium();
afterAll(async () => {
  await browser.close();
  await server.stop(true);
  await db.close();
});

interface Card {
  cluster: string | null;
  badge: string | null;
  stale: boolean;
  blind: boolean;
  firing: string[];
}

/** Open the page, wait for its first completed refresh, collect console errors (CSP violations land there). */
async function openPage(viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-refreshes]');
  return { page, errors };
}

function readCards(page: Page): Promise<Card[]> {
  return page.$$eval('section.cluster', (sections) =>
    sections.map((s) => ({
      cluster: s.getAttribute('data-cluster'),
      badge: s.querySelector('.card-head [data-role=badge]')?.textContent ?? null,
      stale: s.querySelector('[data-role=stale]') !== null,
      blind: s.querySelector('[data-role=blind]') !== null,
      firing: [...s.querySelectorAll('table.firing tbody tr td:first-child')].map((td) => td.textContent ?? ''),
    })),
  );
}

const EXPECTED_CARDS: Card[] = [
  // The configured cluster comes first, then the stored ones by name (GET /clusters' order).
  { cluster: PAGE_CLUSTERS.unobserved, badge: 'Unknown', stale: true, blind: true, firing: [] },
  { cluster: PAGE_CLUSTERS.critical, badge: 'Critical', stale: false, blind: false, firing: [BACKLOG_RULE] },
  { cluster: PAGE_CLUSTERS.happy, badge: 'Happy', stale: false, blind: false, firing: [] },
  {
    cluster: PAGE_CLUSTERS.stressed,
    badge: 'Stressed',
    stale: false,
    blind: false,
    firing: [STRESS_RULE, HEALTHY_GATE],
  },
  { cluster: PAGE_CLUSTERS.stale, badge: 'Unknown', stale: true, blind: true, firing: [] },
  { cluster: PAGE_CLUSTERS.blind, badge: 'Unknown', stale: false, blind: true, firing: [] },
];

describe.each([
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
])('status page at %s width', (name, viewport) => {
  test('a badge per cluster, firing rules, stale and blind notices, no CSP violation', async () => {
    const { page, errors } = await openPage(viewport);
    const shot = join(SCREENSHOT_DIR, `status-${name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    const critical = join(SCREENSHOT_DIR, `status-${name}-${PAGE_CLUSTERS.critical}.png`);
    await page.locator(`section.cluster[data-cluster="${PAGE_CLUSTERS.critical}"]`).screenshot({ path: critical });
    console.log(`screenshots: ${shot}, ${critical}`);
    expect(await readCards(page)).toEqual(EXPECTED_CARDS);
    expect(errors).toEqual([]);
    // Nothing wider than the screen: a phone scrolls down, never sideways (tables scroll inside their box).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.close();
  });
});

describe('one cluster in detail (desktop)', () => {
  test('the critical card: values against thresholds, the issue, the action, the timeline strip', async () => {
    const { page } = await openPage({ width: 1280, height: 800 });
    const card = page.locator(`section.cluster[data-cluster="${PAGE_CLUSTERS.critical}"]`);
    expect(await card.locator('table.firing tbody tr').allTextContents()).toEqual([
      `${BACKLOG_RULE}primary.history.backlog_age_sec200> 120Critical`,
    ]);
    expect(await card.locator('li.issue strong').allTextContents()).toEqual([`critical: issue from ${BACKLOG_RULE}`]);
    expect(await card.locator('li.action strong').allTextContents()).toEqual(['scale frontend']);
    const cells = await card
      .locator('svg.strip rect.cell')
      .evaluateAll((rects) => rects.map((r) => r.getAttribute('class')));
    const count = (state: string) => cells.filter((c) => c === `cell state-${state}`).length;
    // 12 ten-minute buckets each; the last critical bucket also holds the seeded latest cycles.
    expect({ happy: count('happy'), stressed: count('stressed'), critical: count('critical') }).toEqual({
      happy: 12,
      stressed: 12,
      critical: 12,
    });
    // Each cell sits at its bucket's offset from the first epoch-aligned bucket (no cell early, none dropped), and
    // cells are drawn with crisp edges, so no background seam shows between neighbours.
    const strip = await card.locator('svg.strip').evaluate((svg) => {
      const view = svg.getAttribute('viewBox')?.split(' ').map(Number) ?? [];
      const rects = [...svg.querySelectorAll('rect.cell')];
      return {
        width: view[2] ?? 0,
        cells: rects.map((r) => ({ x: Number(r.getAttribute('x')), at: r.getAttribute('data-at') ?? '' })),
        rendering: rects.map((r) => getComputedStyle(r).shapeRendering),
      };
    });
    const stepMs = 600_000;
    const originMs = Math.floor((T0 - 24 * 3_600_000) / stepMs) * stepMs;
    expect(strip.cells.filter((c) => c.x !== (Date.parse(c.at) - originMs) / stepMs)).toEqual([]);
    expect(new Set(strip.cells.map((c) => c.x)).size).toBe(strip.cells.length);
    expect([strip.width, [...new Set(strip.rendering)]]).toEqual([145, ['crispedges']]);
    await page.close();
  });

  test('the stressed card names the nearest escalation; the stale card says since when', async () => {
    const { page } = await openPage({ width: 1280, height: 800 });
    const stressed = page.locator(`section.cluster[data-cluster="${PAGE_CLUSTERS.stressed}"]`);
    expect(await stressed.locator('.escalation').textContent()).toBe(
      `${NEAR_RULE} would make it Critical: primary.history.backlog_age_sec is 90, threshold > 120 (25% headroom).`,
    );
    // The healthy gate's level is not a state: its own badge, never passed off as Stressed.
    const levels = await stressed
      .locator('table.firing td[data-label=Level] .badge')
      .evaluateAll((badges) => badges.map((b) => `${b.className}: ${b.textContent}`));
    expect(levels).toEqual(['badge state-stressed: Stressed', 'badge level-not_happy: Not happy']);
    const stale = page.locator(`section.cluster[data-cluster="${PAGE_CLUSTERS.stale}"]`);
    expect(await stale.locator('[data-role=stale]').textContent()).toContain(
      'no observation since 2024-01-15 11:50:00 UTC',
    );
    await page.close();
  });

  test('the CSP is enforced: an injected inline script does not run', async () => {
    const { page } = await openPage({ width: 1280, height: 800 });
    await expect(page.addScriptTag({ content: 'window.injected = true;' })).rejects.toThrow();
    expect(await page.evaluate(() => 'injected' in window)).toBe(false);
    await page.close();
  });
});

test('when the API stops answering, the page says so and keeps the last status, marked outdated', async () => {
  const own = serveApi({ api, host: '127.0.0.1', port: 0 });
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`http://127.0.0.1:${own.port}/`);
  await page.waitForSelector('body[data-refreshes="1"]');
  await own.stop(true);
  // The page refreshes on its timer and whenever it becomes visible; the event stands in for the 30 s timer.
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.waitForSelector('body[data-refreshes="2"]');
  expect(await page.locator('#banner').isVisible()).toBe(true);
  expect(await page.locator('#banner').textContent()).toMatch(/^The copilot API cannot be read .* is stale\.$/);
  expect(await page.locator('section.cluster').count()).toBe(EXPECTED_CARDS.length);
  expect(await page.locator('section.cluster.outdated').count()).toBe(EXPECTED_CARDS.length);
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'status-phone-unreachable.png') });
  await page.close();
});

test('when the store is down, the page shows the last known cards under the store banner', async () => {
  const direct = new URL(db.url);
  await using proxy = await startProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const sql = sqlThroughProxy(db.url, proxy.port);
  const storeDown = testApi(sql, { configuredClusters: [PAGE_CLUSTERS.unobserved] });
  await storeDown.refresh();
  proxy.break();
  await storeDown.refresh();
  const own = serveApi({ api: storeDown, host: '127.0.0.1', port: 0 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(`http://127.0.0.1:${own.port}/`);
    await page.waitForSelector('body[data-refreshes="1"]');
    expect(await page.locator('#banner').textContent()).toBe(
      'The state store is unreachable: every status below is the last one known, and stale.',
    );
    // GET /clusters answered 503 with its list: every card shows, each marked stale, none as an unreadable API.
    expect(await readCards(page)).toEqual(EXPECTED_CARDS.map((card) => ({ ...card, stale: true })));
    expect(await page.locator('section.cluster.outdated').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'status-desktop-store-down.png') });
  } finally {
    await page.close();
    await own.stop(true);
    await sql.end({ timeout: 1 });
  }
});

test('a request that fails outright does not stop the refresh loop', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // The page's own 30 s timer, driven by the test instead of waited for.
  await page.clock.install();
  let failing = true;
  await page.route(/\/status\?/, (route) => (failing ? route.abort() : route.continue()));
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-refreshes="1"]');
  // A network error on one request gives that cluster an error card; the others' requests were answered.
  expect(await page.locator('section.cluster p.error').count()).toBe(EXPECTED_CARDS.length);
  failing = false;
  await page.clock.runFor(30_000);
  await page.waitForSelector('body[data-refreshes="2"]');
  expect(await readCards(page)).toEqual(EXPECTED_CARDS);
  await page.close();
});
