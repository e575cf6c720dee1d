/**
 * Training the recipe CVAE on the Model tab, in the ML worker (the genome VAE's backend and run
 * state): the `tiny` preset with one epoch per curriculum phase, live phase progress, curves and
 * per-phase metrics; a reload mid-run continues from the checkpoint stored in the database (epochs
 * go on from there); the finished model is stored, activated and shown with its metrics, and the
 * Media tab's generated recipes name its id (also when the Media tab was open before it finished).
 * Pause holds the run, and cancel stops it and leaves no checkpoint behind.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers/data';
import { describeLongTasks, measureMainThread, screenshot, useBrowserAndServer, waitForRow } from './helpers';
import { rootWithModel, showModel } from './vae-helpers';

const app = useBrowserAndServer({ root: rootWithModel });

/** An isolate the database does not hold: the first ~420 kbp of M. genitalium G37. */
const GENOME = 'isolate-r.fa';
const dir = mkdtempSync(join(tmpdir(), 'mf-recipe-'));
const [mgHeader, ...mgLines] = gunzipSync(readFileSync(fixture('mycoplasma-genitalium-g37.fa.gz'))).toString('utf8').trimEnd().split('\n');
writeFileSync(join(dir, GENOME), `${mgHeader}\n${mgLines.slice(0, 6000).join('\n')}\n`);

const attr = (page: Page, testid: string, name: string) => page.getByTestId(testid).first().getAttribute(name);
const shownEpoch = async (page: Page) => Number(await attr(page, 'recipe-epoch', 'data-epoch'));

async function waitForAttr(page: Page, testid: string, name: string, atLeast: number, timeoutMs = 120_000): Promise<number> {
  const h = await page.waitForFunction(
    ([t, n, min]) => {
      const v = Number(document.querySelector(`[data-testid="${t}"]`)?.getAttribute(n as string));
      return v >= (min as number) ? v : false;
    },
    [testid, name, atLeast] as const,
    { timeout: timeoutMs, polling: 50 },
  );
  return (await h.jsonValue()) as number;
}

async function waitForStatus(page: Page, statuses: string[], timeoutMs = 180_000): Promise<string> {
  const h = await page.waitForFunction(
    (s) => {
      const v = document.querySelector('[data-testid="recipe-train-status"]')?.getAttribute('data-status') ?? '';
      if (v === 'error' && !s.includes('error')) return `error: ${document.querySelector('[data-testid="recipe-train-status"]')?.textContent}`;
      return s.includes(v) ? v : false;
    },
    statuses,
    { timeout: timeoutMs, polling: 100 },
  );
  return (await h.jsonValue()) as string;
}

async function fillTiny(page: Page, epochs: string, seed = 7): Promise<void> {
  await page.getByTestId('recipe-preset').selectOption('tiny');
  await page.getByTestId('recipe-epochs').fill(epochs);
  await page.getByTestId('recipe-seed').fill(String(seed));
}

async function showSection(page: Page): Promise<void> {
  await showModel(page);
  await page.getByTestId('recipe-section').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="recipe-model"], [data-testid="recipe-model-none"]').first().waitFor({ timeout: 60_000 });
}

/** The model id the Media tab's generated recipes name (their header), once generated. */
async function mediaRecipeModel(page: Page, notId?: string): Promise<string> {
  const h = await page.waitForFunction(
    (not) => {
      const el = document.querySelector('[data-testid="generated-recipes"]');
      if (!el || el.getAttribute('data-status') !== 'ready' || !document.querySelector('[data-testid="generated-recipe"]')) return false;
      const id = /recipe-cvae-[0-9a-f]{12}/.exec(el.textContent ?? '')?.[0] ?? '';
      return id && id !== not ? id : false;
    },
    notId ?? '',
    { timeout: 90_000, polling: 100 },
  );
  return (await h.jsonValue()) as string;
}

