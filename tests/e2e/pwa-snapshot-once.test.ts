/**
 * The bundled snapshot crosses the network once on a first visit. It used to cross it twice: the
 * database worker downloaded it to open the database, and the service worker's precache
 * downloaded the same 14.5 MB again (39 MB on a first visit instead of ~22 MB). Now it is left
 * out of the precache and the worker's own download is kept in Cache Storage for offline use
 * (src/db/snapshot-offline-copy.ts).
 *
 * Counted at the static server (every request of the page, its workers and the service worker
 * that reaches the network; the server sends no-store) and in Chromium's request events of the
 * whole context (page, workers and service worker). Two first visits: one that opens the database
 * at once (the download is kept), one that opens it only after the app is stored (the app
 * downloads it when it becomes offline-ready, and the database then opens from that copy).
 * Each then reloads offline and opens the database.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { showDatabase } from './db-helpers';
import { DIST, openApp, screenshot, startStaticServer, useBrowser, type StaticServer } from './helpers';
import { offlineSnapshotCopies, waitForOfflineReady } from './pwa-helpers';

const SNAPSHOT = 'mediaforge-snapshot.sqlite.gz';
const SNAPSHOT_PATH = `/${SNAPSHOT}`;
const SNAPSHOT_BYTES = statSync(join(DIST, SNAPSHOT)).size;
/** The browser's own update checks of the service worker, made outside Playwright's offline emulation. */
const BROWSER_UPDATE_CHECK = /^\/(sw\.js|workbox-[\w-]+\.js)$/;

const shared = useBrowser();
/** The server of the current test: each test starts its own, so its counts are a first visit's. */
let server: StaticServer;

interface SeenRequest {
  from: 'service worker' | 'page or worker';
  url: string;
}

/** A first visit with the service worker allowed, on a fresh server; every request of the snapshot Chromium makes in the context is recorded. */
async function firstVisit(): Promise<{ context: BrowserContext; page: Page; errors: string[]; seen: SeenRequest[]; serviceWorkerRequests: () => number }> {
  server = await startStaticServer(DIST);
  const seen: SeenRequest[] = [];
  const counts = { serviceWorker: 0 };
  const record = (context: BrowserContext) =>
    context.on('request', (r) => {
      if (r.serviceWorker()) counts.serviceWorker++;
      if (new URL(r.url()).pathname === SNAPSHOT_PATH) seen.push({ from: r.serviceWorker() ? 'service worker' : 'page or worker', url: r.url() });
    });
  const app = await openApp(shared.browser, server.url, { serviceWorkers: 'allow', beforeGoto: async (context) => void record(context) });
  return { ...app, seen, serviceWorkerRequests: () => counts.serviceWorker };
}

function snapshotRequests(): number {
  return server.requests.filter((p) => p === SNAPSHOT_PATH).length;
}

function totalBytesSent(): number {
  return [...server.bytesSent.values()].reduce((a, b) => a + b, 0);
}

/** Goes offline, reloads, and opens the Database tab; returns the requests that reached the server meanwhile. */
async function reloadOfflineAndOpenDatabase(context: BrowserContext, page: Page): Promise<string[]> {
  const before = server.requests.length;
  await context.setOffline(true);
  await page.reload();
  await page.locator('[data-testid="offline-status"][data-online="false"][data-offline-ready="true"]').waitFor({ timeout: 60_000 });
  await showDatabase(page);
  return server.requests.slice(before).filter((p) => !BROWSER_UPDATE_CHECK.test(p));
}

