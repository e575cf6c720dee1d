#!/usr/bin/env node
/**
 * How long the database and map workers' event loops are blocked by their biggest synchronous
 * steps, in headless Chromium on the bundled snapshot. While a worker's event loop is blocked its
 * heartbeat timer (src/comlink/heartbeat.ts) cannot fire, so the page sees silence; a step that
 * blocked for longer than the silence limit (DB_WORKER_SILENT_MS, MAP_WORKER_SILENT_MS) would be
 * reported as a dead worker. This measures the longest such block per operation and prints it
 * against the limit (ratio = longest block / limit: must stay well below 1). A UMAP projection has
 * its own, longer limit (MAP_UMAP_SILENT_MS: umap-js's fit is one uninterruptible step).
 *
 * How: a 50 ms interval timer is installed in each worker as soon as it starts (Playwright's
 * worker.evaluate); a timer task that runs late by D ms means the event loop was blocked for about
 * D ms (what the heartbeat, on its own interval timer, would have missed). The operations run
 * through the UI, as a user would: first visit (bundled snapshot: fetch, gunzip, sql.js open,
 * background save to IndexedDB), reload (open from IndexedDB), export snapshot (.sqlite.gz and
 * .sqlite), export workspace, quality report, merge and replace imports of the full exported
 * snapshot (the biggest file a user is likely to import), map PCA, UMAP, diagnostics and media map.
 *
 * Needs the built app with its snapshot (`npx vite build`). Usage: node bench/worker-blocking.js
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, serveStatic } from './static-server.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'dist');
// The limits as the app has them (src/runs-on-page/db-client.ts, map-client.ts).
const limitOf = (file, name) => Number(new RegExp(`export const ${name} = ([\\d_]+);`).exec(readFileSync(join(ROOT, file), 'utf8'))?.[1].replace(/_/g, ''));
const LIMITS = {
  db: limitOf('src/runs-on-page/db-client.ts', 'DB_WORKER_SILENT_MS'),
  map: limitOf('src/runs-on-page/map-client.ts', 'MAP_WORKER_SILENT_MS'),
  mapUmap: limitOf('src/runs-on-page/map-client.ts', 'MAP_UMAP_SILENT_MS'),
};
if (!Object.values(LIMITS).every((l) => l > 0)) throw new Error(`could not read the silence limits: ${JSON.stringify(LIMITS)}`);

const TICK_MS = 50;

/** Installs the block monitor in a worker (idempotent). */
async function monitor(worker) {
  await worker
    .evaluate((tick) => {
      const g = self;
      if (g.__blocks) return;
      g.__blocks = { longest: 0, total: 0 };
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        const late = now - last - tick;
        last = now;
        if (late > g.__blocks.longest) g.__blocks.longest = late;
        if (late > 100) g.__blocks.total += late;
      }, tick);
    }, TICK_MS)
    .catch(() => undefined); // a worker that ended meanwhile
}

/** The longest block since the last read (ms), and resets it. */
async function readBlocks(page, name) {
  const worker = page.workers().find((w) => w.url().includes(name));
  if (!worker) return null;
  // The read itself waits for the worker's event loop: a block in progress finishes first.
  return worker.evaluate(() => {
    const b = { ...self.__blocks };
    self.__blocks.longest = 0;
    self.__blocks.total = 0;
    return { longestMs: Math.round(b.longest), blockedOver100MsTotalMs: Math.round(b.total) };
  });
}

const results = [];
async function measure(page, worker, operation, run, limitKey = worker) {
  await readBlocks(page, `${worker}.worker`); // reset
  const t0 = Date.now();
  await run();
  await page.waitForTimeout(2 * TICK_MS);
  const b = await readBlocks(page, `${worker}.worker`);
  const limit = LIMITS[limitKey];
  results.push({ worker, operation, wallMs: Date.now() - t0, ...b, limitMs: limit, ratio: b ? Math.round((b.longestMs / limit) * 1000) / 1000 : null });
  process.stderr.write(`${worker} ${operation}: longest block ${b?.longestMs} ms (limit ${limit} ms)\n`);
}

