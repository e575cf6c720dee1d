/**
 * Large inputs: two ~200 MB FASTA files with the pool sized to the machine (the page stays
 * responsive), cancelling one file (its worker stops cooperatively and is reused), and two
 * workers side by side with "Cancel all" for running and queued files. Inputs are generated into a temp folder (not committed).
 */
import { linkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/data';
import { cellValue, describeLongTasks, measureMainThread, row, screenshot, useBrowserAndServer, waitForRow } from './helpers';
import { makeTempDir, writeSyntheticFasta } from './synthetic';

const BIG_MB = 200;

/** The profiling workers of a page (the page also starts the database and ML workers for neighbours). */
const profileWorkers = (page: Page) => page.workers().filter((w) => w.url().includes('profile.worker'));

const app = useBrowserAndServer();
let dir: string;
let big: { path: string; lengthBp: number; bytes: number };
let big2Path: string;

beforeAll(async () => {
  dir = makeTempDir();
  big = writeSyntheticFasta(join(dir, 'big-1.fa'), BIG_MB);
  big2Path = join(dir, 'big-2.fa');
  linkSync(big.path, big2Path); // same bytes, another name, no extra disk
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `file`'s row is running and has read more than `fraction` of the file. */
async function waitForProgress(page: Page, file: string, fraction: number): Promise<void> {
  await page.waitForFunction(
    ([f, min]) => {
      const r = [...document.querySelectorAll<HTMLElement>('[data-testid="profile-row"]')].find((el) => el.dataset.file === f);
      const wrap = r?.querySelector<HTMLElement>('[data-fraction]');
      return r?.dataset.status === 'running' && Number(wrap?.dataset.fraction) > (min as number);
    },
    [file, fraction] as const,
    { polling: 50, timeout: 60_000 },
  );
}

async function poolStatus(page: Page): Promise<{ workers: number; busy: number; queued: number }> {
  const el = page.getByTestId('pool-status');
  const num = async (a: string) => Number(await el.getAttribute(a));
  return { workers: await num('data-workers'), busy: await num('data-busy'), queued: await num('data-queued') };
}

describe('large files: parallel workers and cancel', () => {
  it('profiles several large files with the pool sized to this machine while the page stays responsive', async () => {
    // The real core count (cores − 1 workers): on a 2-core machine the files run one after the
    // other in 1 worker, on a bigger one side by side. Faking more cores here would oversubscribe
    // the CPU and starve the page, which is exactly what the pool size prevents.
    const { context, page, errors } = await app.open();
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const started = Date.now();
    const { longTasks, slowFrames } = await measureMainThread(app.browser, page, async () => {
      await page.getByTestId('fasta-input').setInputFiles([big.path, big2Path, fixture('lambda.fa.gz')]);
      for (const f of ['big-1.fa', 'big-2.fa', 'lambda.fa.gz']) expect(await waitForRow(page, f, ['done', 'error', 'cancelled'], 180_000)).toBe('done');
    });
    const wallSec = (Date.now() - started) / 1000;
    for (const f of ['big-1.fa', 'big-2.fa']) {
      expect(await cellValue(page, f, 'cell-length')).toBe(big.lengthBp);
      expect(await cellValue(page, f, 'cell-records')).toBe(1);
      console.log(`[e2e] ${f} (${(big.bytes / 1e6).toFixed(0)} MB): ${(await cellValue(page, f, 'cell-throughput')).toFixed(1)} Mbp/s`);
    }
    expect(profileWorkers(page)).toHaveLength(Math.max(1, cores - 1));
    console.log(`[e2e] ${cores} cores, ${Math.max(1, cores - 1)} worker(s): 2 × ${BIG_MB} MB + lambda in ${wallSec.toFixed(1)} s; ${describeLongTasks(longTasks)}`);
    if (longTasks.length) console.log(slowFrames.join('\n'));
    expect(longTasks.filter((t) => !(t.cpuMs! < 50))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('cancels a running file; the worker stops by itself and profiles the next file', async () => {
    const { context, page, errors } = await app.open({ hardwareConcurrency: 2 }); // 1 worker
    await page.getByTestId('fasta-input').setInputFiles([big.path]);
    await waitForProgress(page, 'big-1.fa', 0.02);
    const [worker] = profileWorkers(page);
    expect(profileWorkers(page)).toHaveLength(1);
    // Click Cancel and time, in the page, until the row says cancelled.
    const cancelMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const rowEl = [...document.querySelectorAll<HTMLElement>('[data-testid="profile-row"]')].find((r) => r.dataset.file === 'big-1.fa')!;
          const t = performance.now();
          new MutationObserver((_, obs) => {
            if (rowEl.dataset.status === 'cancelled') {
              obs.disconnect();
              resolve(performance.now() - t);
            }
          }).observe(rowEl, { attributes: true });
          rowEl.querySelector<HTMLButtonElement>('[data-testid="cancel-job"]')!.click();
        }),
    );
    console.log(`[e2e] cancel: the row said "cancelled" ${cancelMs.toFixed(0)} ms after the click`);
    expect(cancelMs).toBeLessThan(1000); // well inside the pool's 2 s grace period: no terminate needed
    const status = (await row(page, 'big-1.fa').getByTestId('cell-status').textContent())!.replace(/\s+/g, ' ');
    expect(status).toMatch(new RegExp(`Cancelled after [\\d.]+ MB of ${(big.bytes / 1e6).toFixed(1)} MB`));
    const readMb = Number(/after ([\d.]+) MB/.exec(status)?.[1]);
    expect(readMb).toBeLessThan(big.bytes / 1e6 / 2);
    expect(await poolStatus(page)).toMatchObject({ workers: 1, busy: 0, queued: 0 });
    // Stopped cooperatively (well inside the 2 s grace period): the same worker is still there.
    expect(profileWorkers(page)).toEqual([worker]);
    expect(await worker.evaluate(() => 1 + 1)).toBe(2);

    await page.getByTestId('fasta-input').setInputFiles([fixture('lambda.fa.gz')]);
    expect(await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled'])).toBe('done');
    expect(await cellValue(page, 'lambda.fa.gz', 'cell-length')).toBe(48502);
    expect(profileWorkers(page)).toEqual([worker]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs two files at once in two workers; "Cancel all" stops running and queued files; a cancelled file runs again', async () => {
    // 3 cores → 2 workers, whatever this machine has (no long-task check here: on a 2-core
    // machine two busy workers leave the page no core of its own).
    const { context, page, errors } = await app.open({ hardwareConcurrency: 3 });
    await page.getByTestId('fasta-input').setInputFiles([big.path, big2Path, fixture('lambda.fa.gz')]);
    await waitForProgress(page, 'big-1.fa', 0.02);
    await waitForProgress(page, 'big-2.fa', 0.02);
    expect(await row(page, 'lambda.fa.gz').getAttribute('data-status')).toBe('queued');
    expect(await poolStatus(page)).toMatchObject({ workers: 2, busy: 2, queued: 1 }); // both at once
    expect(profileWorkers(page)).toHaveLength(2);
    await screenshot(page, 'in-progress'); // (not in the long-task test: a screenshot is itself a long task)

    await page.getByTestId('cancel-all').click();
    for (const f of ['big-1.fa', 'big-2.fa', 'lambda.fa.gz']) expect(await waitForRow(page, f, ['done', 'error', 'cancelled'], 10_000)).toBe('cancelled');
    expect(await poolStatus(page)).toMatchObject({ workers: 2, busy: 0, queued: 0 });
    expect(profileWorkers(page)).toHaveLength(2);
    expect(await page.getByTestId('cancel-all').count()).toBe(0);

    await row(page, 'lambda.fa.gz').getByRole('button', { name: 'Run again' }).click();
    expect(await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled'])).toBe('done');
    expect(profileWorkers(page)).toHaveLength(2);
    expect(errors).toEqual([]);
    await context.close();
  });
});
