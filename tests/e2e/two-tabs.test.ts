/**
 * Two tabs of the app on one database (issue 11 part 3): one writer at a time (Web Locks), each
 * write applied to the latest saved image, the other tab told and brought up to date
 * (BroadcastChannel). Tab A adds genome X while tab B adds genome Y and then records a lab outcome
 * for Y on the Media tab: both tabs end with X, Y and the outcome, and so does a reload.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlJs } from '../../src/db/node-files';
import { exportSnapshot, genomeRows, randomFasta, savedImage, showDatabase, viewportScreenshot, waitForSaved } from './db-helpers';
import { useBrowserAndServer, waitForRow } from './helpers';

const app = useBrowserAndServer();
let SQL: SqlJsStatic;
const dir = mkdtempSync(join(tmpdir(), 'mf-two-tabs-'));

beforeAll(async () => {
  SQL = await loadSqlJs();
  writeFileSync(join(dir, 'isolate-x.fa'), randomFasta('isolate X', 30_000, 101));
  writeFileSync(join(dir, 'isolate-y.fa'), randomFasta('isolate Y', 30_000, 202));
});

async function newTab(context: import('playwright-core').BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(app.server.url);
  await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
  return { page, errors };
}

/** Profiles `file` on the Profile tab and adds it on Database → Genomes with a species. */
async function addProfiled(page: Page, file: string, species: string): Promise<void> {
  await page.locator('header nav').getByRole('button', { name: 'Profile' }).click();
  await page.getByTestId('fasta-input').setInputFiles(join(dir, file));
  expect(await waitForRow(page, file, ['done', 'error', 'cancelled'])).toBe('done');
  await showDatabase(page);
  await page.getByTestId('db-section-genomes').click();
  const row = page.locator(`[data-testid="add-profiled-row"][data-file="${file}"]`);
  await row.getByTestId('add-species').fill(species);
  await page.getByTestId('add-profiled').click();
  await page.getByTestId('add-profiled-result').filter({ hasText: `${file}: added as genome` }).waitFor({ timeout: 120_000 });
}

/** Species of the user's genomes the tab shows. */
async function userSpecies(page: Page): Promise<string[]> {
  await showDatabase(page);
  return (await genomeRows(page)).filter((r) => r.origin === 'user').map((r) => r.text).sort();
}

describe('two tabs on one database', () => {
  it('one writer at a time; each tab ends with both tabs\' genomes and the lab outcome, after a reload too', async () => {
    const context = await app.browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 1000 }, serviceWorkers: 'block' });
    const a = await newTab(context);
    const b = await newTab(context);
    await showDatabase(a.page);
    await showDatabase(b.page);
    await waitForSaved(a.page, 'bundled snapshot');
    // What each write now costs before its change (reported, not asserted): taking the lock and reading the image pointer.
    const overheadMs = await a.page.evaluate(async () => {
      const idb = await new Promise<IDBDatabase>((ok) => {
        const req = indexedDB.open('mediaforge');
        req.onsuccess = () => ok(req.result);
      });
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) {
        await navigator.locks.request('mediaforge-db-write-probe', async () => {
          await new Promise((ok) => (idb.transaction('db-images').objectStore('db-images').get('current').onsuccess = ok));
        });
      }
      idb.close();
      return (performance.now() - t0) / 20;
    });
    console.log(`per-write overhead of the tab lock + generation check: ${overheadMs.toFixed(2)} ms`);

    // Both tabs add a genome at the same time, each from the database it opened.
    await Promise.all([addProfiled(a.page, 'isolate-x.fa', 'Bacillus subtilis'), addProfiled(b.page, 'isolate-y.fa', 'Escherichia coli')]);

    // Tab B records a lab outcome for Y on the Media tab.
    await b.page.locator('header nav').getByRole('button', { name: 'Profile' }).click();
    await b.page.locator('[data-testid="profile-row"][data-file="isolate-y.fa"] [data-testid="open-media"]').click();
    const form = b.page.getByTestId('lab-outcome-form');
    await form.waitFor({ timeout: 180_000 });
    await b.page.locator('[data-testid="ranked-media"] [data-testid="medium-row"]').first().waitFor({ timeout: 180_000 });
    const mediumId = (await b.page.locator('[data-testid="ranked-media"] [data-testid="medium-row"]').first().getAttribute('data-medium-id'))!;
    await form.getByTestId('outcome-medium').selectOption(mediumId);
    await form.getByTestId('outcome-grew').check();
    await form.getByTestId('outcome-note').fill('grew in tab B');
    await form.getByTestId('outcome-save').click();
    await b.page.locator(`[data-testid="lab-outcomes"] [data-testid="lab-outcome"][data-medium-id="${mediumId}"]`).waitFor({ timeout: 60_000 });

    // Tab A was told, and shows both genomes without a reload. (The banner may already show tab B's
    // genome, when B added it second: wait for the lab outcome's words, not just for the banner.)
    await a.page.waitForFunction(() => /lab outcome/.test(document.querySelector('[data-testid="db-changed-elsewhere"]')?.textContent ?? ''), null, { timeout: 60_000 });
    expect((await a.page.getByTestId('db-changed-elsewhere').textContent())!.replace(/\s+/g, ' ')).toMatch(/The database was changed in another tab \(lab outcome: genome \d+, medium \S+ grew, [\d:]+\); this tab is up to date\./);
    const both = ['Bacillus subtilis', 'Escherichia coli'];
    expect((await userSpecies(a.page)).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(both);
    expect((await userSpecies(b.page)).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(both);

    // What is saved holds all three changes (exported from tab A, which made only one of them).
    const saved = await savedImage(a.page);
    expect(Number(saved.pointer?.generation)).toBeGreaterThanOrEqual(4); // bundled, X, Y, outcome (each save on the one before)
    const exported = await exportSnapshot(a.page);
    const db = new SQL.Database(gunzipSync(exported.bytes));
    const genomes = db.exec("SELECT source_file FROM genomes WHERE origin = 'user' ORDER BY source_file")[0].values.map((r) => String(r[0]));
    expect(genomes).toEqual(['isolate-x.fa', 'isolate-y.fa']);
    const outcomes = db.exec("SELECT g.source_file, o.medium_id, o.grew, o.note FROM lab_outcomes o JOIN genomes g ON g.id = o.genome_id")[0]?.values ?? [];
    expect(outcomes).toEqual([['isolate-y.fa', mediumId, 1, 'grew in tab B']]);
    db.close();

    await viewportScreenshot(a.page, 'two-tabs-changed-elsewhere'); // the genome list is 470,000 px long: the viewport only

    // After a reload, the same.
    await a.page.reload();
    await showDatabase(a.page);
    expect((await userSpecies(a.page)).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(both);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    await context.close();
  });
});
