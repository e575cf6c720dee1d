/**
 * e2e plumbing for the Database tab: open it and wait for the worker's database, export and import
 * snapshot files through the UI, and build test snapshot files with sql.js in Node.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Database, SqlJsStatic } from 'sql.js';
import { gunzipSync } from 'fflate';
import { loadSqlJs } from '../../src/db/node-files';
import { mkdirSync } from 'node:fs';
import { DIST, SCREENSHOTS, openApp } from './helpers';

export const BUNDLED = join(DIST, 'mediaforge-snapshot.sqlite.gz');

/** The bundled snapshot as built into dist/ (throws a clear error when the build lacks it). */
export function bundledSnapshotBytes(): Uint8Array {
  if (!existsSync(BUNDLED)) {
    throw new Error(`${BUNDLED} is missing: build the snapshot (\`npx mediaforge db build\`, into public/) and the app (\`npx vite build\`)`);
  }
  return new Uint8Array(readFileSync(BUNDLED));
}

/** The bundled snapshot opened read-only in Node, to compute what the page should show. */
export async function openBundledInNode(): Promise<{ SQL: SqlJsStatic; db: Database }> {
  const SQL = await loadSqlJs();
  return { SQL, db: new SQL.Database(gunzipSync(bundledSnapshotBytes())) };
}

/** Clicks the Database tab and waits for the database to be open. */
export async function showDatabase(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.locator('header nav').getByRole('button', { name: 'Database' }).click();
  await page.locator('[data-testid="database-page"][data-status="ready"]').waitFor({ timeout: timeoutMs });
}

/** A fresh context with the app open on the Database tab. */
export async function openDatabase(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const app = await openApp(browser, url);
  await showDatabase(app.page);
  return app;
}

export async function section(page: Page, id: 'media' | 'strains' | 'genomes' | 'quality'): Promise<void> {
  await page.getByTestId(`db-section-${id}`).click();
}

/** Clicks Export and returns the downloaded file. */
export async function exportSnapshot(page: Page): Promise<{ name: string; bytes: Uint8Array }> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('db-export').click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

export type ImportOutcome = { ok: true; text: string } | { ok: false; text: string; code: string | null };

/**
 * Chooses bytes as a file named `name` in the import input and waits for its preview (the file was
 * checked and nothing changed yet) or its error.
 */
export async function chooseImportFile(page: Page, name: string, bytes: Uint8Array): Promise<'preview' | 'error'> {
  // Clear an earlier outcome so we wait for this one.
  await page.evaluate(() => document.querySelectorAll('[data-testid="import-result"], [data-testid="import-error"]').forEach((e) => e.remove()));
  await page.getByTestId('db-import-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  const next = page.locator('[data-testid="import-preview"], [data-testid="import-error"]');
  await next.first().waitFor({ timeout: 120_000 });
  return (await next.first().getAttribute('data-testid')) === 'import-preview' ? 'preview' : 'error';
}

/** Imports bytes as a file named `name` (merge or replace): preview, Import, and waits for the result or the error. */
export async function importSnapshot(page: Page, name: string, bytes: Uint8Array, mode: 'merge' | 'replace'): Promise<ImportOutcome> {
  const merge = page.getByTestId('import-merge');
  if ((await merge.isChecked()) !== (mode === 'merge')) await merge.click();
  if ((await chooseImportFile(page, name, bytes)) === 'preview') {
    // Replacing asks for confirmation first (a native confirm dialog): say yes.
    if (mode === 'replace') page.once('dialog', (d) => void d.accept());
    await page.getByTestId('import-confirm').click();
  }
  const outcome = page.locator('[data-testid="import-result"], [data-testid="import-error"]');
  await outcome.first().waitFor({ timeout: 120_000 });
  const el = outcome.first();
  const text = ((await el.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  if ((await el.getAttribute('data-testid')) === 'import-result') return { ok: true, text };
  return { ok: false, text, code: await el.getAttribute('data-code') };
}

/** Types a media query and waits until the results are for it. */
export async function searchMedia(page: Page, text: string): Promise<string[]> {
  await page.getByTestId('media-search').fill(text);
  await page.waitForFunction((q) => document.querySelector('[data-testid="media-count"]')?.textContent?.includes(`“${q}”`), text, { timeout: 30_000 });
  return page.locator('[data-testid="media-results"] [data-medium-id]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-medium-id')}|${e.textContent?.replace(/\s+/g, ' ').trim()}`));
}

/** Types a strain query and waits until the results are for it. */
export async function searchStrains(page: Page, text: string): Promise<string[]> {
  await page.getByTestId('strain-search').fill(text);
  await page.getByTestId('strain-results').waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    (q) => {
      const c = document.querySelector('[data-testid="strain-count"]')?.textContent ?? '';
      return c.includes(q) || /number /.test(c);
    },
    text,
    { timeout: 30_000 },
  );
  return page.locator('[data-testid="strain-row"]').evaluateAll((els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim() ?? ''));
}

/** Opens the Genomes section and returns its rows as {id, name, link, origin}. */
export async function genomeRows(page: Page): Promise<{ id: string; text: string; link: string; origin: string }[]> {
  await section(page, 'genomes');
  await page.locator('[data-testid="genome-list"], [data-testid="genomes-empty"]').first().waitFor({ timeout: 30_000 });
  return page.locator('[data-testid="genome-row"]').evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute('data-genome-id') ?? '',
      text: e.querySelector('.name')?.textContent?.trim() ?? '',
      link: e.getAttribute('data-link') ?? '',
      origin: e.getAttribute('data-origin') ?? '',
    })),
  );
}

/** A deterministic random DNA sequence (seeded LCG) as a FASTA text: a genome no database has yet. */
export function randomFasta(name: string, lengthBp: number, seed: number): string {
  let x = seed >>> 0;
  let seq = '';
  for (let i = 0; i < lengthBp; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    seq += 'ACGT'[x >>> 30];
  }
  return `>${name}\n${seq.replace(/(.{70})/g, '$1\n')}\n`;
}

/** A screenshot of the viewport only (for long pages whose top is what matters). */
export async function viewportScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** The image IndexedDB holds now: its pointer (slot, size, label, generation) and the SHA-256 of its bytes, computed in the page. */
export async function savedImage(page: Page): Promise<{ pointer: Record<string, unknown> | null; sha256: string | null }> {
  return page.evaluate(async () => {
    const idb = await new Promise<IDBDatabase>((ok, fail) => {
      const req = indexedDB.open('mediaforge');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const get = (key: string) =>
      new Promise<unknown>((ok, fail) => {
        const req = idb.transaction('db-images').objectStore('db-images').get(key);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
    try {
      const pointer = ((await get('current')) as Record<string, unknown> | undefined) ?? null;
      const blob = pointer ? ((await get(`slot-${pointer.slot}`)) as Blob | undefined) : undefined;
      if (!blob) return { pointer, sha256: null };
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      return { pointer, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
    } finally {
      idb.close();
    }
  });
}

/** Waits until the database tab says the database is saved in this browser with `label`. */
export async function waitForSaved(page: Page, label: string | RegExp, timeoutMs = 120_000): Promise<void> {
  await page.getByTestId('db-saved').filter({ hasText: typeof label === 'string' ? `(${label})` : label }).waitFor({ timeout: timeoutMs });
}
