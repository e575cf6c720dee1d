/**
 * Database tab, first visit: the bundled snapshot loads in the worker (with progress), media
 * search by name and ingredient, the recipe view (g/L, mmol/L, stock lines marked, DSMZ PDF),
 * strain search by DSM number, and the quality report. What the page shows is checked against the
 * same snapshot opened with sql.js in Node (plain SQL, not the app's query code).
 */
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStats } from '../../src/db/stats';
import { bundledSnapshotBytes, openBundledInNode, searchMedia, searchStrains, section, showDatabase } from './db-helpers';
import { longTasksSince, pageNow, screenshot, useBrowserAndServer } from './helpers';

const app = useBrowserAndServer();
let ref: Database;

beforeAll(async () => {
  ref = (await openBundledInNode()).db;
});

afterAll(async () => {
  ref?.close();
});

const q = (sql: string, params: (string | number)[] = []) => ref.exec(sql, params)[0]?.values ?? [];

describe('Database tab on a first visit', () => {
  it('loads the bundled database with progress, without blocking the page, and finds real media by name', async () => {
    const { context, page, errors } = await app.open();
    // Serve the snapshot with a Content-Length, as static web servers do (the test server streams without one).
    const snapshot = Buffer.from(bundledSnapshotBytes());
    // Held back until the loading state has been photographed.
    let release!: () => void;
    const released = new Promise<void>((ok) => (release = ok));
    await page.route('**/mediaforge-snapshot.sqlite.gz', async (route) => {
      await released;
      await route.fulfill({ status: 200, body: snapshot, headers: { 'content-type': 'application/gzip', 'content-length': String(snapshot.length) } });
    });
    // Record every loading message the page shows.
    await page.evaluate(() => {
      const w = window as unknown as { __dbLoading: string[] };
      w.__dbLoading = [];
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="db-loading"] h2')?.textContent;
        if (t && w.__dbLoading.at(-1) !== t) w.__dbLoading.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const t0 = await pageNow(page);
    await page.locator('header nav').getByRole('button', { name: 'Database' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="db-loading"] h2')?.textContent === 'Loading bundled database…');
    await screenshot(page, 'db-loading');
    release();
    await showDatabase(page);
    const messages = await page.evaluate(() => (window as unknown as { __dbLoading: string[] }).__dbLoading);
    expect(messages.some((m) => /^Loading bundled database \(\d+(\.\d)? MB\)…$/.test(m)), messages.join(' | ')).toBe(true);
    const longTasks = await longTasksSince(page, t0);
    expect(longTasks.filter((t) => t.duration > 200), JSON.stringify(longTasks)).toEqual([]);

    const info = (await page.getByTestId('db-info').textContent())!.replace(/\s+/g, ' ');
    const media = Number(q('SELECT count(*) FROM media')[0][0]);
    expect(info).toContain(`${media.toLocaleString('en-US')} media`);
    expect((await page.getByTestId('storage-estimate').textContent())!.replace(/\s+/g, ' ')).toMatch(/Storage: [\d.]+ (kB|MB|GB) used of [\d.]+ (MB|GB) quota/);
    expect(await page.getByTestId('db-credits').textContent()).toMatch(/MediaDive[\s\S]*BacDive[\s\S]*CC BY 4\.0[\s\S]*SILVA SSU Ref 93/);

    for (const word of ['marine', 'R2A']) {
      const hits = await searchMedia(page, word);
      const expected = q("SELECT id FROM media WHERE name LIKE '%' || ? || '%'", [word]).map((r) => String(r[0]));
      expect(expected.length).toBeGreaterThan(0);
      const ids = hits.map((h) => h.split('|')[0]);
      for (const id of expected.slice(0, 20)) expect(ids, `${word} → medium ${id}`).toContain(id);
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says clearly when the bundled database cannot be loaded, and can try again', async () => {
    const { context, page } = await app.open();
    let fail = true;
    let requests = 0;
    await page.route('**/mediaforge-snapshot.sqlite.gz', (route) => {
      requests++;
      return fail ? route.fulfill({ status: 404, body: 'not found' }) : route.continue();
    });
    await page.locator('header nav').getByRole('button', { name: 'Database' }).click();
    const err = page.getByTestId('db-load-error');
    await err.waitFor({ timeout: 60_000 });
    const text = (await err.textContent())!.replace(/\s+/g, ' ');
    expect(text).toMatch(/mediaforge-snapshot\.sqlite\.gz: not found on the server \(HTTP 404\)/);
    expect(text).toContain('npx mediaforge db build');
    await screenshot(page, 'db-load-error');
    // A failed load waits for the user (it once retried by itself in a loop).
    await page.waitForTimeout(1000);
    expect(requests).toBe(1);
    fail = false;
    await err.getByRole('button', { name: 'Try again' }).click();
    await page.locator('[data-testid="database-page"][data-status="ready"]').waitFor({ timeout: 90_000 });
    await context.close();
  });

  it('shows a bench-ready recipe: solutions, g/L and mmol/L with units, stock lines marked, the DSMZ PDF', async () => {
    const { context, page, errors } = await app.open();
    await showDatabase(page);
    // A medium with final and stock lines and a PDF link, among those named "marine" if possible.
    const [mid, mname, link] = q(
      `SELECT m.id, m.name, m.link FROM media m WHERE m.link IS NOT NULL
         AND EXISTS (SELECT 1 FROM media_composition c WHERE c.medium_id = m.id AND c.conc_basis = 'final_medium' AND c.mmol_per_l IS NOT NULL)
         AND EXISTS (SELECT 1 FROM media_composition c WHERE c.medium_id = m.id AND c.conc_basis = 'stock_solution')
       ORDER BY m.name NOT LIKE '%MARINE%', (SELECT count(*) FROM strain_growth g WHERE g.medium_id = m.id) DESC LIMIT 1`,
    )[0].map(String);
    await searchMedia(page, mid);
    await page.locator(`[data-testid="media-results"] [data-medium-id="${mid}"]`).click();
    const view = page.getByTestId('recipe-view');
    await view.waitFor();
    expect(await view.getAttribute('data-medium-id')).toBe(mid);
    const head = (await view.locator('h2').textContent())!.replace(/\s+/g, ' ');
    expect(head).toContain(`Medium ${mid}`);
    expect(head).toContain(mname);
    expect(await view.getByTestId('recipe-pdf').getAttribute('href')).toBe(link);
    expect(await view.getByTestId('recipe-type').textContent()).toMatch(/Complex medium|Chemically defined medium/);
    expect(await view.getByTestId('recipe-ph').textContent()).toMatch(/^pH [\d.–]+$/);

    const lines = await view.getByTestId('recipe-line').evaluateAll((els) =>
      els.map((e) => ({ basis: e.getAttribute('data-basis'), cells: [...e.querySelectorAll('td')].map((td) => td.textContent!.trim()) })),
    );
    const expected = q('SELECT count(*) FROM media_composition WHERE medium_id = ?', [mid])[0][0];
    expect(lines.length).toBe(Number(expected));
    // A final line with a molar mass: g/L and mmol/L printed with units and matching the database.
    const [ing, g, mmol] = q(
      `SELECT i.name, c.g_per_l, c.mmol_per_l FROM media_composition c JOIN ingredients i ON i.id = c.ingredient_id
       WHERE c.medium_id = ? AND c.conc_basis = 'final_medium' AND c.mmol_per_l IS NOT NULL ORDER BY c.solution_id, c.recipe_order LIMIT 1`,
      [mid],
    )[0];
    const line = lines.find((l) => l.basis === 'final_medium' && l.cells[0] === ing)!;
    expect(line, String(ing)).toBeDefined();
    expect(line.cells[1]).toMatch(/ g\/L$/);
    expect(parseFloat(line.cells[1])).toBeCloseTo(Number(g), 3);
    expect(line.cells[2]).toMatch(/ mM$/);
    expect(parseFloat(line.cells[2]) / Number(mmol)).toBeCloseTo(1, 3);
    // Stock lines are labelled as such, and a legend explains them.
    const stock = lines.filter((l) => l.basis === 'stock_solution');
    expect(stock.length).toBeGreaterThan(0);
    for (const l of stock) expect(l.cells[0]).toMatch(/stock$/);
    expect(await view.textContent()).toContain('per litre of that stock');
    await screenshot(page, 'db-media-recipe');

    // Ingredient search names the ingredient that matched.
    const hits = await searchMedia(page, 'glucose');
    expect(hits.some((h) => /contains .*glucose/i.test(h))).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('finds a strain by DSM number and lists the media it grows on', async () => {
    const { context, page, errors } = await app.open();
    await showDatabase(page);
    await section(page, 'strains');
    const [sid, dsm, species] = q(
      `SELECT s.id, s.dsm_number, s.species FROM strains s WHERE s.dsm_number IS NOT NULL
       AND (SELECT count(*) FROM strain_growth g WHERE g.strain_id = s.id) > 0 ORDER BY s.id LIMIT 1`,
    )[0];
    const media = q('SELECT medium_id FROM strain_growth WHERE strain_id = ? ORDER BY medium_id', [Number(sid)]).map((r) => String(r[0]));
    const number = String(dsm).replace('DSM ', '');
    const rows = await searchStrains(page, `dsm${number}`);
    expect(rows.length).toBeGreaterThan(0);
    const row = page.locator(`[data-testid="strain-row"][data-strain-id="${sid}"]`);
    expect(await row.textContent()).toContain(String(species));
    const shown = await row.locator('[data-medium-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-medium-id')));
    expect(shown).toEqual(media);
    // By species, too.
    await searchStrains(page, String(species));
    expect(await page.locator(`[data-testid="strain-row"][data-strain-id="${sid}"]`).count()).toBe(1);
    await searchStrains(page, `DSM ${number}`);
    await screenshot(page, 'db-strains');
    // A medium of the strain opens its recipe.
    await page.locator(`[data-testid="strain-row"][data-strain-id="${sid}"] [data-medium-id="${media[0]}"]`).click();
    await page.locator(`[data-testid="recipe-view"][data-medium-id="${media[0]}"]`).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the quality report with the numbers of the DB helper’s stats and a per-domain chart', async () => {
    const { context, page, errors } = await app.open();
    await showDatabase(page);
    await section(page, 'quality');
    await page.getByTestId('chart-domains').waitFor({ timeout: 60_000 });
    const stats = collectStats(ref);
    for (const key of ['media.withoutComposition', 'strains.withoutMedium', 'links.unlinked', 'genomes.duplicates']) {
      expect(Number(await page.getByTestId(`stat-${key}`).getAttribute('data-value')), key).toBe(stats.values[key]);
    }
    const bars = await page.getByTestId('chart-domains').locator('[data-label]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-label'), Number(e.getAttribute('data-value'))]));
    const domains = q('SELECT domain, count(*) FROM strains GROUP BY domain ORDER BY count(*) DESC').map(([d, n]) => [d === null ? 'unknown' : String(d), Number(n)]);
    expect(bars).toEqual(domains);
    expect(await page.getByTestId('stats-section').count()).toBe(stats.sections.length);
    await screenshot(page, 'db-quality');
    expect(errors).toEqual([]);
    await context.close();
  });
});
