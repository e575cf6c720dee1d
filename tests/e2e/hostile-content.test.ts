/**
 * Hostile content is shown as text, never as HTML (issue 11, part 5, display). A FASTA file whose
 * name and headers hold HTML/script payloads, very long and RTL/unicode text is profiled, added to
 * the database with a hostile species and strain, and looked at everywhere it appears: its profile
 * row, its per-record neighbour table, the Media tab, the Database tab's genome list, the map
 * (search, details, hover tooltip) and the neighbour table of a second file whose nearest genome it
 * is. A snapshot whose medium name holds HTML and whose recipe link is a `javascript:` URL is
 * imported and its medium shown. Each payload would set `window.__pwned` or add an element with an
 * `on…` attribute if it ran: after each step neither happened, and the literal text is on the page.
 */
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { importSnapshot, openBundledInNode, randomFasta, searchMedia, section, showDatabase, viewportScreenshot } from './db-helpers';
import { useBrowserAndServer, waitForRow } from './helpers';
import { rootWithModel } from './vae-helpers';

const FILE_NAME = `"><svg onload="window.__pwned='file'"><img src=x onerror="window.__pwned='file-img'">\u202Eaf.txt.fa`;
const COPY_NAME = 'plain-copy.fa';
const HEADERS = [
  `<script>window.__pwned='script'</script> first record`,
  `"><img src=x onerror="window.__pwned='header'"> ${'very long description '.repeat(120)}`,
  `\u202Erecord-three\u202C مرحبا שלום <b onmouseover="window.__pwned='rtl'">bold</b> 🧫`,
];
/** Record ids: the header up to the first space. */
const RECORD_IDS = HEADERS.map((h) => h.split(' ')[0]);
const SPECIES = `<img src=x onerror="window.__pwned='species'"> Bacillus hostilis`;
const STRAIN = `"><svg onload="window.__pwned='strain'"> DSM-X`;
const MEDIUM_NAME = `<img src=x onerror="window.__pwned='medium'"> Hostile broth <script>window.__pwned='medium-script'</script>`;

function hostileFasta(): Buffer {
  // Three distinct records of 30 kbp each (randomFasta gives one record; its header is replaced).
  const records = HEADERS.map((h, i) => `>${h}\n${randomFasta('x', 30_000, 7 + i).split('\n').slice(1).join('\n')}`);
  return Buffer.from(records.join(''), 'utf8');
}

const app = useBrowserAndServer({ root: rootWithModel });