describe('training the recipe model in the browser', () => {
  it('trains the tiny preset through the curriculum, resumes from its checkpoint after a reload, and the Media tab generates with the new model', async () => {
    const t0 = Date.now();
    const { context, page, errors } = await app.open();
    await showSection(page);
    // The bundled recipe model is shown with its phase metrics and held-out evaluation.
    const bundled = await attr(page, 'recipe-model', 'data-model-id');
    expect(bundled).toMatch(/^recipe-cvae-[0-9a-f]{12}$/);
    expect(Number(await attr(page, 'recipe-model-phases', 'data-phases'))).toBe(4);
    expect(await page.locator('[data-testid="recipe-model-phases"] [data-testid="recipe-phase-row"]').count()).toBe(16);
    const ev = page.getByTestId('recipe-evaluation');
    await ev.waitFor();
    expect(Number(await ev.getAttribute('data-valid'))).toBeGreaterThan(0.5);
    expect(await ev.textContent()).toMatch(/popular medium/);

    // The form validates inline.
    await page.getByTestId('recipe-epochs').fill('1, 1');
    expect(await page.getByTestId('recipe-form-error').textContent()).toMatch(/4 whole numbers/);
    expect(await page.getByTestId('recipe-train-start').isDisabled()).toBe(true);
    await fillTiny(page, '1, 1, 1, 1');
    expect(await page.getByTestId('recipe-form-error').count()).toBe(0);
    expect(await page.getByTestId('recipe-form-summary').textContent()).toMatch(/4 epochs in all/);

    // The page stays responsive: the input is built in the db worker, training runs in the ML worker.
    let backend: string | null = null;
    const { longTasks, slowFrames } = await measureMainThread(app.browser, page, async () => {
      await page.getByTestId('recipe-train-start').click();
      // Phase 1 (bacteria) trains, with the backend the ML worker chose.
      await page.waitForFunction(() => document.querySelector('[data-testid="recipe-train-status"]')?.getAttribute('data-status') === 'training', null, { timeout: 60_000 });
      backend = await page.locator('[data-testid="ml-backend"]').getAttribute('data-backend');
      await page.waitForFunction(() => /Training on \w+: phase 1 of 4 \(bacteria\), epoch 1 of 4/.test(document.querySelector('[data-testid="recipe-train-status"]')?.textContent ?? ''), null, { timeout: 60_000 });
      expect(await page.getByTestId('recipe-train-status').textContent()).toContain(`Training on ${backend}`);
      console.log(`training started ${Date.now() - t0} ms in, on ${backend}`);
      // After epoch 1 the bacteria phase is done: its metrics are shown, a checkpoint is stored, phase 2 runs.
      await waitForAttr(page, 'recipe-checkpoint', 'data-epoch', 1);
      await page.waitForFunction(() => /phase 2 of 4 \(\+ archaea\), epoch 2 of 4/.test(document.querySelector('[data-testid="recipe-train-status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    });
    console.log(`while training: ${describeLongTasks(longTasks)}`);
    if (longTasks.length) console.log(slowFrames.join('\n'));
    expect(longTasks.filter((t) => !(t.cpuMs! < 50))).toEqual([]);
    expect(await page.locator('[data-testid="recipe-phase-step"]').nth(1).getAttribute('data-state')).toBe('current');
    await page.locator('[data-testid="recipe-phase-metrics"] [data-testid="recipe-phase-row"][data-phase="0"]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="recipe-phase-step"]').first().getAttribute('data-state')).toBe('done');
    await page.locator('[data-testid="chart-recipe-terms"] canvas').waitFor({ timeout: 30_000 });
    expect(Number(await attr(page, 'chart-recipe-loss', 'data-points'))).toBeGreaterThanOrEqual(1);
    await page.getByTestId('recipe-phase').scrollIntoViewIfNeeded();
    console.log(await screenshot(page, 'recipe-training'));
    const cp = Number(await attr(page, 'recipe-checkpoint', 'data-epoch'));
    console.log(`checkpoint at epoch ${cp} after ${Date.now() - t0} ms`);
    expect(cp).toBeLessThan(4);

    // Reload mid-run: the run resumes by itself from the last checkpoint.
    await page.reload();
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    // Meanwhile the Media tab opens for a genome, with the model active so far.
    await page.getByTestId('fasta-input').setInputFiles(join(dir, GENOME));
    expect(await waitForRow(page, GENOME, ['done', 'error', 'cancelled'])).toBe('done');
    await page.locator(`[data-testid="profile-row"][data-file="${GENOME}"] [data-testid="open-media"]`).click();
    await page.getByTestId('media-panel').waitFor();
    const before = await mediaRecipeModel(page);
    console.log(`Media tab generated with ${before} ${Date.now() - t0} ms in`);

    await showSection(page);
    const resumed = page.getByTestId('recipe-resumed');
    await resumed.waitFor({ timeout: 60_000 });
    const from = Number(await resumed.getAttribute('data-epoch'));
    expect(from).toBeGreaterThanOrEqual(cp);
    expect(from).toBeLessThan(4);
    const seen: number[] = [];
    while ((await attr(page, 'recipe-train-status', 'data-status')) !== 'done' && seen.length < 3000) {
      seen.push(await shownEpoch(page));
      const s = await attr(page, 'recipe-train-status', 'data-status');
      if (s === 'error' || s === 'stopped' || s === 'cancelled') throw new Error(`training ended: ${await page.getByTestId('recipe-train-status').textContent()}`);
      await page.waitForTimeout(50);
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(from);
    expect(await waitForStatus(page, ['done'])).toBe('done');
    expect(await shownEpoch(page)).toBe(4);
    console.log(`done ${Date.now() - t0} ms in (resumed from epoch ${from}; epochs seen after the reload ${seen[0]} → ${seen[seen.length - 1]})`);

    // The new model is active, with its four phases and the held-out evaluation.
    await page.waitForFunction((old) => {
      const id = document.querySelector('[data-testid="recipe-model"]')?.getAttribute('data-model-id');
      return id && id !== old;
    }, bundled, { timeout: 30_000 });
    const trained = (await attr(page, 'recipe-model', 'data-model-id'))!;
    expect(trained).toMatch(/^recipe-cvae-[0-9a-f]{12}$/);
    expect(await page.getByTestId('recipe-train-status').textContent()).toContain(`Done: ${trained} trained for 4 epochs`);
    expect(Number(await attr(page, 'recipe-model-phases', 'data-phases'))).toBe(4);
    await page.getByTestId('recipe-evaluation').waitFor();
    expect(Number(await attr(page, 'recipe-charts', 'data-epochs'))).toBe(4);
    await page.getByTestId('recipe-model').scrollIntoViewIfNeeded();
    console.log(await screenshot(page, 'recipe-training-done'));

    // The Media tab (open before the model finished) now generates with it.
    await page.locator('header nav').getByRole('button', { name: 'Media' }).click();
    expect(await mediaRecipeModel(page, before === trained ? undefined : before)).toBe(trained);

    // After a reload: no run left over, the trained model stays active.
    await page.reload();
    await showSection(page);
    expect(await attr(page, 'recipe-model', 'data-model-id')).toBe(trained);
    await page.waitForTimeout(300);
    expect(await attr(page, 'recipe-train-status', 'data-status')).toBe('idle');
    expect(await page.getByTestId('recipe-resume-stored').count()).toBe(0);
    console.log(`whole run ${Date.now() - t0} ms`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('pause holds the run; cancel stops it and leaves no checkpoint behind', async () => {
    const t0 = Date.now();
    const { context, page, errors } = await app.open();
    await showSection(page);
    const bundled = await attr(page, 'recipe-model', 'data-model-id');
    await fillTiny(page, '3, 3, 3, 3');
    await page.getByTestId('recipe-train-start').click();
    await waitForStatus(page, ['training']);
    await waitForAttr(page, 'recipe-epoch', 'data-epoch', 1);
    await page.getByTestId('recipe-pause').click();
    await waitForStatus(page, ['paused']);
    const pausedAt = await shownEpoch(page);
    await page.waitForTimeout(700);
    expect(await shownEpoch(page)).toBe(pausedAt);
    await page.getByTestId('recipe-resume').click();
    await waitForStatus(page, ['training']);
    await page.getByTestId('recipe-cancel').click();
    expect(await waitForStatus(page, ['cancelled'])).toBe('cancelled');
    expect(await shownEpoch(page)).toBeLessThan(12);
    expect(await attr(page, 'recipe-model', 'data-model-id')).toBe(bundled);
    await page.reload();
    await showSection(page);
    await page.waitForTimeout(300);
    expect(await attr(page, 'recipe-train-status', 'data-status')).toBe('idle');
    expect(await page.getByTestId('recipe-resume-stored').count()).toBe(0);
    expect(await attr(page, 'recipe-model', 'data-model-id')).toBe(bundled);
    console.log(`pause/cancel test ${Date.now() - t0} ms`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
