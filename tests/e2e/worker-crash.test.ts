/**
 * Long work survives a worker that fails mid-job (issue 11, part 4, and its follow-up). Both kinds
 * of failure are real, inside the real worker in Chromium:
 * - a crash: an uncaught error thrown in the worker (as a lost GPU device or a failed allocation
 *   in a callback would be), which the page sees as the Worker's `error` event;
 * - a silent death: a worker that `close()`s itself or is stuck in `for (;;) {}` fires no event at
 *   all; the page notices the missing heartbeat (src/runs-on-page/worker-liveness.ts) and takes
 *   the same path.
 * Profiling: the file's row says the worker stopped, with "Try again" (the queued file runs on a
 * new worker), and trying again profiles the file with the right numbers. Training: the run is
 * reported as stopped; "Resume it" continues from the last checkpoint on a new worker and the run
 * finishes. (A reload during training resuming from the checkpoint is covered by
 * vae-training.test.ts and recipe-training.test.ts.)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_WORKER_SILENT_MS } from '../../src/runs-on-page/profile-pool';
import { ML_WORKER_SILENT_MS } from '../../src/runs-on-page/ml-client';
import { DB_WORKER_SILENT_MS } from '../../src/runs-on-page/db-client';
import { MAP_UMAP_SILENT_MS } from '../../src/runs-on-page/map-client';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { addGenome } from '../../src/db/genomes';
import { importMediadive, MEDIADIVE_FILES, type MediadiveTexts } from '../../src/db/import-mediadive';
import { loadSqlJs } from '../../src/db/node-files';
import { createDatabase, exportSnapshot } from '../../src/db/snapshot-file';
import { fixture, FIXTURES } from '../helpers/data';
import { chooseImportFile, genomeRows, randomFasta, section, showDatabase, viewportScreenshot, waitForSaved } from './db-helpers';
import { cellValue, failWorker, row, screenshot, useBrowserAndServer, waitForRow, type Failure } from './helpers';
import { makeTempDir, writeSyntheticFasta } from './synthetic';
import { rootWithModel, shownEpoch, showModel } from './vae-helpers';

const app = useBrowserAndServer({ root: rootWithModel });
let dir: string;
let big: { path: string; lengthBp: number; bytes: number };

beforeAll(async () => {
  dir = makeTempDir('mf-crash-');
  big = writeSyntheticFasta(join(dir, 'big.fa'), 120);
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Drops `files` on a page with one profiling worker and waits until big.fa is under way; the worker. */
async function profileUntilUnderWay(page: Page, files: string[]) {
  await page.getByTestId('fasta-input').setInputFiles(files);
  await page.waitForFunction(() => {
    const r = document.querySelector<HTMLElement>('[data-testid="profile-row"][data-file="big.fa"]');
    return r?.dataset.status === 'running' && Number(r.querySelector<HTMLElement>('[data-fraction]')?.dataset.fraction) > 0.02;
  }, undefined, { polling: 50, timeout: 60_000 });
  const before = page.workers().filter((w) => w.url().includes('profile.worker'));
  expect(before).toHaveLength(1);
  return before[0];
}