const server = await serveStatic(DIST);
const browser = await chromium.launch(CHROMIUM);
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  page.on('worker', (w) => void monitor(w));
  const tab = (name) => page.locator('header nav').getByRole('button', { name }).click();
  const dbReady = () => page.locator('[data-testid="database-page"][data-status="ready"]').waitFor({ timeout: 180_000 });
  const download = async (testId) => {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), page.getByTestId(testId).click()]);
    return new Uint8Array(readFileSync(await dl.path()));
  };

  await page.goto(server.url);
  await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
  await measure(page, 'db', 'first visit: bundled snapshot fetched, gunzipped, opened, saved to IndexedDB', async () => {
    await tab('Database');
    await dbReady();
    await page.getByTestId('db-saved').filter({ hasText: 'Saved in this browser' }).waitFor({ timeout: 180_000 });
  });
  await page.reload();
  await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
  await measure(page, 'db', 'reload: opened from IndexedDB', async () => {
    await tab('Database');
    await dbReady();
  });
  let snapshot = null;
  await measure(page, 'db', 'export snapshot (.sqlite.gz)', async () => void (snapshot = await download('db-export')));
  await measure(page, 'db', 'export snapshot (.sqlite)', () => download('db-export-sqlite'));
  await measure(page, 'db', 'export workspace', () => download('workspace-export'));
  await measure(page, 'db', 'quality report', async () => {
    await page.getByTestId('db-section-quality').click();
    await page.getByTestId('stat-media.withoutComposition').waitFor({ timeout: 120_000 });
  });
  for (const mode of ['merge', 'replace']) {
    await measure(page, 'db', `import (${mode}) of the full exported snapshot (${(snapshot.length / 1e6).toFixed(1)} MB gzipped)`, async () => {
      const merge = page.getByTestId('import-merge');
      if ((await merge.isChecked()) !== (mode === 'merge')) await merge.click();
      await page.evaluate(() => document.querySelectorAll('[data-testid="import-result"], [data-testid="import-error"]').forEach((e) => e.remove()));
      await page.getByTestId('db-import-input').setInputFiles({ name: 'full.sqlite.gz', mimeType: 'application/gzip', buffer: Buffer.from(snapshot) });
      await page.getByTestId('import-preview').waitFor({ timeout: 300_000 });
      if (mode === 'replace') page.once('dialog', (d) => void d.accept());
      await page.getByTestId('import-confirm').click();
      const outcome = page.locator('[data-testid="import-result"], [data-testid="import-error"]');
      await outcome.first().waitFor({ timeout: 300_000 });
      if ((await outcome.first().getAttribute('data-testid')) !== 'import-result') throw new Error(`import failed: ${await outcome.first().textContent()}`);
    });
  }

  await measure(page, 'map', 'map: embeddings handed over, PCA', async () => {
    await tab('Map');
    await page.locator('[data-testid="latent-map"][data-status="drawn"]').waitFor({ timeout: 180_000 });
    await page.getByTestId('map-projection-info').waitFor({ timeout: 180_000 });
  });
  await measure(page, 'map', 'map: UMAP', async () => {
    await page.getByTestId('map-method').selectOption('umap');
    await page.locator('[data-testid="map-projection-info"][data-method="umap"]').waitFor({ timeout: 600_000 });
  }, 'mapUmap');
  await measure(page, 'map', 'map: diagnostics', async () => {
    await page.getByTestId('map-view-diagnostics').click();
    await page.locator('[data-testid="map-diagnostics"][data-status="done"]').waitFor({ timeout: 120_000 });
  });
  await measure(page, 'map', 'media map (PCA of every medium)', async () => {
    await page.getByTestId('map-view-media').click();
    await page.locator('[data-testid="media-map"][data-status="drawn"]').waitFor({ timeout: 120_000 });
  });
  await context.close();
} finally {
  await browser.close();
  await server.close();
}

const measured = results.filter((r) => r.longestMs !== null);
const worst = (w) => measured.filter((r) => r.worker === w).reduce((a, r) => (r.ratio > a.ratio ? r : a), { ratio: 0 });
const out = {
  bench: 'worker-blocking',
  tickMs: TICK_MS,
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  limits: LIMITS,
  worstRatioToLimit: Object.fromEntries(['db', 'map'].map((w) => [w, { ratio: worst(w).ratio, operation: worst(w).operation, longestMs: worst(w).longestMs, limitMs: worst(w).limitMs }])),
  operations: results,
};
out.withinLimits = measured.every((r) => r.ratio < 1);
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
