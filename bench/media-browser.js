#!/usr/bin/env node
/**
 * The Media tab in headless Chromium (the built app in dist/, its bundled snapshot), on a first
 * visit: a ~5 Mbp genome of ../shared/data dropped on the Profile page, "Media" pressed on its row
 * as soon as it is profiled, until the ranked MediaDive media are on screen. Everything a first
 * visit pays is included: the profiling (k-mers, rRNA, protein features), the database download
 * and opening, the genome model, the embedding, the condition prediction and the ranking. Also
 * timed: a counterfactual (the temperature edited) until the new ranking is shown.
 * Target: drop → ranked media < 5 s on the 2-core development machine.
 * Prints one JSON object. Usage: node bench/media-browser.js [--runs N]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, serveStatic } from './static-server.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'dist');
const GENOME = resolve(ROOT, '../shared/data/genomes/reference/Escherichia_coli_DSM_30083_type.fna.gz');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const TARGET_MS = 5000;

if (!existsSync(GENOME)) {
  process.stdout.write(`${JSON.stringify({ bench: 'media-browser', skipped: `../shared/data is absent (${GENOME.replace(`${ROOT}/`, '')} not found): no ~5 Mbp genome to drop` })}\n`);
  process.exit(0);
}
if (!existsSync(join(DIST, 'index.html'))) {
  process.stderr.write('media-browser: dist/index.html is missing: run `npm run build` first\n');
  process.exit(1);
}

const log = (m) => process.stderr.write(`${m}\n`);
const server = await serveStatic(DIST);
const browser = await chromium.launch(CHROMIUM);
const file = GENOME.split('/').pop();

/** One first visit (a fresh context: no saved database). */
async function firstVisit() {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('fasta-input').setInputFiles(GENOME);
  const button = page.locator(`[data-testid="profile-row"][data-file="${file}"] [data-testid="open-media"]`);
  await button.waitFor({ timeout: 120_000 });
  const tProfiled = await page.evaluate(() => performance.now());
  await button.click();
  await page.locator('[data-testid="media-panel"][data-status="ready"] [data-testid="medium-row"], [data-testid="media-panel"][data-status="error"]').first().waitFor({ timeout: 180_000 });
  const tRanked = await page.evaluate(() => performance.now());
  const panel = page.getByTestId('media-panel');
  const status = await panel.getAttribute('data-status');
  if (status !== 'ready') throw new Error(`Media tab: ${await page.getByTestId('media-error').textContent()}`);
  const stepMs = JSON.parse((await panel.getAttribute('data-step-ms')) || '{}');
  const top = await page.locator('[data-testid="medium-row"]').evaluateAll((rows) => rows.slice(0, 5).map((r) => `${r.getAttribute('data-medium-id')} ${r.querySelector('.linklike')?.textContent?.trim().replace(/^\S+\s+/, '')}`));
  const predicted = (await page.getByTestId('predicted-temperature').textContent())?.trim();

  // A counterfactual: 70 °C, until the ranking shown changes.
  const before = top.join('|');
  const tEdit0 = await page.evaluate(() => performance.now());
  await page.getByTestId('condition-temperature').fill('70');
  await page.getByTestId('condition-temperature').press('Enter');
  await page.locator('[data-testid="ranked-media"][data-temperature="70"]').waitFor({ timeout: 60_000 });
  const tEdit1 = await page.evaluate(() => performance.now());
  const hot = await page.locator('[data-testid="medium-row"]').evaluateAll((rows) => rows.slice(0, 5).map((r) => `${r.getAttribute('data-medium-id')} ${r.querySelector('.linklike')?.textContent?.trim().replace(/^\S+\s+/, '')}`));
  const changed = await page.locator('[data-testid="medium-row"]:not([data-change=""])').count();
  await context.close();
  return {
    dropToRankedMs: Math.round(tRanked - t0),
    profilingMs: Math.round(tProfiled - t0),
    clickToRankedMs: Math.round(tRanked - tProfiled),
    stepEndMs: stepMs,
    // Includes the 200 ms debounce of the inputs.
    editToRerankedMs: Math.round(tEdit1 - tEdit0),
    predictedTemperature: predicted,
    top5: top,
    top5At70C: hot,
    rankChangesAt70C: changed,
    top5ChangedAt70C: hot.join('|') !== before,
    errors,
  };
}

const result = { bench: 'media-browser', genome: GENOME.replace(`${resolve(ROOT, '..')}/`, '../'), runs: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    const r = await firstVisit();
    result.runs.push(r);
    log(`run ${i + 1}: drop → ranked media ${r.dropToRankedMs} ms (profiling ${r.profilingMs} ms, Media → ranked ${r.clickToRankedMs} ms; step ends (ms after Media) ${JSON.stringify(r.stepEndMs)}); 70 °C re-ranked in ${r.editToRerankedMs} ms`);
  }
  const best = result.runs.reduce((a, b) => (b.dropToRankedMs < a.dropToRankedMs ? b : a));
  result.best = { dropToRankedMs: best.dropToRankedMs, profilingMs: best.profilingMs, clickToRankedMs: best.clickToRankedMs, editToRerankedMs: Math.min(...result.runs.map((r) => r.editToRerankedMs)) };
  result.median = { dropToRankedMs: result.runs.map((r) => r.dropToRankedMs).sort((a, b) => a - b)[Math.floor(result.runs.length / 2)] };
  result.targets = { dropToRankedUnder5s: best.dropToRankedMs < TARGET_MS };
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