describe('profiling when its worker fails mid-file', () => {
  it('profiling: the row reports the crash, the queued file runs on a new worker, and "Try again" profiles the file', async () => {
    const { context, page, errors } = await app.open({ hardwareConcurrency: 2 }); // 1 worker
    const before = await profileUntilUnderWay(page, [big.path, fixture('lambda.fa.gz')]);
    await failWorker(page, 'profile.worker', 'throw');

    expect(await waitForRow(page, 'big.fa', ['done', 'error', 'cancelled'], 30_000)).toBe('error');
    const cell = row(page, 'big.fa').getByTestId('cell-error');
    expect(await cell.getAttribute('data-code')).toBe('INTERNAL');
    expect(await cell.locator('strong').getAttribute('title')).toBe('big.fa: the profiling worker stopped unexpectedly (Uncaught Error: simulated crash)');
    // The other file carries on, on a new worker (the crashed one is terminated).
    expect(await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled'])).toBe('done');
    // Playwright may list the terminated worker for a moment after it is gone.
    const after = () => page.workers().filter((w) => w.url().includes('profile.worker'));
    await expect.poll(() => after().length, { timeout: 10_000 }).toBe(1);
    expect(after()[0]).not.toBe(before);
    await screenshot(page, 'worker-crash-profile');

    await row(page, 'big.fa').getByTestId('retry-job').click();
    expect(await waitForRow(page, 'big.fa', ['done', 'error', 'cancelled'], 180_000)).toBe('done');
    expect(await cellValue(page, 'big.fa', 'cell-length')).toBe(big.lengthBp);
    expect(await cellValue(page, 'lambda.fa.gz', 'cell-length')).toBe(48502);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('profiling: a worker that close()s itself mid-file is reported on its row, and "Try again" profiles the file', async () => {
    const { context, page, errors } = await app.open({ hardwareConcurrency: 2 }); // 1 worker
    const before = await profileUntilUnderWay(page, [big.path]);
    const t0 = Date.now();
    await failWorker(page, 'profile.worker', 'close');

    expect(await waitForRow(page, 'big.fa', ['done', 'error', 'cancelled'], PROFILE_WORKER_SILENT_MS + 30_000)).toBe('error');
    const waited = Date.now() - t0;
    console.log(`[e2e] silent profiling worker reported after ${(waited / 1000).toFixed(1)} s (limit ${PROFILE_WORKER_SILENT_MS / 1000} s)`);
    expect(waited).toBeGreaterThanOrEqual(PROFILE_WORKER_SILENT_MS - 1000);
    const cell = row(page, 'big.fa').getByTestId('cell-error');
    expect(await cell.getAttribute('data-code')).toBe('INTERNAL');
    expect(await cell.locator('strong').getAttribute('title')).toMatch(/^big\.fa: the profiling worker stopped unexpectedly \(it stopped responding: no sign of life for \d+ s\)$/);
    await screenshot(page, 'worker-silent-profile');

    await row(page, 'big.fa').getByTestId('retry-job').click();
    expect(await waitForRow(page, 'big.fa', ['done', 'error', 'cancelled'], 180_000)).toBe('done');
    expect(await cellValue(page, 'big.fa', 'cell-length')).toBe(big.lengthBp);
    // Playwright may list the terminated worker for a moment after it is gone.
    const after = () => page.workers().filter((w) => w.url().includes('profile.worker'));
    await expect.poll(() => after().length, { timeout: 10_000 }).toBe(1);
    expect(after()[0]).not.toBe(before);
    expect(errors).toEqual([]);
    await context.close();
  });

});

const TRAINING_FAILURES: { what: string; how: Failure; withinMs: number; message: RegExp; shot: string }[] = [
  { what: 'a crash of the ML worker', how: 'throw', withinMs: 30_000, message: /Error: the ML worker stopped unexpectedly \(Uncaught Error: simulated crash\)/, shot: 'worker-crash-training' },
  { what: 'the ML worker stuck in an endless loop (no error event)', how: 'hang', withinMs: ML_WORKER_SILENT_MS + 30_000, message: /Error: the ML worker stopped unexpectedly \(it stopped responding: no sign of life for \d+ s\)/, shot: 'worker-silent-training' },
];

describe('training when the ML worker fails mid-run', () => {
  it.each(TRAINING_FAILURES)('$what stops the run with a message; "Resume it" continues from the last checkpoint on a new worker', async ({ how, withinMs, message, shot }) => {
    const EPOCHS = 12;
    const { context, page, errors } = await app.open();
    await showModel(page);
    await page.getByTestId('train-preset').selectOption('tiny');
    await page.getByTestId('train-epochs').fill(String(EPOCHS));
    await page.getByTestId('train-start').click();
    // Wait for a checkpoint in the database, then fail the worker mid-run.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-checkpoint"]')?.getAttribute('data-epoch')) >= 2, undefined, { timeout: 180_000, polling: 50 });
    const mlBefore = page.workers().find((w) => w.url().includes('ml.worker'));
    await failWorker(page, 'ml.worker', how);

    const status = page.getByTestId('train-status');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-status') === 'error', undefined, { timeout: withinMs });
    expect(await status.textContent()).toMatch(message);
    const stored = page.getByTestId('train-resume-stored');
    await stored.waitFor({ timeout: 30_000 });
    const checkpoint = Number(await page.getByTestId('train-checkpoint').getAttribute('data-epoch'));
    expect(checkpoint).toBeGreaterThanOrEqual(2);
    expect(checkpoint).toBeLessThan(EPOCHS);
    await screenshot(page, shot);

    await stored.click();
    const resumed = page.getByTestId('train-resumed');
    await resumed.waitFor({ timeout: 120_000 });
    const from = Number(await resumed.getAttribute('data-epoch'));
    expect(from).toBeGreaterThanOrEqual(checkpoint); // the newest checkpoint (one may have landed as the failure hit)
    await page.waitForFunction(
      () => ['done', 'error', 'stopped'].includes(document.querySelector('[data-testid="train-status"]')?.getAttribute('data-status') ?? ''),
      undefined,
      { timeout: 300_000, polling: 100 },
    );
    expect(await status.getAttribute('data-status')).toBe('done');
    expect(await shownEpoch(page)).toBe(EPOCHS);
    // The run finished on a new ML worker (Playwright may still list a terminated, hung one).
    expect(page.workers().some((w) => w.url().includes('ml.worker') && w !== mlBefore)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** A colleague's snapshot to merge: the MediaDive fixture subset plus one genome of theirs (a seeded random sequence). */
async function colleagueSnapshot(): Promise<Uint8Array> {
  const SQL = await loadSqlJs();
  const dir = join(FIXTURES, 'mediadive');
  const db = createDatabase(SQL);
  try {
    importMediadive(db, Object.fromEntries(MEDIADIVE_FILES.map((f) => [f, readFileSync(join(dir, `${f}.tsv`), 'utf8')])) as MediadiveTexts);
    const p = await profileSource(bytesSource('colleague-isolate.fa', new TextEncoder().encode(randomFasta('colleague isolate', 30_000, 7))));
    await addGenome(db, p, { species: null, organismType: 'bacteria', sourceFile: 'colleague-isolate.fa', origin: 'user' });
    return exportSnapshot(db, { gzip: true });
  } finally {
    db.close();
  }
}

/** The genomes users added (origin user), by name, as the Genomes section lists them. */
async function userGenomes(page: Page): Promise<string[]> {
  return (await genomeRows(page)).filter((g) => g.origin === 'user').map((g) => g.text).sort();
}

const DB_FAILURES: { what: string; how: Failure; withinMs: number; detail: string; shot: string }[] = [
  { what: 'a crash of the database worker', how: 'throw', withinMs: 30_000, detail: String.raw`Uncaught Error: simulated crash`, shot: 'worker-crash-db-merge' },
  { what: 'the database worker stuck mid-merge (no error event)', how: 'hang', withinMs: DB_WORKER_SILENT_MS + 30_000, detail: String.raw`it stopped responding: no sign of life for \d+ s`, shot: 'worker-silent-db-merge' },
];

describe('the database when its worker fails mid-merge', () => {
  it.each(DB_FAILURES)('$what fails the import with a message and "Try again"; the retry merges on a new worker and the saved genomes are all there', async ({ how, withinMs, detail, shot }) => {
    const colleague = await colleagueSnapshot();
    const mine = join(dir, 'my-isolate.fa');
    writeFileSync(mine, randomFasta('my isolate 7', 40_000, 2024));
    const { context, page, errors } = await app.open();
    // What the user has: their own genome, added to the database (saved in IndexedDB).
    await page.getByTestId('fasta-input').setInputFiles(mine);
    expect(await waitForRow(page, 'my-isolate.fa', ['done', 'error', 'cancelled'])).toBe('done');
    await showDatabase(page);
    await section(page, 'genomes');
    await page.getByTestId('add-profiled').click();
    await page.getByTestId('add-profiled-result').waitFor({ timeout: 60_000 });
    await waitForSaved(page, 'added 1 genome');
    expect(await userGenomes(page)).toEqual(['my-isolate.fa']);
    const genomesBefore = Number((await page.getByTestId('db-info').locator('strong').nth(2).textContent())!.replace(/\D/g, ''));

    // The colleague's file: checked (preview), then the worker fails while merging it.
    expect(await chooseImportFile(page, 'colleague.sqlite.gz', colleague)).toBe('preview');
    const dbBefore = page.workers().find((w) => w.url().includes('db.worker'));
    await failWorker(page, 'db.worker', how, 'applyImport');
    const t0 = Date.now();
    await page.getByTestId('import-confirm').click();
    const error = page.getByTestId('import-error');
    await error.waitFor({ timeout: withinMs });
    console.log(`[e2e] ${how}: database worker failure reported after ${((Date.now() - t0) / 1000).toFixed(1)} s (limit ${DB_WORKER_SILENT_MS / 1000} s)`);
    if (how === 'hang') expect(Date.now() - t0).toBeGreaterThanOrEqual(DB_WORKER_SILENT_MS - 1000);
    expect(await error.getAttribute('data-code')).toBe('INTERNAL');
    expect(await page.getByTestId('import-error-message').textContent()).toMatch(
      new RegExp(`^colleague\\.sqlite\\.gz: the database worker stopped unexpectedly while merging the imported file into the database \\(${detail}\\)$`),
    );
    expect((await error.textContent())!.replace(/\s+/g, ' ')).toContain('Try again: a new database worker reopens your database as it was last saved in this browser.');
    await viewportScreenshot(page, shot); // the Genomes section lists every genome: the top of the page is what matters

    // Try again: a new worker reopens the saved database and merges the same file.
    await page.getByTestId('import-retry').click();
    await page.getByTestId('import-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('import-result').getAttribute('data-mode')).toBe('merge');
    expect(page.workers().some((w) => w.url().includes('db.worker') && w !== dbBefore)).toBe(true);
    expect(await userGenomes(page)).toEqual(['colleague-isolate.fa', 'my-isolate.fa']);
    await waitForSaved(page, 'merged colleague.sqlite.gz');
    expect(Number((await page.getByTestId('db-info').locator('strong').nth(2).textContent())!.replace(/\D/g, ''))).toBe(genomesBefore + 1);

    // And it is what is saved: a reload opens both.
    await page.reload();
    await showDatabase(page);
    expect(await userGenomes(page)).toEqual(['colleague-isolate.fa', 'my-isolate.fa']);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the database when its worker crashes mid-export', () => {
  it('the export fails with a message and "Try again"; the retry downloads the snapshot from a new worker', async () => {
    const { context, page, errors } = await app.open();
    await showDatabase(page);
    await waitForSaved(page, 'bundled snapshot');
    const dbBefore = page.workers().find((w) => w.url().includes('db.worker'));
    await failWorker(page, 'db.worker', 'throw', 'exportFile');
    await page.getByTestId('db-export').click();
    const error = page.getByTestId('export-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.getAttribute('data-code')).toBe('INTERNAL');
    expect((await error.textContent())!.replace(/\s+/g, ' ').trim()).toBe(
      'Export failed: the database worker stopped unexpectedly while exporting the snapshot (Uncaught Error: simulated crash) (try again: a new database worker reopens your database as it was last saved in this browser) Try again',
    );
    await viewportScreenshot(page, 'worker-crash-db-export');

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('export-retry').click()]);
    const bytes = readFileSync(await dl.path());
    expect(dl.suggestedFilename()).toMatch(/^mediaforge-\d{4}-\d{2}-\d{2}\.sqlite\.gz$/);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(await page.getByTestId('export-done').getAttribute('data-kind')).toBe('snapshot');
    expect(await page.getByTestId('export-error').count()).toBe(0);
    expect(page.workers().some((w) => w.url().includes('db.worker') && w !== dbBefore)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});

const MAP_FAILURES: { what: string; how: Failure; withinMs: number; detail: string; shot: string }[] = [
  { what: 'a crash of the map worker', how: 'throw', withinMs: 30_000, detail: String.raw`Uncaught Error: simulated crash`, shot: 'worker-crash-map-umap' },
  // UMAP has its own, longer limit (its fit blocks the worker for seconds): the hang is noticed after it.
  { what: 'the map worker stuck mid-UMAP (no error event)', how: 'hang', withinMs: MAP_UMAP_SILENT_MS + 30_000, detail: String.raw`it stopped responding: no sign of life for \d+ s`, shot: 'worker-silent-map-umap' },
];

describe('the map when its worker fails mid-projection', () => {
  it.each(MAP_FAILURES)('$what fails the UMAP with a message and "Try again"; the PCA map stays, and the retry computes UMAP on a new worker', async ({ how, withinMs, detail, shot }) => {
    const { context, page, errors } = await app.open();
    await page.locator('header nav').getByRole('button', { name: 'Map' }).click();
    await page.locator('[data-testid="latent-map"][data-status="drawn"]').waitFor({ timeout: 120_000 });
    const points = await page.getByTestId('latent-map').getAttribute('data-points');
    await page.getByTestId('map-method').selectOption('umap');
    await page.getByTestId('map-progress').waitFor({ timeout: 30_000 });
    const mapBefore = page.workers().find((w) => w.url().includes('map.worker'));
    const t0 = Date.now();
    await failWorker(page, 'map.worker', how);

    const error = page.getByTestId('map-error');
    await error.waitFor({ timeout: withinMs });
    console.log(`[e2e] ${how}: map worker failure reported after ${((Date.now() - t0) / 1000).toFixed(1)} s (UMAP limit ${MAP_UMAP_SILENT_MS / 1000} s)`);
    if (how === 'hang') expect(Date.now() - t0).toBeGreaterThanOrEqual(MAP_UMAP_SILENT_MS - 1000);
    expect(await error.getAttribute('data-code')).toBe('INTERNAL');
    expect(await error.textContent()).toMatch(new RegExp(`^the map worker stopped unexpectedly while computing the UMAP projection \\(${detail}\\) — try again: a new map worker starts$`));
    // The PCA map is still there.
    expect(await page.getByTestId('map-projection-info').getAttribute('data-method')).toBe('pca');
    expect(await page.getByTestId('latent-map').getAttribute('data-points')).toBe(points);
    await screenshot(page, shot);

    await page.getByTestId('map-retry').click();
    await page.locator('[data-testid="map-projection-info"][data-method="umap"]').waitFor({ timeout: 300_000 });
    expect(await page.getByTestId('map-projection-info').getAttribute('data-source')).toBe('computed');
    expect(await page.getByTestId('latent-map').getAttribute('data-points')).toBe(points);
    expect(await page.getByTestId('map-error').count()).toBe(0);
    expect(page.workers().some((w) => w.url().includes('map.worker') && w !== mapBefore)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