describe('the bundled snapshot on a first visit', () => {
  afterAll(async () => {
    await server?.close();
  });

  it('is downloaded once when the database opens at once (the precache leaves it out; the page keeps its download), and the database opens offline after a reload', async () => {
    const { context, page, errors, seen, serviceWorkerRequests } = await firstVisit();
    // The user opens the Database tab at once, while the service worker installs.
    await showDatabase(page);
    const ready = await waitForOfflineReady(page);
    expect(await page.getByTestId('offline-status').textContent()).toMatch(/works offline/);
    await page.waitForTimeout(500); // nothing more is on its way
    const total = totalBytesSent();
    console.log(
      `first visit: ${server.requests.length} requests, ${(total / 1e6).toFixed(1)} MB sent; snapshot ${snapshotRequests()} request(s), ${server.bytesSent.get(SNAPSHOT_PATH)} bytes (file ${SNAPSHOT_BYTES}); Chromium saw ${JSON.stringify(seen.map((s) => s.from))} (${serviceWorkerRequests()} service worker requests in all); ${ready.cacheEntries} cache entries`,
    );
    expect(snapshotRequests()).toBe(1);
    expect(server.bytesSent.get(SNAPSHOT_PATH)).toBe(SNAPSHOT_BYTES);
    // The recorder sees the service worker's own requests (its precache), none of them for the snapshot.
    expect(serviceWorkerRequests()).toBeGreaterThan(20);
    expect(seen).toEqual([{ from: 'page or worker', url: new URL(SNAPSHOT, server.url).href }]);
    // Everything else on the first visit is far smaller than a second copy of the snapshot.
    expect(total - SNAPSHOT_BYTES).toBeLessThan(SNAPSHOT_BYTES);
    // One offline copy, under this build's revision.
    const copies = await offlineSnapshotCopies(page);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(new RegExp(`/${SNAPSHOT.replace(/\./g, '\\.')}\\?mediaforge-revision=[0-9a-f]{16}$`));

    const offline = await reloadOfflineAndOpenDatabase(context, page);
    expect(offline).toEqual([]);
    expect(snapshotRequests()).toBe(1);
    await screenshot(page, 'pwa-snapshot-once-offline');
    expect(errors).toEqual([]);
    await context.close();
    await server.close();
  });

  it('is downloaded once when the database opens only later: the app keeps it when it becomes offline-ready, and the database opens offline from that copy', async () => {
    const { context, page, errors, seen } = await firstVisit();
    // Offline-ready without ever opening the database: the snapshot was downloaded to be kept.
    await waitForOfflineReady(page);
    expect(snapshotRequests()).toBe(1);
    expect(await offlineSnapshotCopies(page)).toHaveLength(1);
    // IndexedDB holds no database yet: offline, the database can only come from the offline copy.
    const offline = await reloadOfflineAndOpenDatabase(context, page);
    expect(offline).toEqual([]);
    const savedText = async () => ((await page.getByTestId('db-saved').textContent()) ?? '').replace(/\s+/g, ' ');
    await expect.poll(savedText, { timeout: 30_000 }).toContain('(bundled snapshot)');
    const saved = await savedText();
    console.log(`opened offline from the kept snapshot: ${saved}; Chromium saw ${JSON.stringify(seen.map((s) => s.from))}`);
    await context.setOffline(false);
    await page.waitForTimeout(500);
    expect(snapshotRequests()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
    await server.close();
  });

  it('a damaged offline copy is dropped and downloaded again (once), and the database opens', async () => {
    const { context, page, errors } = await firstVisit();
    await waitForOfflineReady(page);
    const [key] = await offlineSnapshotCopies(page);
    // Damage the stored copy (the database was never opened: it will open from this copy).
    await page.evaluate(async (k) => {
      const junk = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff);
      junk.set([0x1f, 0x8b, 0x08]); // gzip's magic bytes, then garbage
      await (await caches.open('mediaforge-snapshot')).put(k, new Response(junk));
    }, key);
    await page.reload();
    await showDatabase(page);
    expect(snapshotRequests()).toBe(2);
    // The new download is kept in the background once the database is open: wait for it.
    const storedBytes = () =>
      page.evaluate(async (k) => {
        const hit = await (await caches.open('mediaforge-snapshot')).match(k);
        return hit ? (await hit.arrayBuffer()).byteLength : null;
      }, key);
    await expect.poll(storedBytes, { timeout: 30_000 }).toBe(SNAPSHOT_BYTES);
    expect(await offlineSnapshotCopies(page)).toEqual([key]);
    expect(errors).toEqual([]);
    await context.close();
    await server.close();
  });
});
