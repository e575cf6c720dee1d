/**
 * Browser storage full while saving (issue 11 part 3), with the real quota: Chromium's
 * Storage.overrideQuotaForOrigin (CDP) leaves the origin less room than the next database image
 * needs, so IndexedDB refuses the save with QuotaExceededError. Expected: a clear message naming
 * the change and what to do (data-code STORAGE_FULL), the previously saved image intact (same
 * pointer, same bytes; a reload opens it), and the database in memory still usable (queries, the
 * change itself, and an export that holds it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import type { SqlJsStatic } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { addGenome } from '../../src/db/genomes';
import { importMediadive, MEDIADIVE_FILES, type MediadiveTexts } from '../../src/db/import-mediadive';
import { loadSqlJs } from '../../src/db/node-files';
import { createDatabase, exportSnapshot } from '../../src/db/snapshot-file';
import { FIXTURES } from '../helpers/data';
import { exportSnapshot as exportInPage, genomeRows, openDatabase, randomFasta, savedImage, searchMedia, section, showDatabase, waitForSaved } from './db-helpers';
import { launchBrowser, screenshot, startStaticServer, type StaticServer } from './helpers';

let server: StaticServer;
let browser: Browser;
let SQL: SqlJsStatic;
/** A colleague's snapshot: the MediaDive fixture and one genome the bundled database does not have. */
let colleague: Uint8Array;

beforeAll(async () => {
  SQL = await loadSqlJs();
  const dir = join(FIXTURES, 'mediadive');
  const db = createDatabase(SQL);
  importMediadive(db, Object.fromEntries(MEDIADIVE_FILES.map((f) => [f, readFileSync(join(dir, `${f}.tsv`), 'utf8')])) as MediadiveTexts);
  const p = await profileSource(bytesSource('colleague-isolate.fa', new TextEncoder().encode(randomFasta('colleague-isolate', 30_000, 77))));
  await addGenome(db, p, { species: 'Bacillus subtilis', strain: 'their isolate', organismType: 'bacteria', sourceFile: 'colleague-isolate.fa' });
  colleague = exportSnapshot(db, { gzip: true });
  db.close();
  server = await startStaticServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('browser storage full while saving', () => {
  it('says so, keeps the previous saved image, and the database in memory stays usable', async () => {
    const { context, page, errors } = await openDatabase(browser, server.url);
    await waitForSaved(page, 'bundled snapshot');
    const before = await savedImage(page);
    expect(before.pointer).toMatchObject({ label: 'bundled snapshot', generation: 1 });
    const genomesBefore = await genomeRows(page);

    // Leave 2 MB of room: the next image (about 30 MB) cannot be written.
    const { usage } = await page.evaluate(async () => ({ usage: (await navigator.storage.estimate()).usage ?? 0 }));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: usage + 2e6 });
    expect((await page.evaluate(async () => (await navigator.storage.estimate()).quota)) ?? 0).toBeLessThan(usage + 3e6);

    const merge = page.getByTestId('import-merge');
    if (!(await merge.isChecked())) await merge.click();
    await page.getByTestId('db-import-input').setInputFiles({ name: 'colleague.sqlite.gz', mimeType: 'application/gzip', buffer: Buffer.from(colleague) });
    const banner = page.getByTestId('storage-error');
    await banner.waitFor({ timeout: 120_000 });
    // Not shown as a refused import (it was checked and applied): the banner says what happened.
    expect(await page.locator('[data-testid="import-error"], [data-testid="import-result"]').count()).toBe(0);
    expect(await banner.getAttribute('data-code')).toBe('STORAGE_FULL');
    const text = (await banner.textContent())!.replace(/\s+/g, ' ');
    expect(text).toMatch(/Not saved\. Browser storage is full: "merged colleague\.sqlite\.gz" was not saved \(the database needs [\d.]+ MB, [\d.]+ MB of the [\d.]+ MB quota in use\); the last saved database is intact/);
    expect(text).toMatch(/Export your database \(Export snapshot\) to keep the change, then free space/);
    await screenshot(page, 'storage-full');

    // Nothing half-written: IndexedDB still points at the previous image, byte for byte.
    expect(await savedImage(page)).toEqual(before);
    // In memory the merge happened and the database answers.
    await section(page, 'genomes');
    await page.locator('[data-testid="genome-row"]', { hasText: 'Bacillus subtilis' }).first().waitFor({ timeout: 30_000 });
    expect((await genomeRows(page)).length).toBe(genomesBefore.length + 1);
    await section(page, 'media');
    expect((await searchMedia(page, 'broth')).length).toBeGreaterThan(0);
    // The advice works: the export holds the unsaved change.
    const exported = await exportInPage(page);
    const check = new SQL.Database(gunzipSync(exported.bytes));
    expect(Number(check.exec("SELECT count(*) FROM genomes WHERE species = 'Bacillus subtilis' AND source_file = 'colleague-isolate.fa'")[0].values[0][0])).toBe(1);
    check.close();

    // A reload opens the previous database.
    await page.reload();
    await showDatabase(page);
    expect((await page.getByTestId('db-saved').textContent())!).toContain('(bundled snapshot)');
    expect(await genomeRows(page)).toEqual(genomesBefore);
    expect(await savedImage(page)).toEqual(before);
    expect(errors).toEqual([]);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin });
    await context.close();
  });
});
