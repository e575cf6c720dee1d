/**
 * Issue 10's whole story in one run, in Chromium against the built dist/ with the bundled
 * snapshot: load the app once (the service worker precaches it), switch the browser context
 * offline, reload, profile a genome and see its neighbours and ranked media, add it to the
 * database, export the workspace (still offline), then in a second, fresh browser context import
 * that file and get identical neighbours and ranked media for the same genome.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importSnapshot, showDatabase } from './db-helpers';
import { screenshot, useBrowserAndServer } from './helpers';
import { waitForOfflineReady } from './pwa-helpers';
import { addIsolateToDatabase, profileAndNeighbours, rankedMedia } from './workspace-helpers';

const app = useBrowserAndServer();

describe('offline use, then sharing the workspace', () => {
  it('profiles offline, exports the workspace offline, and a fresh browser gets the same neighbours and media from it', async () => {
    const first = await app.open({ serviceWorkers: 'allow' });
    const page = first.page;
    await waitForOfflineReady(page);
    await first.context.setOffline(true);
    await page.reload();
    await page.locator('[data-testid="offline-status"][data-online="false"][data-offline-ready="true"]').waitFor();
    const servedOnline = app.server.requests.length;

    const offlineNeighbours = await profileAndNeighbours(page);
    expect(offlineNeighbours).toHaveLength(5);
    expect((await rankedMedia(page)).length).toBeGreaterThanOrEqual(10);
    const genomeId = await addIsolateToDatabase(page);
    // What the isolate gets once it is in the database (a fresh page, still offline).
    await page.reload();
    await page.locator('[data-testid="offline-status"][data-online="false"]').waitFor();
    const neighbours = await profileAndNeighbours(page);
    const media = await rankedMedia(page);
    expect(neighbours).toHaveLength(5);
    // Its nearest genome is now itself: so the second browser can only match this with the import.
    expect(neighbours[0][0]).toBe(String(genomeId));
    expect(offlineNeighbours[0][0]).not.toBe(String(genomeId));

    await showDatabase(page);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('workspace-export').click()]);
    const workspace = { name: download.suggestedFilename(), bytes: new Uint8Array(readFileSync(await download.path())) };
    expect(workspace.name).toMatch(/^mediaforge-workspace-\d{4}-\d{2}-\d{2}\.sqlite\.gz$/);
    await screenshot(page, 'offline-sharing-export');
    // Offline, nothing reached the server but the browser's own update check of sw.js.
    expect(app.server.requests.slice(servedOnline).filter((p) => !/^\/(sw\.js|workbox-[\w-]+\.js)$/.test(p))).toEqual([]);
    expect(first.errors).toEqual([]);
    await first.context.close();

    const second = await app.open();
    await showDatabase(second.page);
    const r = await importSnapshot(second.page, workspace.name, workspace.bytes, 'merge');
    expect(r.ok, r.text).toBe(true);
    expect(await profileAndNeighbours(second.page)).toEqual(neighbours);
    expect(await rankedMedia(second.page)).toEqual(media);
    await screenshot(second.page, 'offline-sharing-imported');
    expect(second.errors).toEqual([]);
    await second.context.close();
  });
});
