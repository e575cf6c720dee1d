/**
 * Long work survives a worker crash (issue 11, part 4). The crash is real: an uncaught error
 * thrown inside the worker itself (as a lost GPU device or a failed allocation in a callback would
 * be), which the page sees as the Worker's `error` event. Before, a crashed ML worker left the
 * training run "Training…" for ever, since its pending Comlink call never settled.
 * - A profiling worker: that file's row says the worker stopped, with a "Try again" button; the
 *   queued file runs on a new worker, and trying again profiles the file with the right numbers.
 * - The ML worker during training: the run is reported as stopped by the crash; "Resume it"
 *   continues from the last checkpoint on a new worker and the run finishes.
 * (A reload during training resuming from the checkpoint is covered by vae-training.test.ts and
 * recipe-training.test.ts.)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/data';
import { cellValue, launchBrowser, openApp, row, screenshot, startStaticServer, waitForRow, type StaticServer } from './helpers';
import { makeTempDir, writeSyntheticFasta } from './synthetic';
import { appRootWithModel, shownEpoch, showModel } from './vae-helpers';

let server: StaticServer;
let browser: Browser;
let dir: string;
let big: { path: string; lengthBp: number; bytes: number };

beforeAll(async () => {
  dir = makeTempDir('mf-crash-');
  big = writeSyntheticFasta(join(dir, 'big.fa'), 120);
  const { root } = await appRootWithModel();
  server = await startStaticServer(root);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Throws an uncaught error inside the first worker whose URL contains `name`. */
async function crashWorker(page: Page, name: string): Promise<void> {
  const worker = page.workers().find((w) => w.url().includes(name));
  if (!worker) throw new Error(`no ${name} worker: ${page.workers().map((w) => w.url()).join(', ')}`);
  await worker.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash');
    }, 0);
  });
}

describe('a worker that crashes mid-job', () => {
  it('profiling: the row reports the crash, the queued file runs on a new worker, and "Try again" profiles the file', async () => {
    const { context, page, errors } = await openApp(browser, server.url, { hardwareConcurrency: 2 }); // 1 worker
    await page.getByTestId('fasta-input').setInputFiles([big.path, fixture('lambda.fa.gz')]);
    await page.waitForFunction(() => {
      const r = document.querySelector<HTMLElement>('[data-testid="profile-row"][data-file="big.fa"]');
      return r?.dataset.status === 'running' && Number(r.querySelector<HTMLElement>('[data-fraction]')?.dataset.fraction) > 0.02;
    }, undefined, { polling: 50, timeout: 60_000 });
    const before = page.workers().filter((w) => w.url().includes('profile.worker'));
    expect(before).toHaveLength(1);
    await crashWorker(page, 'profile.worker');

    expect(await waitForRow(page, 'big.fa', ['done', 'error', 'cancelled'], 30_000)).toBe('error');
    const cell = row(page, 'big.fa').getByTestId('cell-error');
    expect(await cell.getAttribute('data-code')).toBe('INTERNAL');
    expect(await cell.locator('strong').getAttribute('title')).toBe('big.fa: the profiling worker stopped unexpectedly (Uncaught Error: simulated crash)');
    // The other file carries on, on a new worker (the crashed one is terminated).
    expect(await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled'])).toBe('done');
    const after = page.workers().filter((w) => w.url().includes('profile.worker'));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    await screenshot(page, 'worker-crash-profile');

    await row(page, 'big.fa').getByTestId('retry-job').click();
    expect(await waitForRow(page, 'big.fa', ['done', 'error', 'cancelled'], 180_000)).toBe('done');
    expect(await cellValue(page, 'big.fa', 'cell-length')).toBe(big.lengthBp);
    expect(await cellValue(page, 'lambda.fa.gz', 'cell-length')).toBe(48502);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('training: a crash of the ML worker stops the run with a message; "Resume it" continues from the last checkpoint on a new worker', async () => {
    const EPOCHS = 12;
    const { context, page, errors } = await openApp(browser, server.url);
    await showModel(page);
    await page.getByTestId('train-preset').selectOption('tiny');
    await page.getByTestId('train-epochs').fill(String(EPOCHS));
    await page.getByTestId('train-start').click();
    // Wait for a checkpoint in the database, then crash the worker mid-run.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-checkpoint"]')?.getAttribute('data-epoch')) >= 2, undefined, { timeout: 180_000, polling: 50 });
    const mlBefore = page.workers().find((w) => w.url().includes('ml.worker'));
    await crashWorker(page, 'ml.worker');

    const status = page.getByTestId('train-status');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-status') === 'error', undefined, { timeout: 30_000 });
    expect(await status.textContent()).toContain('Error: the ML worker stopped unexpectedly (Uncaught Error: simulated crash)');
    const stored = page.getByTestId('train-resume-stored');
    await stored.waitFor({ timeout: 30_000 });
    const checkpoint = Number(await page.getByTestId('train-checkpoint').getAttribute('data-epoch'));
    expect(checkpoint).toBeGreaterThanOrEqual(2);
    expect(checkpoint).toBeLessThan(EPOCHS);
    await screenshot(page, 'worker-crash-training');

    await stored.click();
    const resumed = page.getByTestId('train-resumed');
    await resumed.waitFor({ timeout: 120_000 });
    const from = Number(await resumed.getAttribute('data-epoch'));
    expect(from).toBeGreaterThanOrEqual(checkpoint); // the newest checkpoint (one may have landed as the crash hit)
    await page.waitForFunction(
      () => ['done', 'error', 'stopped'].includes(document.querySelector('[data-testid="train-status"]')?.getAttribute('data-status') ?? ''),
      undefined,
      { timeout: 300_000, polling: 100 },
    );
    expect(await status.getAttribute('data-status')).toBe('done');
    expect(await shownEpoch(page)).toBe(EPOCHS);
    const mlAfter = page.workers().find((w) => w.url().includes('ml.worker'));
    expect(mlAfter).toBeDefined();
    expect(mlAfter).not.toBe(mlBefore);
    expect(errors).toEqual([]);
    await context.close();
  });
});
