/**
 * "Update available" (issue 10 part 2): a second build of the app (another MEDIAFORGE_BUILD_ID,
 * so other hashed files and another dist/sw.js) is deployed at the same origin while a user has
 * the first one installed with their own data (a lab outcome, which also adds their genome to the
 * database). The new service worker installs in the background and waits; the page shows the
 * prompt; Reload hands over to the new version, and the user's data is still there.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, REPO_ROOT } from '../helpers/data';
import { showDatabase } from './db-helpers';
import { DIST, screenshot, useBrowserAndServer } from './helpers';
import { offlineSnapshotCopies, profileNeighboursAndMedia, waitForOfflineReady } from './pwa-helpers';

const NEW_BUILD = `e2e-update-${process.pid}`;
const SNAPSHOT = 'mediaforge-snapshot.sqlite.gz';
let newDist: string;
/** A third version whose bundled snapshot changed (the same database, gzipped again at another level: other bytes). */
let changedDist: string;
let changedPublic: string;
const app = useBrowserAndServer();

/**
 * The environment of a build under `buildId`. NODE_ENV is production: Vitest sets it to `test`,
 * and a build under that has import.meta.env.PROD false (the new version would never register its
 * service worker, nor say it works offline).
 */
function buildEnv(buildId: string): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'production', MEDIAFORGE_BUILD_ID: buildId };
}

