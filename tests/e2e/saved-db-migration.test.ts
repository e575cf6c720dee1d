/**
 * DB migrations on update (issue 10 part 2): a database that an older MediaForge saved in this
 * browser (schema 4, before the latent map's projection cache) is opened by this version,
 * migrated to its schema, and the user's data in it (a genome, a lab outcome with its note) is
 * kept. The old image is put into IndexedDB exactly as the app's image store lays it out (a
 * pointer and a slot), before the app first runs on the origin.
 */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { addGenome } from '../../src/db/genomes';
import { importMediadive, MEDIADIVE_FILES, type MediadiveTexts } from '../../src/db/import-mediadive';
import { recordLabOutcome } from '../../src/db/lab-outcomes';
import { migrate, readPragmaInt, SCHEMA_VERSION } from '../../src/db/migrations';
import { loadSqlJs } from '../../src/db/node-files';
import { FIXTURES } from '../helpers/data';
import { exportSnapshot as exportInPage, randomFasta, showDatabase } from './db-helpers';
import { useBrowserAndServer } from './helpers';

const app = useBrowserAndServer();

describe('a database saved by an older version', () => {
  it('is migrated to this schema on open, with the user\'s genome and lab outcome kept', async () => {
    expect(SCHEMA_VERSION).toBeGreaterThan(4);
    const SQL = await loadSqlJs();
    const old = new SQL.Database();
    migrate(old, 4, 'old database');
    old.exec('PRAGMA foreign_keys = ON');
    const dir = join(FIXTURES, 'mediadive');
    importMediadive(old, Object.fromEntries(MEDIADIVE_FILES.map((f) => [f, readFileSync(join(dir, `${f}.tsv`), 'utf8')])) as MediadiveTexts);
    const p = await profileSource(bytesSource('old-isolate.fa', new TextEncoder().encode(randomFasta('old-isolate', 20_000, 11))));
    const genomeId = (await addGenome(old, p, { species: 'Bacillus subtilis', strain: 'kept across the update', organismType: 'bacteria', sourceFile: 'old-isolate.fa' })).genomeId;
    const mediumId = String(old.exec('SELECT id FROM media ORDER BY id LIMIT 1')[0].values[0][0]);
    recordLabOutcome(old, { genomeId, mediumId, grew: true, testedOn: '2026-11-30', note: 'saved by the old version' });
    expect(readPragmaInt(old, 'user_version')).toBe(4);
    const image = old.export();
    old.close();

    const { context, page, errors } = await app.open({
      // Before the app runs on this origin: the old version's saved image, as its image store wrote it.
      beforeGoto: async (ctx) => {
        const pg = await ctx.newPage();
        await pg.route(`${app.server.url}old-version.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>old</title>' }));
        await pg.goto(`${app.server.url}old-version.html`);
        await pg.evaluate(async (bytes) => {
          const idb = await new Promise<IDBDatabase>((ok, fail) => {
            const req = indexedDB.open('mediaforge', 1);
            req.onupgradeneeded = () => req.result.createObjectStore('db-images');
            req.onsuccess = () => ok(req.result);
            req.onerror = () => fail(req.error);
          });
          const tx = idb.transaction('db-images', 'readwrite');
          tx.objectStore('db-images').put(new Blob([new Uint8Array(bytes)]), 'slot-a');
          tx.objectStore('db-images').put({ slot: 'a', bytes: bytes.length, savedAt: '2026-11-30T12:00:00.000Z', label: 'saved by MediaForge (schema 4)' }, 'current');
          await new Promise<void>((ok, fail) => {
            tx.oncomplete = () => ok();
            tx.onerror = () => fail(tx.error);
          });
          idb.close();
        }, Array.from(image));
        await pg.close();
      },
    });
    await showDatabase(page);
    const infoText = (await page.getByTestId('db-info').textContent())!.replace(/\s+/g, ' ');
    expect(infoText).toContain(`schema v${SCHEMA_VERSION}`);
    expect(infoText).toMatch(/\b1 genomes\b/);
    const exported = await exportInPage(page);
    const check = new SQL.Database(gunzipSync(exported.bytes));
    expect(readPragmaInt(check, 'user_version')).toBe(SCHEMA_VERSION);
    expect(check.exec("SELECT count(*) FROM sqlite_master WHERE name = 'projections'")[0].values[0][0]).toBe(1);
    expect(check.exec("SELECT species, strain FROM genomes")[0].values).toEqual([['Bacillus subtilis', 'kept across the update']]);
    expect(check.exec('SELECT medium_id, grew, note FROM lab_outcomes')[0].values).toEqual([[mediumId, 1, 'saved by the old version']]);
    check.close();
    expect(errors).toEqual([]);
    await context.close();
  });
});