/** No payload ran: the flag is unset, and no element carries an event-handler attribute or the payload's image. */
async function expectInert(page: Page, where: string): Promise<void> {
  const state = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
    handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName.toLowerCase()}[${a.name}]`)),
    images: document.querySelectorAll('img[src="x"]').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent?.includes('__pwned')).length,
    bold: document.querySelectorAll('b').length,
  }));
  expect({ where, ...state }).toEqual({ where, pwned: null, handlers: [], images: 0, scripts: 0, bold: 0 });
}

/** Text of every element matching `selector`. */
const texts = (page: Page, selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => e.textContent ?? ''));

/** The profile row of a file (by data-file, compared in the page: the name is not CSS-safe). */
const rowText = (page: Page, file: string, selector: string) =>
  page.evaluate(
    ([f, s]) => {
      const row = [...document.querySelectorAll<HTMLElement>('[data-testid="profile-row"]')].find((r) => r.dataset.file === f);
      return row?.querySelector(s)?.textContent ?? null;
    },
    [file, selector] as const,
  );

describe('hostile content is shown as text', () => {
  it('a hostile file name, FASTA headers, species and strain appear literally on every tab', async () => {
    const { context, page, errors } = await app.open();
    await page.getByTestId('fasta-input').setInputFiles({ name: FILE_NAME, mimeType: 'text/plain', buffer: hostileFasta() });
    expect(await waitForRow(page, FILE_NAME, ['done', 'error', 'cancelled'])).toBe('done');
    expect(await rowText(page, FILE_NAME, '.name')).toBe(FILE_NAME);
    expect(await rowText(page, FILE_NAME, '[data-testid="cell-records"]')).toBe('3');
    await expectInert(page, 'profile row');

    // The per-record neighbour table lists the record ids (from the headers).
    await page.locator('[data-testid="neighbors-panel"][data-status="done"]').first().waitFor({ timeout: 120_000 });
    await page.getByTestId('embed-records').click();
    await page.getByTestId('record-neighbor-row').first().waitFor({ timeout: 120_000 });
    expect(await texts(page, '[data-testid="record-neighbor-row"] td.id')).toEqual(RECORD_IDS);
    await expectInert(page, 'record neighbours');

    // Media tab: the genome is named by its file name.
    await page.getByTestId('open-media').click();
    await page.getByTestId('media-genome').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('media-genome').textContent()).toBe(FILE_NAME);
    await expectInert(page, 'media tab');

    // Database tab: add it with a hostile species and strain; the genome list shows them as text.
    await showDatabase(page);
    await section(page, 'genomes');
    const addRow = page.getByTestId('add-profiled-row');
    expect(await addRow.locator('td.file').textContent()).toBe(FILE_NAME);
    await addRow.getByTestId('add-species').fill(SPECIES);
    await addRow.getByTestId('add-strain').fill(STRAIN);
    await addRow.getByTestId('add-type').selectOption('bacteria');
    await page.getByTestId('add-profiled').click();
    const result = page.getByTestId('add-profiled-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toContain(`${FILE_NAME}: added as genome`);
    const mine = page.locator('[data-testid="genome-row"][data-origin="user"]');
    await mine.waitFor({ timeout: 30_000 });
    const genomeName = (await mine.locator('.name').textContent())!;
    console.log(`[e2e] the hostile genome is listed as: ${JSON.stringify(genomeName)}`);
    expect(genomeName).toContain(SPECIES);
    expect(await mine.textContent()).toContain(STRAIN);
    await expectInert(page, 'genome list');
    await viewportScreenshot(page, 'hostile-genome-list');

    // Map: search finds it, the details and the hover tooltip name it literally.
    await page.locator('header nav').getByRole('button', { name: 'Map' }).click();
    await page.locator('[data-testid="latent-map"][data-status="drawn"]').waitFor({ timeout: 120_000 });
    await page.getByTestId('map-search').fill('Bacillus hostilis');
    const hit = page.getByTestId('map-search-result').first();
    await hit.waitFor({ timeout: 30_000 });
    expect(await hit.textContent()).toContain(SPECIES);
    await hit.click();
    await page.getByTestId('map-details-name').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('map-details-name').textContent()).toBe(genomeName);
    await expectInert(page, 'map details');
    const mapRow = Number(await page.getByTestId('map-details').getAttribute('data-row'));
    await page.waitForTimeout(900); // the fly-to transition
    const box = (await page.getByTestId('latent-map').boundingBox())!;
    const [x, y] = await page.evaluate((r) => (window as unknown as { __mediaforgeMap: { project(row: number): [number, number] } }).__mediaforgeMap.project(r), mapRow);
    await page.mouse.move(box.x + x - 30, box.y + y - 30);
    await page.mouse.move(box.x + x, box.y + y, { steps: 4 });
    const tip = page.getByTestId('map-tooltip');
    await tip.waitFor({ timeout: 10_000 });
    // The profiled file is drawn where its database twin sits (same sequence): the tooltip names
    // whichever is on top, the file or the genome; either way literally.
    const tipText = (await tip.textContent())!;
    console.log(`[e2e] map tooltip: ${JSON.stringify(tipText)}`);
    expect(tipText.includes(FILE_NAME) || tipText.includes(genomeName)).toBe(true);
    await expectInert(page, 'map tooltip');

    // A second file with the same sequence: its nearest database genome is the hostile one.
    await page.locator('header nav').getByRole('button', { name: 'Profile' }).click();
    await page.getByTestId('fasta-input').setInputFiles({ name: COPY_NAME, mimeType: 'text/plain', buffer: hostileFasta() });
    expect(await waitForRow(page, COPY_NAME, ['done', 'error', 'cancelled'])).toBe('done');
    const panel = page.locator(`[data-testid="neighbors-panel"][data-file="${COPY_NAME}"]`);
    await panel.and(page.locator('[data-status="done"]')).waitFor({ timeout: 120_000 });
    const first = panel.getByTestId('neighbor-row').first();
    expect(await first.locator('td.name').textContent()).toBe(genomeName);
    expect(await first.locator('td.species').textContent()).toBe(SPECIES);
    await expectInert(page, 'neighbour table');
    await viewportScreenshot(page, 'hostile-profile');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an imported snapshot’s medium name with HTML is shown as text, and its javascript: recipe link is not made a link', async () => {
    const { db } = await openBundledInNode();
    const id = String(db.exec(`SELECT id FROM media WHERE link IS NOT NULL ORDER BY id LIMIT 1`)[0].values[0][0]);
    db.run(`UPDATE media SET name = ?, link = ? WHERE id = ?`, [MEDIUM_NAME, `javascript:window.__pwned='link'`, id]);
    const bytes = gzipSync(db.export());
    db.close();

    const { context, page, errors } = await app.open();
    await showDatabase(page);
    const outcome = await importSnapshot(page, 'hostile.sqlite.gz', bytes, 'replace');
    expect(outcome.ok).toBe(true);
    await section(page, 'media');
    const results = await searchMedia(page, 'Hostile broth');
    expect(results).toHaveLength(1);
    expect(results[0].startsWith(`${id}|`)).toBe(true);
    expect(results[0]).toContain(MEDIUM_NAME);
    await expectInert(page, 'media search');
    await page.locator(`[data-testid="media-results"] [data-medium-id="${id}"]`).first().click();
    const recipe = page.getByTestId('recipe-view');
    await recipe.waitFor({ timeout: 30_000 });
    expect(await recipe.locator('h2').textContent()).toBe(`Medium ${id} ${MEDIUM_NAME}`);
    expect(await page.getByTestId('recipe-pdf').count()).toBe(0); // a javascript: URL is never a link
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    await expectInert(page, 'recipe view');
    await viewportScreenshot(page, 'hostile-medium');
    expect(errors).toEqual([]);
    await context.close();
  });
});