/** Builds the app with `publicDir` instead of public/ (Vite's API: the CLI has no option for it), under build id `buildId`. */
function buildWithPublicDir(outDir: string, publicDir: string, buildId: string): void {
  const script = `import { build } from 'vite'; await build({ logLevel: 'warn', publicDir: ${JSON.stringify(publicDir)}, build: { outDir: ${JSON.stringify(outDir)}, emptyOutDir: true } });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, env: buildEnv(buildId), encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(join(outDir, 'sw.js'))) throw new Error(`building the version with a changed snapshot failed (${r.status}): ${r.stderr.slice(-2000)}`);
}

beforeAll(async () => {
  // The "new version": the same sources built again under another build id, into a temp folder.
  newDist = mkdtempSync(join(tmpdir(), 'mf-dist-v2-'));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', newDist, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    env: buildEnv(NEW_BUILD),
    encoding: 'utf8',
  });
  if (r.status !== 0 || !existsSync(join(newDist, 'sw.js'))) throw new Error(`building the second version failed (${r.status}): ${r.stderr.slice(-2000)}`);
  console.log(`second version built in ${Date.now() - t0} ms into ${newDist}`);
  changedPublic = mkdtempSync(join(tmpdir(), 'mf-public-v3-'));
  for (const f of readdirSync(join(REPO_ROOT, 'public'))) if (f !== SNAPSHOT) copyFileSync(join(REPO_ROOT, 'public', f), join(changedPublic, f));
  writeFileSync(join(changedPublic, SNAPSHOT), gzipSync(gunzipSync(readFileSync(join(REPO_ROOT, 'public', SNAPSHOT))), { level: 1 }));
  changedDist = mkdtempSync(join(tmpdir(), 'mf-dist-v3-'));
  const t1 = Date.now();
  buildWithPublicDir(changedDist, changedPublic, `${NEW_BUILD}-snapshot`);
  console.log(`third version (changed snapshot) built in ${Date.now() - t1} ms into ${changedDist}`);
}, 300_000);

afterAll(async () => {
  for (const dir of [newDist, changedDist, changedPublic]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const snapshotFetches = (paths: string[]) => paths.filter((p) => p === `/${SNAPSHOT}`).length;

describe('update available', () => {
  it('shows the prompt when a new version is deployed, and keeps the user\'s data after Reload', async () => {
    expect(readFileSync(join(newDist, 'sw.js'), 'utf8')).not.toBe(readFileSync(join(DIST, 'sw.js'), 'utf8'));
    const { context, page, errors } = await app.open({ serviceWorkers: 'allow' });
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
    app.server.setRoot(newDist);
    const servedBefore = app.server.requests.length;
    await page.reload();
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    expect(await page.locator('html').getAttribute('data-build')).toBe(oldBuild);
    const prompt = page.getByTestId('update-available');
    await prompt.waitFor({ timeout: 120_000 });
    expect(await prompt.textContent()).toMatch(/new version of MediaForge is available/);
    console.log(await screenshot(page, 'pwa-update-available'));
    // The new version fetched only what changed: the unchanged snapshot (same revision) and the
    // unchanged hashed files were taken over from the old version's cache.
    const fetchedForUpdate = app.server.requests.slice(servedBefore);
    console.log(`fetched for the update: ${fetchedForUpdate.join(', ')}`);
    expect(fetchedForUpdate).not.toContain(`/${SNAPSHOT}`);
    expect(fetchedForUpdate.filter((p) => p.endsWith('.wasm'))).toEqual([]);
    const copiesBefore = await offlineSnapshotCopies(page);

    await prompt.getByTestId('update-reload').click();
    await page.locator(`html[data-build="${NEW_BUILD}"]`).waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    expect(await page.getByTestId('update-available').count()).toBe(0);
    const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '');
    expect(controller).toBe(new URL('sw.js', app.server.url).href);
    // The new version works offline with the same snapshot: its copy (same revision) was kept, never fetched again.
    await waitForOfflineReady(page);
    expect(snapshotFetches(app.server.requests.slice(servedBefore))).toBe(0);
    expect(await offlineSnapshotCopies(page)).toEqual(copiesBefore);

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

  it('downloads a changed snapshot of a new version once, keeps it for offline use and drops the old copy', async () => {
    app.server.setRoot(DIST);
    const { context, page, errors } = await app.open({ serviceWorkers: 'allow' });
    await showDatabase(page);
    await waitForOfflineReady(page);
    const [oldCopy] = await offlineSnapshotCopies(page);
    expect(oldCopy).toMatch(/\?mediaforge-revision=[0-9a-f]{16}$/);

    app.server.setRoot(changedDist);
    const servedBefore = app.server.requests.length;
    await page.reload();
    const prompt = page.getByTestId('update-available');
    await prompt.waitFor({ timeout: 120_000 });
    const beforeReload = snapshotFetches(app.server.requests.slice(servedBefore));
    await prompt.getByTestId('update-reload').click();
    await page.locator(`html[data-build="${NEW_BUILD}-snapshot"]`).waitFor({ state: 'attached', timeout: 60_000 });
    // The new version keeps its own snapshot (another revision) before it says it works offline.
    await waitForOfflineReady(page);
    const fetched = snapshotFetches(app.server.requests.slice(servedBefore));
    console.log(`changed snapshot: fetched ${fetched} time(s) (${beforeReload} before Reload); offline copies ${JSON.stringify(await offlineSnapshotCopies(page))}`);
    expect(fetched).toBe(1);
    const copies = await offlineSnapshotCopies(page);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(/\?mediaforge-revision=[0-9a-f]{16}$/);
    expect(copies[0]).not.toBe(oldCopy);
    const copied = await page.evaluate(async (key) => new Uint8Array(await (await (await caches.open('mediaforge-snapshot')).match(key))!.arrayBuffer()).length, copies[0]);
    expect(copied).toBe(readFileSync(join(changedDist, SNAPSHOT)).length);

    // Offline, the new version still opens (its database from IndexedDB, the snapshot from its copy).
    const offlineFrom = app.server.requests.length;
    await context.setOffline(true);
    await page.reload();
    await page.locator('[data-testid="offline-status"][data-online="false"][data-offline-ready="true"]').waitFor({ timeout: 60_000 });
    await showDatabase(page);
    expect(app.server.requests.slice(offlineFrom).filter((p) => !/^\/(sw\.js|workbox-[\w-]+\.js)$/.test(p))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
