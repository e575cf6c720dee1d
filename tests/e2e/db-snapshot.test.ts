/**
 * Snapshot files in the browser: export, import (replace and merge), rejection of bad files with
 * the database left byte-identical, and persistence in IndexedDB across reloads.
 *
 * The test snapshot is built here with the DB helper's Node code: the MediaDive fixture subset
 * plus one genome (a seeded random sequence, linked by a culture-collection number).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'fflate';
import { join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { addGenome } from '../../src/db/genomes';
import { importMediadive, MEDIADIVE_FILES, type MediadiveTexts } from '../../src/db/import-mediadive';
import { linkGenome } from '../../src/db/link';
import { SCHEMA_VERSION } from '../../src/db/migrations';
import { loadSqlJs } from '../../src/db/node-files';
import { createDatabase, exportSnapshot } from '../../src/db/snapshot-file';
import { FIXTURES } from '../helpers/data';
import { bundledSnapshotBytes, exportSnapshot as exportInPage, genomeRows, importSnapshot, openDatabase, randomFasta, searchMedia, searchStrains, section, chooseImportFile } from './db-helpers';
import { screenshot, useBrowserAndServer } from './helpers';

const app = useBrowserAndServer();
let SQL: SqlJsStatic;
/** The test snapshot (.sqlite.gz) and what it holds. */
let testSnapshot: Uint8Array;
let fixtureStrain: { id: number; dsm: string; species: string };

const enc = new TextEncoder();

async function buildTestSnapshot(): Promise<Uint8Array> {
  const dir = join(FIXTURES, 'mediadive');
  const db = createDatabase(SQL);
  try {
    importMediadive(db, Object.fromEntries(MEDIADIVE_FILES.map((f) => [f, readFileSync(join(dir, `${f}.tsv`), 'utf8')])) as MediadiveTexts);
    const [id, dsm, species] = db.exec(
      `SELECT s.id, s.dsm_number, s.species FROM strains s WHERE s.dsm_number IS NOT NULL AND s.species IS NOT NULL
       AND EXISTS (SELECT 1 FROM strain_growth g WHERE g.strain_id = s.id) ORDER BY s.id LIMIT 1`,
    )[0].values[0];
    fixtureStrain = { id: Number(id), dsm: String(dsm), species: String(species) };
    const fasta = enc.encode(randomFasta('colleague-isolate', 30_000, 7));
    const p = await profileSource(bytesSource('colleague-isolate.fa', fasta));
    const { genomeId } = await addGenome(db, p, { species: fixtureStrain.species, strain: fixtureStrain.dsm, organismType: 'bacteria', sourceFile: 'colleague-isolate.fa' });
    linkGenome(db, genomeId, { species: fixtureStrain.species, organismType: 'bacteria', texts: [{ source: 'strain', text: fixtureStrain.dsm }] });
    return exportSnapshot(db, { gzip: true });
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  SQL = await loadSqlJs();
  testSnapshot = await buildTestSnapshot();
});

/** What a user sees for a fixed set of queries: media, strains, genomes, the info line. */
async function queryResults(page: import('playwright-core').Page) {
  await section(page, 'media');
  const media = [await searchMedia(page, 'broth'), await searchMedia(page, 'NaCl')];
  await section(page, 'strains');
  const strains = await searchStrains(page, fixtureStrain.dsm);
  const genomes = await genomeRows(page);
  const info = (await page.getByTestId('db-info').textContent())!.replace(/\s+/g, ' ');
  return { media, strains, genomes: genomes.map(({ text, link, origin }) => ({ text, link, origin })), info };
}

