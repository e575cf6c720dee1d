/**
 * Browser storage full while saving (issue 11 part 3), with the real quota: Chromium's
 * Storage.overrideQuotaForOrigin (CDP, set before the app opens IndexedDB) leaves the origin room
 * for one database image but not for the next one beside it, so IndexedDB refuses that save with
 * QuotaExceededError. Expected: a clear message naming
 * the change and what to do (data-code STORAGE_FULL), the previously saved image intact (same
 * pointer, same bytes; a reload opens it), and the database in memory still usable (queries, the
 * change itself, and an export that holds it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { addGenome } from '../../src/db/genomes';
import { importMediadive, MEDIADIVE_FILES, type MediadiveTexts } from '../../src/db/import-mediadive';
import { loadSqlJs } from '../../src/db/node-files';
import { createDatabase, exportSnapshot } from '../../src/db/snapshot-file';
import { seededBytes } from '../helpers/bad-snapshots';
import { FIXTURES } from '../helpers/data';
import { bundledSnapshotBytes, exportSnapshot as exportInPage, genomeRows, viewportScreenshot, randomFasta, savedImage, searchMedia, section, showDatabase, waitForSaved } from './db-helpers';
import { failWorker, useBrowserAndServer } from './helpers';

const app = useBrowserAndServer();
let SQL: SqlJsStatic;
const MODEL_BYTES = 10_000_000;
/** A colleague's snapshot: the MediaDive fixture, one genome the bundled database does not have, a large model. */
let colleague: Uint8Array;

beforeAll(async () => {
  SQL = await loadSqlJs();
  const dir = join(FIXTURES, 'mediadive');
  const db = createDatabase(SQL);
  importMediadive(db, Object.fromEntries(MEDIADIVE_FILES.map((f) => [f, readFileSync(join(dir, `${f}.tsv`), 'utf8')])) as MediadiveTexts);
  const p = await profileSource(bytesSource('colleague-isolate.fa', new TextEncoder().encode(randomFasta('colleague-isolate', 30_000, 77))));
  await addGenome(db, p, { species: 'Bacillus subtilis', strain: 'their isolate', organismType: 'bacteria', sourceFile: 'colleague-isolate.fa' });
  // A model with 10 MB of weights (seeded noise): merged in, it makes the next image 10 MB larger.
  db.run("INSERT INTO models (id, kind, config_json, weights, metrics_json, created_at) VALUES ('colleague-vae', 'genome-vae', '{\"latentDim\":2}', ?, '{}', '2026-01-01T00:00:00Z')", [seededBytes(MODEL_BYTES, 5)]);
  colleague = exportSnapshot(db, { gzip: true });
  db.close();
});

