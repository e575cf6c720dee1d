/**
 * Training the genome VAE on the Model tab, in the ML worker: a tiny model on the database's
 * genomes, live curves per epoch, pause/resume, a reload mid-run that continues from the last
 * checkpoint (epoch numbers go on, they do not restart), then the saved, active model with its
 * verification report. Cancelling discards the run.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { describeLongTasks, measureMainThread, screenshot, useBrowserAndServer } from './helpers';
import { rootWithModel, shownEpoch, showModel } from './vae-helpers';

const app = useBrowserAndServer({ root: rootWithModel });

const EPOCHS = 20;

async function fillTinyForm(page: Page, epochs: number): Promise<void> {
  await page.getByTestId('train-preset').selectOption('tiny');
  await page.getByTestId('train-epochs').fill(String(epochs));
}

async function waitForEpoch(page: Page, atLeast: number, timeoutMs = 120_000): Promise<number> {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="train-epoch"]')?.getAttribute('data-epoch')) >= n, atLeast, { timeout: timeoutMs, polling: 50 });
  return shownEpoch(page);
}

async function waitForStatus(page: Page, statuses: string[], timeoutMs = 180_000): Promise<string> {
  const h = await page.waitForFunction(
    (s) => {
      const v = document.querySelector('[data-testid="train-status"]')?.getAttribute('data-status') ?? '';
      return s.includes(v) ? v : false;
    },
    statuses,
    { timeout: timeoutMs, polling: 100 },
  );
  return (await h.jsonValue()) as string;
}

describe('training the genome model in the browser', () => {
  it('trains a tiny model with live curves, pauses, survives a reload by resuming from its checkpoint, and saves the model with its report', async () => {
    const t0 = Date.now();
    const { context, page, errors } = await app.open();
    await showModel(page);

    // The form validates inline.
    await page.getByTestId('train-epochs').fill('0');
    await page.getByTestId('train-form-error').waitFor();
    expect(await page.getByTestId('train-form-error').textContent()).toMatch(/epochs must be an integer/);
    expect(await page.getByTestId('train-start').isDisabled()).toBe(true);
    await fillTinyForm(page, EPOCHS);
    expect(await page.getByTestId('train-form-error').count()).toBe(0);

    // The page stays responsive: the worker trains, the page only draws small updates.
    const { longTasks, slowFrames } = await measureMainThread(app.browser, page, async () => {
      await page.getByTestId('train-start').click();
      await waitForEpoch(page, 3);
      // Curves draw per epoch (uPlot canvases with one point per epoch).
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-perk"]')?.getAttribute('data-points')) >= 3, null, { timeout: 30_000 });
    });
    console.log(`while training: ${describeLongTasks(longTasks)}`);
    if (longTasks.length) console.log(slowFrames.join('\n'));
    expect(longTasks.filter((t) => !(t.cpuMs! < 50))).toEqual([]);
    expect(await page.locator('[data-testid="train-charts"] canvas').count()).toBe(3);
    expect(await page.getByTestId('train-status').textContent()).toMatch(/Training on \w+: epoch \d+ of 20/);

    // Pause: the epoch stops advancing; the last checkpoint is in the database.
    await page.getByTestId('train-pause').click();
    await waitForStatus(page, ['paused']);
    const pausedAt = await shownEpoch(page);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="train-checkpoint"]')?.getAttribute('data-epoch')) >= n, pausedAt, { timeout: 60_000 });
    await page.waitForTimeout(800);
    expect(await shownEpoch(page)).toBe(pausedAt);
    console.log(await screenshot(page, 'vae-training'));
    console.log(`paused at epoch ${pausedAt} after ${Date.now() - t0} ms`);

    // Reload mid-run: training resumes by itself from the checkpoint of the paused epoch.
    await page.reload();
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    await showModel(page);
    const resumed = page.getByTestId('train-resumed');
    await resumed.waitFor({ timeout: 120_000 });
    const from = Number(await resumed.getAttribute('data-epoch'));
    expect(from).toBe(pausedAt);
    expect(await resumed.textContent()).toBe(`resumed from epoch ${pausedAt}`);
    // Epochs continue from there: never back to 1.
    const seen: number[] = [];
    while ((await page.getByTestId('train-status').getAttribute('data-status')) !== 'done' && seen.length < 2000) {
      seen.push(await shownEpoch(page));
      const status = await page.getByTestId('train-status').getAttribute('data-status');
      if (status === 'error' || status === 'stopped') throw new Error(`training ended: ${await page.getByTestId('train-status').textContent()}`);
      await page.waitForTimeout(50);
    }
    console.log(`after the reload the epoch went ${seen[0]} → ${seen[seen.length - 1]} (${new Set(seen).size} distinct values seen)`);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(pausedAt);
    expect(await waitForStatus(page, ['done'])).toBe('done');
    expect(await shownEpoch(page)).toBe(EPOCHS);
    expect(await page.getByTestId('train-status').textContent()).toMatch(/Done: genome-vae-[0-9a-f]{12} trained for 20 epochs, saved and made active \([\d,]+ genomes embedded\)/);
    expect(Number(await page.getByTestId('train-charts').getAttribute('data-epochs'))).toBe(EPOCHS);

    // The new model is active and carries its verification report.
    const report = page.getByTestId('vae-report');
    await report.waitFor({ timeout: 30_000 });
    const modelId = await report.getAttribute('data-model-id');
    expect((await page.getByTestId('train-status').textContent())!).toContain(modelId!);
    for (const id of ['report-perk', 'report-local-distance', 'report-neighbor-mse', 'report-cosine-histogram', 'report-retrieval-species', 'report-retrieval-genus', 'report-domain-purity']) {
      await report.getByTestId(id).waitFor({ timeout: 10_000 });
    }
    const perK = await report.locator('[data-testid="report-perk"] [data-value]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(perK).toHaveLength(6);
    for (const v of perK) expect(v).toBeGreaterThan(0);
    expect(await report.locator('[data-testid="report-cosine-histogram"] canvas').count()).toBe(1);
    expect(await report.textContent()).toMatch(/CLR units²/);
    console.log(await screenshot(page, 'vae-report'));

    // The reload happened while a checkpoint existed; now none is left over.
    await page.reload();
    await showModel(page);
    await page.getByTestId('vae-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('vae-report').getAttribute('data-model-id')).toBe(modelId);
    expect(await page.getByTestId('train-resume-stored').count()).toBe(0);
    expect(await page.getByTestId('train-status').getAttribute('data-status')).toBe('idle');
    console.log(`whole run ${Date.now() - t0} ms`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('cancel stops the run and leaves no checkpoint behind', async () => {
    const { context, page, errors } = await app.open();
    await showModel(page);
    await fillTinyForm(page, 400);
    await page.getByTestId('train-start').click();
    await waitForEpoch(page, 2);
    await page.getByTestId('train-cancel').click();
    expect(await waitForStatus(page, ['cancelled', 'error'])).toBe('cancelled');
    const at = await shownEpoch(page);
    expect(at).toBeLessThan(400);
    await page.reload();
    await showModel(page);
    await page.locator('[data-testid="vae-report"], [data-testid="vae-report-none"]').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(300);
    expect(await page.getByTestId('train-status').getAttribute('data-status')).toBe('idle');
    expect(await page.getByTestId('train-resume-stored').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
