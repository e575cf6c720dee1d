#!/usr/bin/env node
/**
 * How long the Database tab takes to become usable in headless Chromium, on a first visit (fetch
 * the bundled snapshot + gunzip + sql.js open + save to IndexedDB) and on a reload (image from
 * IndexedDB + open), up to the first query's results on screen. Prints JSON (ms). Target: < 2 s.
 *
 * Needs the built app with its snapshot: `npx vite build` (public/mediaforge-snapshot.sqlite.gz
 * copied into dist/). Usage: node bench/db-load.js [--runs N]
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, serveStatic } from './static-server.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'dist');
const SNAPSHOT = join(DIST, 'mediaforge-snapshot.sqlite.gz');
const TARGET_MS = 2000;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

/** The page has loaded and started its profiling workers; a person would not click sooner. */
const SETTLE_MS = 1000;

/** Clicks the Database tab; ms until the database is open and until the first media results show. */
async function measure(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(SETTLE_MS);
  const t0 = await page.evaluate(() => performance.now());
  await page.locator('header nav').getByRole('button', { name: 'Database' }).click();
  await page.locator('[data-testid="database-page"][data-status="ready"]').waitFor({ timeout: 120_000 });
  const ready = await page.evaluate(() => performance.now());
  await page.locator('[data-testid="media-results"] [data-medium-id]').first().waitFor({ timeout: 60_000 });
  const firstQuery = await page.evaluate(() => performance.now());
  // The worker's own step timings (DbInfo.timings), as the page exposes them.
  const worker = JSON.parse((await page.getByTestId('database-page').getAttribute('data-timings')) ?? 'null');
  return { readyMs: Math.round(ready - t0), firstQueryMs: Math.round(firstQuery - t0), worker };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await serveStatic(DIST);
const { url } = server;
const browser = await chromium.launch(CHROMIUM);
const first = [];
const reload = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    first.push(await measure(page));
    await page.reload();
    reload.push(await measure(page));
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

const summary = (runs) => ({
  readyMs: median(runs.map((r) => r.readyMs)),
  firstQueryMs: median(runs.map((r) => r.firstQueryMs)),
  runs,
});
const result = {
  bench: 'db-load',
  snapshotBytes: statSync(SNAPSHOT).size,
  runs: RUNS,
  targetMs: TARGET_MS,
  settleMsBeforeClick: SETTLE_MS,
  loadAverage: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
  firstVisit: summary(first),
  reload: summary(reload),
};
result.withinTarget = result.firstVisit.firstQueryMs < TARGET_MS && result.reload.firstQueryMs < TARGET_MS;
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