describe('snapshot files in the browser', () => {
  it('import → export → import in a fresh context gives identical query results', async () => {
    const a = await openDatabase(app.browser, app.server.url);
    const imported = await importSnapshot(a.page, 'colleague.sqlite.gz', testSnapshot, 'replace');
    expect(imported.ok, imported.text).toBe(true);
    expect(imported.text).toContain('Replaced the database with colleague.sqlite.gz');
    const resultsA = await queryResults(a.page);
    // The fixture's genome is there, linked at strain level.
    expect(resultsA.genomes).toEqual([{ text: `${fixtureStrain.species} ${fixtureStrain.dsm}`, link: 'strain', origin: 'user' }]);
    expect(resultsA.strains.length).toBeGreaterThan(0);
    expect(resultsA.media[0].length).toBeGreaterThan(0);
    const exported = await exportInPage(a.page);
    expect(exported.name).toMatch(/^mediaforge-\d{4}-\d{2}-\d{2}\.sqlite\.gz$/);
    expect([...exported.bytes.slice(0, 2)]).toEqual([0x1f, 0x8b]);
    // The uncompressed export is the same database.
    const [dl] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('db-export-sqlite').click()]);
    expect(dl.suggestedFilename()).toMatch(/^mediaforge-\d{4}-\d{2}-\d{2}\.sqlite$/);
    const plain = new Uint8Array(readFileSync((await dl.path())!));
    expect(Buffer.from(plain.subarray(0, 16)).toString('latin1')).toBe('SQLite format 3\u0000');
    expect(Buffer.compare(Buffer.from(gunzipSync(exported.bytes)), Buffer.from(plain))).toBe(0);
    expect(a.errors).toEqual([]);
    await a.context.close();

    const b = await openDatabase(app.browser, app.server.url);
    const again = await importSnapshot(b.page, exported.name, exported.bytes, 'replace');
    expect(again.ok, again.text).toBe(true);
    const resultsB = await queryResults(b.page);
    expect(resultsB).toEqual(resultsA);
    expect(b.errors).toEqual([]);
    await b.context.close();
  });

  it('rejects bad files with a clear message naming the file, and leaves the database byte-identical', async () => {
    const { context, page, errors } = await openDatabase(app.browser, app.server.url);
    // Make the database the user's own first (a merged genome), so "unchanged" means something.
    expect((await importSnapshot(page, 'colleague.sqlite.gz', testSnapshot, 'merge')).ok).toBe(true);
    const before = await exportInPage(page);

    const other = new SQL.Database();
    other.exec(`PRAGMA application_id = ${0x12345678}; CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('hello')`);
    const otherApp = other.export();
    other.close();
    const plain = new SQL.Database();
    plain.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    const plainSqlite = plain.export();
    plain.close();
    const newer = createDatabase(SQL);
    newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    const newerBytes = exportSnapshot(newer, { gzip: true });
    newer.close();
    const truncated = testSnapshot.slice(0, Math.floor(testSnapshot.length / 2));

    const cases: [string, Uint8Array, RegExp][] = [
      ['notes.txt', enc.encode('these are my notes, not a database\n'.repeat(10)), /notes\.txt: not an SQLite database/],
      ['other-app.sqlite', otherApp, /other-app\.sqlite: an SQLite database of another application \(application_id 0x12345678/],
      ['plain.db', plainSqlite, /plain\.db: an SQLite database, but not a MediaForge snapshot/],
      ['from-the-future.sqlite.gz', newerBytes, new RegExp(`from-the-future\\.sqlite\\.gz: made by a newer MediaForge: schema version ${SCHEMA_VERSION + 1} is newer than this MediaForge understands \\(${SCHEMA_VERSION}\\); update the app`)],
      ['half.sqlite.gz', truncated, /half\.sqlite\.gz: gzip data is damaged or truncated/],
    ];
    for (const [name, bytes, message] of cases) {
      for (const mode of ['replace', 'merge'] as const) {
        const r = await importSnapshot(page, name, bytes, mode);
        expect(r.ok, `${name} (${mode}) was accepted`).toBe(false);
        expect(r.text, name).toMatch(message);
        expect(r.text).toContain('Your database was not changed.');
        if (name === 'from-the-future.sqlite.gz') {
          expect(r.text).toContain('Update MediaForge');
          await screenshot(page, 'db-import-error');
        }
      }
    }
    const after = await exportInPage(page);
    expect(after.bytes.length).toBe(before.bytes.length);
    expect(Buffer.compare(Buffer.from(after.bytes), Buffer.from(before.bytes))).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('asks before replacing the database; answering no changes nothing', async () => {
    const { context, page, errors } = await openDatabase(app.browser, app.server.url);
    expect((await importSnapshot(page, 'colleague.sqlite.gz', testSnapshot, 'merge')).ok).toBe(true);
    const before = await exportInPage(page);
    const merge = page.getByTestId('import-merge');
    if (await merge.isChecked()) await merge.click();
    await expect(page.getByTestId('import-replace-warning').textContent()).resolves.toMatch(/replace/);
    const question = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(`${d.type()}: ${d.message()}`);
        void d.dismiss();
      }),
    );
    expect(await chooseImportFile(page, 'bundled-again.sqlite.gz', before.bytes)).toBe('preview');
    await page.getByTestId('import-confirm').click();
    expect(await question).toMatch(/^confirm: Replace your database with bundled-again\.sqlite\.gz\?[\s\S]*\d+ genomes and their links[\s\S]*Export it first/);
    await page.waitForTimeout(500);
    expect(await page.locator('[data-testid="import-result"], [data-testid="import-error"]').count()).toBe(0);
    const after = await exportInPage(page);
    expect(Buffer.compare(Buffer.from(after.bytes), Buffer.from(before.bytes))).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('merges another user’s snapshot without duplicating genomes', async () => {
    const { context, page, errors } = await openDatabase(app.browser, app.server.url);
    const genomesBefore = (await genomeRows(page)).length;
    const first = await importSnapshot(page, 'colleague.sqlite.gz', testSnapshot, 'merge');
    expect(first.ok, first.text).toBe(true);
    expect(first.text).toMatch(/Merged colleague\.sqlite\.gz: 1 genomes added \(0 already here\)/);
    const second = await importSnapshot(page, 'colleague-again.sqlite.gz', testSnapshot, 'merge');
    expect(second.text).toMatch(/0 genomes added \(1 already here\)/);
    const rows = await genomeRows(page);
    expect(rows.length).toBe(genomesBefore + 1);
    const mine = rows.filter((r) => r.origin === 'user');
    expect(mine).toHaveLength(1);
    expect(mine[0].link).toBe('strain');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps an imported snapshot across a reload (IndexedDB)', async () => {
    const { context, page, errors } = await openDatabase(app.browser, app.server.url);
    expect((await importSnapshot(page, 'colleague.sqlite.gz', testSnapshot, 'replace')).ok).toBe(true);
    const before = await queryResults(page);
    await page.reload();
    await page.locator('header nav').getByRole('button', { name: 'Database' }).click();
    await page.locator('[data-testid="database-page"][data-status="ready"]').waitFor({ timeout: 60_000 });
    expect((await page.getByTestId('db-saved').textContent())!.replace(/\s+/g, ' ')).toContain('(imported colleague.sqlite.gz)');
    expect(await queryResults(page)).toEqual(before);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a tab closed while saving leaves the previous or the new database, never a broken one', async () => {
    const { context, page } = await openDatabase(app.browser, app.server.url);
    const infoText = async (p: import('playwright-core').Page) => (await p.getByTestId('db-info').textContent())!.replace(/\s+/g, ' ');
    const files = { bundled: bundledSnapshotBytes(), colleague: testSnapshot };
    const infos: Record<string, string> = { bundled: await infoText(page) };
    // What each database looks like when its import completes.
    expect((await importSnapshot(page, 'colleague.sqlite.gz', files.colleague, 'replace')).ok).toBe(true);
    infos.colleague = await infoText(page);
    expect((await importSnapshot(page, 'bundled.sqlite.gz', files.bundled, 'replace')).ok).toBe(true);
    expect(await infoText(page)).toBe(infos.bundled);
    expect(infos.colleague).not.toBe(infos.bundled);
    let state: 'bundled' | 'colleague' = 'bundled';
    let current = page;
    const outcomes: string[] = [];
    for (const delayMs of [0, 40, 120, 250, 500, 1000]) {
      // Start replacing the database with the other file, and close the tab partway (check, replace, save).
      const next: 'bundled' | 'colleague' = state === 'bundled' ? 'colleague' : 'bundled';
      const merge = current.getByTestId('import-merge');
      if (await merge.isChecked()) await merge.click();
      current.once('dialog', (d) => void d.accept()); // "Replace your database with …?"
      expect(await chooseImportFile(current, `${next}.sqlite.gz`, files[next])).toBe('preview');
      await current.getByTestId('import-confirm').click();
      await current.waitForTimeout(delayMs);
      await current.close();
      // A new tab opens whatever was saved last, completely.
      current = await context.newPage();
      const errors: string[] = [];
      current.on('pageerror', (e) => errors.push(e.message));
      await current.goto(app.server.url);
      await current.locator('header nav').getByRole('button', { name: 'Database' }).click();
      await current.locator('[data-testid="database-page"][data-status="ready"]').waitFor({ timeout: 90_000 });
      const info = await infoText(current);
      expect((await current.getByTestId('db-saved').textContent())!).not.toContain('could not');
      const now: 'bundled' | 'colleague' | null = info === infos[state] ? state : info === infos[next] ? next : null;
      expect(now, `closed ${delayMs} ms into replacing ${state} with ${next}: ${info}`).not.toBeNull();
      outcomes.push(`${delayMs} ms: ${now === next ? 'new' : 'previous'}`);
      state = now!;
      expect(errors).toEqual([]);
    }
    // Which delays land before or after the switch depends on the machine: reported, not asserted.
    console.log(`tab closed while saving: ${outcomes.join(', ')}`);
    await context.close();
  });
});
