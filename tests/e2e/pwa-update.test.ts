/**
 * "Update available" (issue 10 part 2): a second build of the app (another MEDIAFORGE_BUILD_ID,
 * so other hashed files and another dist/sw.js) is deployed at the same origin while a user has
 * the first one installed with their own data (a lab outcome, which also adds their genome to the
 * database). The new service worker installs in the background and waits; the page shows the
 * prompt; Reload hands over to the new version, and the user's data is still there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, REPO_ROOT } from '../helpers/data';
import { showDatabase } from './db-helpers';
import { DIST, launchBrowser, openApp, screenshot, startStaticServer, type StaticServer } from './helpers';
import { profileNeighboursAndMedia, waitForOfflineReady } from './pwa-helpers';

const NEW_BUILD = `e2e-update-${process.pid}`;
let newDist: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  // The "new version": the same sources built again under another build id, into a temp folder.
  newDist = mkdtempSync(join(tmpdir(), 'mf-dist-v2-'));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', newDist, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    env: { ...process.env, MEDIAFORGE_BUILD_ID: NEW_BUILD },
    encoding: 'utf8',
  });
  if (r.status !== 0 || !existsSync(join(newDist, 'sw.js'))) throw new Error(`building the second version failed (${r.status}): ${r.stderr.slice(-2000)}`);
  console.log(`second version built in ${Date.now() - t0} ms into ${newDist}`);
  server = await startStaticServer(DIST);
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (newDist) rmSync(newDist, { recursive: true, force: true });
});

describe('update available', () => {
  it('shows the prompt when a new version is deployed, and keeps the user\'s data after Reload', async () => {
    expect(readFileSync(join(newDist, 'sw.js'), 'utf8')).not.toBe(readFileSync(join(DIST, 'sw.js'), 'utf8'));
    const { context, page, errors } = await openApp(browser, server.url, { serviceWorkers: 'allow' });
    const oldBuild = await page.locator('html').getAttribute('data-build');
    expect(oldBuild).toBeTruthy();
    expect(oldBuild).not.toBe(NEW_BUILD);
    await waitForOfflineReady(page);
    expect(await page.getByTestId('update-available').count()).toBe(0);

    // The user's own data: a genome they profiled, with a lab outcome (the genome joins the database).
    const dir = mkdtempSync(join(tmpdir(), 'mf-update-'));
    const file = 'my-isolate.fa';
    const fasta = gunzipSync(readFileSync(fixture('mycoplasma-genitalium-g37.fa.gz'))).toString('utf8');
    const [header, ...lines] = fasta.trimEnd().split('\n');
    writeFileSync(join(dir, file), `${header}\n${lines.slice(0, 4000).join('\n')}\n`);
    const flow = await profileNeighboursAndMedia(page, join(dir, file), file);
    const medium = flow.rankedMedia[2];
    await page.locator(`[data-testid="medium-row"][data-medium-id="${medium}"] [data-testid="medium-record"]`).click();
    const form = page.getByTestId('lab-outcome-form');
    await form.getByTestId('outcome-grew').check();
    await form.getByTestId('outcome-note').fill('kept across the update');
    await form.getByTestId('outcome-save').click();
    await page.locator(`[data-testid="lab-outcomes"] [data-testid="lab-outcome"][data-medium-id="${medium}"]`).waitFor({ timeout: 60_000 });
    const genomeText = (await page.getByTestId('media-genome').locator('..').textContent()) ?? '';
    const genomeId = /in the database as genome #(\d+)/.exec(genomeText)?.[1];
    expect(genomeId, genomeText).toBeTruthy();
    await page.waitForTimeout(500); // let the save reach IndexedDB

    // Deploy the new version; the user comes back (a reload: still the old version, from its cache).
    server.setRoot(newDist);
    const servedBefore = server.requests.length;
    await page.reload();
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    expect(await page.locator('html').getAttribute('data-build')).toBe(oldBuild);
    const prompt = page.getByTestId('update-available');
    await prompt.waitFor({ timeout: 120_000 });
    expect(await prompt.textContent()).toMatch(/new version of MediaForge is available/);
    console.log(await screenshot(page, 'pwa-update-available'));
    // The new version fetched only what changed: the unchanged snapshot (same revision) and the
    // unchanged hashed files were taken over from the old version's cache.
    const fetchedForUpdate = server.requests.slice(servedBefore);
    console.log(`fetched for the update: ${fetchedForUpdate.join(', ')}`);
    expect(fetchedForUpdate).not.toContain('/mediaforge-snapshot.sqlite.gz');
    expect(fetchedForUpdate.filter((p) => p.endsWith('.wasm'))).toEqual([]);

    await prompt.getByTestId('update-reload').click();
    await page.locator(`html[data-build="${NEW_BUILD}"]`).waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    expect(await page.getByTestId('update-available').count()).toBe(0);
    const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '');
    expect(controller).toBe(new URL('sw.js', server.url).href);

    // The new version opened the stored database (migrated to its schema on open) with the user's data.
    await page.locator('header nav').getByRole('button', { name: 'Media' }).click();
    const outcome = page.locator(`[data-testid="lab-outcomes"] [data-testid="lab-outcome"][data-medium-id="${medium}"][data-genome-id="${genomeId}"]`);
    await outcome.waitFor({ timeout: 120_000 });
    expect(await outcome.textContent()).toMatch(/kept across the update/);
    await showDatabase(page);
    const info = (await page.getByTestId('database-page').textContent()) ?? '';
    expect(info).toMatch(/schema v\d+/);
    console.log(`after the update: build ${NEW_BUILD}; ${/schema v\d+/.exec(info)?.[0]}; outcome for genome #${genomeId} on medium ${medium} kept`);
    expect(errors).toEqual([]);
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
