/**
 * A worker that stops without an error event (issue 11 follow-up). Before, only an `error` event
 * was noticed: a worker the browser killed (for memory), one that `close()`d itself, or one stuck
 * in an endless loop left its caller waiting for ever ("Profiling…" / "Training…"). Now the
 * workers post a heartbeat and the page treats one silent mid-call as dead
 * (src/runs-on-page/worker-liveness.ts), through the same path as a crash:
 * - a profiling worker that calls `self.close()` mid-file: the row says the worker stopped and
 *   offers "Try again", which profiles the file with the right numbers;
 * - the ML worker stuck in `for (;;) {}` mid-training: the run stops with "the ML worker stopped
 *   unexpectedly"; "Resume it" continues from the last checkpoint on a new worker and finishes.
 * Both deaths are real (in the real worker, in Chromium); no error event is ever fired.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_WORKER_SILENT_MS } from '../../src/runs-on-page/profile-pool';
import { ML_WORKER_SILENT_MS } from '../../src/runs-on-page/ml-client';
import { cellValue, launchBrowser, openApp, row, screenshot, startStaticServer, waitForRow, type StaticServer } from './helpers';
import { makeTempDir, writeSyntheticFasta } from './synthetic';
import { appRootWithModel, shownEpoch, showModel } from './vae-helpers';

let server: StaticServer;
let browser: Browser;
let dir: string;
let big: { path: string; lengthBp: number; bytes: number };

beforeAll(async () => {
  dir = makeTempDir('mf-silent-');
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

/** Runs `how` inside the first worker whose URL contains `name`, on its next task (so evaluate returns first). */
async function stopWorkerSilently(page: Page, name: string, how: 'close' | 'hang'): Promise<void> {
  const worker = page.workers().find((w) => w.url().includes(name));
  if (!worker) throw new Error(`no ${name} worker: ${page.workers().map((w) => w.url()).join(', ')}`);
  await worker.evaluate((h) => {
    setTimeout(() => {
      if (h === 'close') self.close();
      else for (;;) {
        /* stuck: no heartbeat, no reply, no error */
      }
    }, 0);
  }, how);
}

describe('a worker that stops without an error event', () => {
  it('profiling: a worker that close()s itself mid-file is reported on its row, and "Try again" profiles the file', async () => {
    const { context, page, errors } = await openApp(browser, server.url, { hardwareConcurrency: 2 }); // 1 worker
    await page.getByTestId('fasta-input').setInputFiles([big.path]);
    await page.waitForFunction(() => {
      const r = document.querySelector<HTMLElement>('[data-testid="profile-row"][data-file="big.fa"]');
      return r?.dataset.status === 'running' && Number(r.querySelector<HTMLElement>('[data-fraction]')?.dataset.fraction) > 0.02;
    }, undefined, { polling: 50, timeout: 60_000 });
    const before = page.workers().filter((w) => w.url().includes('profile.worker'));
    expect(before).toHaveLength(1);
    const t0 = Date.now();
    await stopWorkerSilently(page, 'profile.worker', 'close');

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
    const after = page.workers().filter((w) => w.url().includes('profile.worker'));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('training: the ML worker stuck in an endless loop stops the run with a message; "Resume it" continues from the last checkpoint', async () => {
    const EPOCHS = 12;
    const { context, page, errors } = await openApp(browser, server.url);
    await showModel(page);
    await page.getByTestId('train-preset').selectOption('tiny');
    await page.getByTestId('train-epochs').fill(String(EPOCHS));
    await page.getByTestId('train-start').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-checkpoint"]')?.getAttribute('data-epoch')) >= 2, undefined, { timeout: 180_000, polling: 50 });
    const mlBefore = page.workers().find((w) => w.url().includes('ml.worker'));
    await stopWorkerSilently(page, 'ml.worker', 'hang');

    const status = page.getByTestId('train-status');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-status"]')?.getAttribute('data-status') === 'error', undefined, { timeout: ML_WORKER_SILENT_MS + 30_000 });
    expect(await status.textContent()).toMatch(/Error: the ML worker stopped unexpectedly \(it stopped responding: no sign of life for \d+ s\)/);
    const stored = page.getByTestId('train-resume-stored');
    await stored.waitFor({ timeout: 30_000 });
    const checkpoint = Number(await page.getByTestId('train-checkpoint').getAttribute('data-epoch'));
    expect(checkpoint).toBeGreaterThanOrEqual(2);
    expect(checkpoint).toBeLessThan(EPOCHS);
    await screenshot(page, 'worker-silent-training');

    await stored.click();
    const resumed = page.getByTestId('train-resumed');
    await resumed.waitFor({ timeout: 120_000 });
    expect(Number(await resumed.getAttribute('data-epoch'))).toBeGreaterThanOrEqual(checkpoint);
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
