#!/usr/bin/env node
/**
 * The genome VAE in headless Chromium (the built app in dist/, its bundled snapshot):
 * 1. first visit → a 5 Mb genome dropped on the Profile page → its 5 nearest genomes on screen
 *    (DB load, model load, profiling, embedding and search included), ms;
 * 2. training the default model (Model tab, preset "default", 60 epochs) on every genome of the
 *    database with a profile (the 107 reference genomes): wall time to the saved model, the backend
 *    chosen, samples/s, and the main thread's long tasks while it trains. Target: < 2 min, no
 *    main-thread task over 50 ms.
 * Prints one JSON object. Usage: node bench/vae-browser.js [--epochs N]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, serveStatic } from './static-server.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'dist');
const SHARED_GENOME = resolve(ROOT, '../shared/data/genomes/reference/Escherichia_coli_K-12_MG1655.fna.gz');
const GENOME = existsSync(SHARED_GENOME) ? SHARED_GENOME : join(ROOT, 'tests/fixtures/mycoplasma-genitalium-g37.fa.gz');
const epochsArg = process.argv.indexOf('--epochs');
const EPOCHS = epochsArg > 0 ? Number(process.argv[epochsArg + 1]) : 60;

if (!existsSync(join(DIST, 'index.html'))) {
  process.stderr.write('vae-browser: dist/index.html is missing: run `npx vite build` first\n');
  process.exit(1);
}

const log = (m) => process.stderr.write(`${m}\n`);
const server = await serveStatic(DIST);
const browser = await chromium.launch(CHROMIUM);

async function newPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(server.url);
  await page.waitForLoadState('networkidle');
  return { context, page };
}

const result = { bench: 'vae-browser', genome: GENOME.replace(`${ROOT}/`, ''), epochs: EPOCHS };
try {
  // 1. Neighbours of a dropped genome on a first visit.
  {
    const { context, page } = await newPage();
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId('fasta-input').setInputFiles(GENOME);
    await page.locator('[data-testid="neighbors-panel"][data-status="done"] [data-testid="neighbor-row"]').first().waitFor({ timeout: 120_000 });
    const t1 = await page.evaluate(() => performance.now());
    const rows = await page.locator('[data-testid="neighbor-row"]').evaluateAll((els) => els.map((e) => ({ genome: e.querySelector('td:nth-child(2)')?.textContent?.trim(), domain: e.getAttribute('data-domain'), similarity: Number(e.getAttribute('data-similarity')) })));
    result.firstVisitNeighborsMs = Math.round(t1 - t0);
    result.neighbors = rows;
    log(`neighbours of ${result.genome} on a first visit: ${result.firstVisitNeighborsMs} ms`);
    await context.close();
  }

  // 2. Training the default model on the database's genomes.
  {
    const { context, page } = await newPage();
    await page.locator('header nav').getByRole('button', { name: 'Model' }).click();
    await page.getByTestId('model-page').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="ml-backend"][data-backend]:not([data-backend=""])').waitFor({ timeout: 60_000 });
    result.backend = await page.getByTestId('ml-backend').getAttribute('data-backend');
    await page.getByTestId('train-preset').selectOption('default');
    await page.getByTestId('train-epochs').fill(String(EPOCHS));
    await page.evaluate(() => (window.__longTasks = []));
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId('train-start').click();
    await page.waitForFunction(() => ['done', 'stopped', 'error'].includes(document.querySelector('[data-testid="train-status"]')?.getAttribute('data-status') ?? ''), null, { timeout: 600_000, polling: 200 });
    const t1 = await page.evaluate(() => performance.now());
    result.trainStatus = await page.getByTestId('train-status').getAttribute('data-status');
    result.trainText = (await page.getByTestId('train-status').textContent())?.trim();
    result.trainWallSeconds = Math.round((t1 - t0) / 100) / 10;
    result.samplesPerSecShown = (await page.locator('[data-testid="train-panel"] dd.num').first().textContent())?.trim();
    const longTasks = await page.evaluate(() => window.__longTasks);
    result.longTasksWhileTraining = { count: longTasks.length, maxMs: Math.max(0, ...longTasks.map((t) => t.ms)), over50ms: longTasks.filter((t) => t.ms > 50).length };
    log(`trained ${EPOCHS} epochs on ${result.backend} in ${result.trainWallSeconds} s (${result.trainStatus})`);
    await context.close();
  }
  result.targets = { trainUnder120s: result.trainWallSeconds < 120, noLongTaskOver50ms: result.longTasksWhileTraining.over50ms === 0 };
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
