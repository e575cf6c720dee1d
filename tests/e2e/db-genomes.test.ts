/**
 * Genomes on the Database tab: a genome profiled on the Profile tab is added to the database and
 * linked by the culture-collection number the user types; the user corrects the link by typing
 * another number (growth is propagated again); everything survives a reload (IndexedDB).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genomeRows, openBundledInNode, randomFasta, section, showDatabase, viewportScreenshot } from './db-helpers';
import { useBrowserAndServer, waitForRow } from './helpers';

const app = useBrowserAndServer();
let ref: Database;

beforeAll(async () => {
  ref = (await openBundledInNode()).db;
});

afterAll(async () => {
  ref?.close();
});

/** Strains with a DSM number and growth records, of two different genera. */
function twoStrains(): { id: number; dsm: string; species: string }[] {
  const rows = ref.exec(
    `SELECT s.id, s.dsm_number, s.species FROM strains s WHERE s.dsm_number IS NOT NULL AND s.species LIKE '% %'
     AND EXISTS (SELECT 1 FROM strain_growth g WHERE g.strain_id = s.id) ORDER BY s.id LIMIT 200`,
  )[0].values.map(([id, dsm, species]) => ({ id: Number(id), dsm: String(dsm), species: String(species) }));
  const a = rows[0];
  const b = rows.find((r) => r.species.split(' ')[0] !== a.species.split(' ')[0])!;
  return [a, b];
}

async function userRow(page: Page) {
  const rows = await genomeRows(page);
  const mine = rows.filter((r) => r.origin === 'user');
  expect(mine).toHaveLength(1);
  const row = page.locator(`[data-testid="genome-row"][data-genome-id="${mine[0].id}"]`);
  return { ...mine[0], row, label: ((await row.locator('.sub').first().textContent()) ?? '').trim() };
}

describe('genomes in the browser database', () => {
  it('adds a profiled genome linked by a typed DSM number, corrects the link, and keeps both across a reload', async () => {
    const [first, second] = twoStrains();
    const dir = mkdtempSync(join(tmpdir(), 'mf-genome-'));
    const file = 'my-isolate.fa';
    writeFileSync(join(dir, file), randomFasta('my isolate 7', 40_000, 2024));

    const { context, page, errors } = await app.open();
    await page.getByTestId('fasta-input').setInputFiles(join(dir, file));
    expect(await waitForRow(page, file, ['done', 'error', 'cancelled'])).toBe('done');

    await showDatabase(page);
    await section(page, 'genomes');
    const addRow = page.locator(`[data-testid="add-profiled-row"][data-file="${file}"]`);
    await addRow.getByTestId('add-species').fill(first.species);
    await addRow.getByTestId('add-strain').fill(`isolate 7 = ${first.dsm.replace(' ', '')}`);
    await addRow.getByTestId('add-type').selectOption('bacteria');
    await page.getByTestId('add-profiled').click();
    const result = page.getByTestId('add-profiled-result');
    await result.waitFor({ timeout: 60_000 });
    expect((await result.textContent())!.replace(/\s+/g, ' ')).toMatch(new RegExp(`${file}: added as genome \\d+; linked at strain level`));

    let mine = await userRow(page);
    expect(mine.link).toBe('strain');
    expect(mine.label).toContain(`${first.dsm} (bacdive:${first.id})`);
    const mediaOfFirst = ref.exec('SELECT count(*) FROM strain_growth WHERE strain_id = ?', [first.id])[0].values[0][0] as number;
    expect(Number(await mine.row.locator('td.num').last().textContent())).toBeGreaterThanOrEqual(mediaOfFirst);

    // Review: a number that is not in the database is refused with a clear message.
    await mine.row.getByTestId('genome-review').click();
    const editor = page.getByTestId('link-editor');
    await editor.getByTestId('link-ccno').fill('DSM 999999999');
    await editor.getByTestId('link-set').click();
    expect(await editor.getByTestId('link-error').textContent()).toContain('DSM 999999999 is not in the database');
    // Correct it to another strain by typing its number.
    await editor.getByTestId('link-ccno').fill(second.dsm.toLowerCase().replace(' ', ''));
    await editor.getByTestId('link-set').click();
    expect(await editor.getByTestId('link-done').textContent()).toContain(`Linked to bacdive:${second.id}`);
    await page.waitForFunction(
      (label) => [...document.querySelectorAll('[data-testid="genome-row"][data-origin="user"] .sub')].some((e) => e.textContent?.includes(label)),
      `${second.dsm} (bacdive:${second.id})`,
    );
    mine = await userRow(page);
    expect(mine.link).toBe('strain');
    expect(await mine.row.textContent()).toContain('reviewed');
    await viewportScreenshot(page, 'db-genomes');

    // Reload: the genome and the corrected link come back from IndexedDB.
    await page.reload();
    await showDatabase(page);
    expect((await page.getByTestId('db-saved').textContent())!.replace(/\s+/g, ' ')).toContain('(linked genome');
    const after = await userRow(page);
    expect(after.text).toBe(mine.text);
    expect(after.link).toBe('strain');
    expect(after.label).toContain(`${second.dsm} (bacdive:${second.id})`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