describe('browser storage full while saving', () => {
  it('says so, keeps the previous saved image, and the database in memory stays usable', async () => {
    // Chromium applies a quota override to IndexedDB connections opened after it, and checks each
    // write by the value's full size (measured here: a 30.0 MB blob needs a quota above 35.0 MB and
    // fits in 35.5 MB, also beside another one). So: room for the bundled image, and the next image,
    // 10 MB larger with the colleague's model, does not fit.
    const imageBytes = gunzipSync(bundledSnapshotBytes()).length;
    const quotaSize = imageBytes + 6_500_000;
    // No service worker: its precache (21 MB in Cache Storage) would take the quota this test sets.
    const context = await app.browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 1000 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    });
    const cdp = await context.newCDPSession(page);
    const origin = new URL(app.server.url).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize });
    await page.goto(app.server.url);
    await showDatabase(page);
    await waitForSaved(page, 'bundled snapshot');
    const before = await savedImage(page);
    expect(before.pointer).toMatchObject({ label: 'bundled snapshot', generation: 1, bytes: imageBytes });
    const genomesBefore = await genomeRows(page);

    const merge = page.getByTestId('import-merge');
    if (!(await merge.isChecked())) await merge.click();
    await page.getByTestId('db-import-input').setInputFiles({ name: 'colleague.sqlite.gz', mimeType: 'application/gzip', buffer: Buffer.from(colleague) });
    await page.getByTestId('import-confirm').click(); // after the preview
    const banner = page.getByTestId('storage-error');
    await banner.waitFor({ timeout: 120_000 });
    // Not shown as a refused import (it was checked and applied): the banner says what happened.
    expect(await page.locator('[data-testid="import-error"], [data-testid="import-result"]').count()).toBe(0);
    expect(await banner.getAttribute('data-code')).toBe('STORAGE_FULL');
    const text = (await banner.textContent())!.replace(/\s+/g, ' ');
    expect(text).toMatch(/Not saved\. Browser storage is full: "merged colleague\.sqlite\.gz" was not saved \(the database needs (4\d|5\d)\.\d MB, [\d.]+ MB of the [\d.]+ [MG]B quota in use\); the last saved database is intact/);
    expect(text).toMatch(/Download the database with the change \(or Export snapshot\) to keep it, then free space/);
    expect(text).toMatch(/Download the database with the change \((4\d|5\d)\.\d MB before gzip\)/);
    await viewportScreenshot(page, 'storage-full'); // the genome list is 470,000 px long: the viewport only

    // Nothing half-written: IndexedDB still points at the previous image, byte for byte.
    expect(await savedImage(page)).toEqual(before);
    // In memory the merge happened and the database answers.
    await section(page, 'genomes');
    await page.locator('[data-testid="genome-row"]', { hasText: 'Bacillus subtilis' }).first().waitFor({ timeout: 30_000 });
    expect((await genomeRows(page)).length).toBe(genomesBefore.length + 1);
    expect((await page.getByTestId('db-info').textContent())!.replace(/\s+/g, ' ')).toContain(`${(genomesBefore.length + 1).toLocaleString('en-US')} genomes`);
    await section(page, 'media');
    expect((await searchMedia(page, 'broth')).length).toBeGreaterThan(0);
    // The advice works: the export holds the unsaved change.
    const exported = await exportInPage(page);
    const check = new SQL.Database(gunzipSync(exported.bytes));
    expect(Number(check.exec("SELECT count(*) FROM genomes WHERE species = 'Bacillus subtilis' AND source_file = 'colleague-isolate.fa'")[0].values[0][0])).toBe(1);
    expect(Number(check.exec("SELECT length(weights) FROM models WHERE id = 'colleague-vae'")[0].values[0][0])).toBe(MODEL_BYTES);
    check.close();
    // The notice's download: the database with the change, from the page's own copy.
    const hasChange = (bytes: Uint8Array) => {
      const d = new SQL.Database(gunzipSync(bytes));
      try {
        const one = (q: string) => Number(d.exec(q)[0]?.values[0][0] ?? 0);
        return one("SELECT count(*) FROM genomes WHERE species = 'Bacillus subtilis' AND source_file = 'colleague-isolate.fa'") === 1 && one("SELECT length(weights) FROM models WHERE id = 'colleague-vae'") === MODEL_BYTES;
      } finally {
        d.close();
      }
    };
    const unsavedDownload = async () => {
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('download-unsaved').click()]);
      expect(dl.suggestedFilename()).toMatch(/^mediaforge-unsaved-\d{4}-\d{2}-\d{2}\.sqlite\.gz$/);
      return new Uint8Array(readFileSync((await dl.path())!));
    };
    expect(hasChange(await unsavedDownload())).toBe(true);

    // The database worker dies: a new one reopens the database as last saved, without the change.
    // The notice says so, and the download still holds the change (nothing the user had is lost).
    await failWorker(page, 'db.worker', 'throw', 'exportFile');
    await page.getByTestId('db-export').click();
    await page.getByTestId('export-error').waitFor({ timeout: 30_000 });
    // The retry runs on a fresh worker, which reopens the saved database first: its export lacks the change.
    const [retried] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('export-retry').click()]);
    expect(hasChange(new Uint8Array(readFileSync((await retried.path())!)))).toBe(false);
    const lost = page.getByTestId('unsaved-not-in-tab');
    await lost.waitFor({ timeout: 60_000 });
    expect((await lost.textContent())!.replace(/\s+/g, ' ').trim()).toBe(
      'This tab no longer holds “merged colleague.sqlite.gz”: the database worker stopped, and a new one reopened the database as last saved. The download is its only copy: keep it, free space, and import it (Import snapshot…) to bring the change back.',
    );
    await section(page, 'genomes');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="genome-row"]').length === n, genomesBefore.length, { timeout: 30_000 });
    expect((await page.getByTestId('storage-error').textContent())!).not.toMatch(/or Export snapshot/); // that export no longer holds it
    await viewportScreenshot(page, 'storage-full-worker-lost');
    expect(hasChange(await unsavedDownload())).toBe(true);

    // A reload opens the previous database.
    await page.reload();
    await showDatabase(page);
    expect((await page.getByTestId('db-saved').textContent())!).toContain('(bundled snapshot)');
    expect(await genomeRows(page)).toEqual(genomesBefore);
    expect(await savedImage(page)).toEqual(before);
    expect(errors).toEqual([]);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await context.close();
  });
});
