/**
 * The Media tab, in Chromium with the bundled snapshot: a genome dropped on the Profile page →
 * "Media" on its row → growth conditions predicted from the genome (with units and intervals),
 * MediaDive media ranked with reasons, generated recipes (when the database holds a recipe
 * model, which the bundled snapshot must hold); editing a condition changes the ranking (rank changes marked) and Reset brings it back;
 * a lab outcome moves its medium (grew → first, no growth → last) and is still there after a
 * reload, when the same sequence is dropped again under another file name and header.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlJs } from '../../src/db/node-files';
import { RECIPE_CVAE_KIND } from '../../src/ml/recipe-cvae-model';
import { fixture, HAS_SHARED_DATA, sharedGenome } from '../helpers/data';
import { bundledSnapshotBytes } from './db-helpers';
import { download, longTasksSince, pageNow, screenshot, SCREENSHOTS, useBrowserAndServer, waitForRow } from './helpers';

/** The app is served from dist/, whose bundled snapshot must hold a recipe CVAE (recipes are generated with it). */
async function bundledHasRecipeModel(): Promise<boolean> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(gunzipSync(bundledSnapshotBytes()));
  try {
    return Number(db.exec('SELECT count(*) FROM models WHERE kind = ?', [RECIPE_CVAE_KIND])[0].values[0][0]) > 0;
  } finally {
    db.close();
  }
}

const app = useBrowserAndServer();

beforeAll(async () => {
  if (!(await bundledHasRecipeModel())) throw new Error('the bundled snapshot holds no recipe CVAE: bundle one with `mediaforge db build --cvae FILE`');
});

/** An isolate the database does not hold: the first ~420 kbp of M. genitalium G37 (another content hash). */
const GENOME = 'isolate-a.fa';
const dir = mkdtempSync(join(tmpdir(), 'mf-media-'));
const mgFasta = gunzipSync(readFileSync(fixture('mycoplasma-genitalium-g37.fa.gz'))).toString('utf8');
const [mgHeader, ...mgLines] = mgFasta.trimEnd().split('\n');
const isolateSequence = mgLines.slice(0, 6000).join('\n');
writeFileSync(join(dir, GENOME), `${mgHeader}\n${isolateSequence}\n`);

interface ShownMedium {
  id: string;
  rank: number;
  outcome: string;
  change: string;
  reasons: string;
}

async function rankedMedia(page: Page): Promise<ShownMedium[]> {
  return page.locator('[data-testid="ranked-media"] [data-testid="medium-row"]').evaluateAll((rows) =>
    rows.map((r) => ({
      id: r.getAttribute('data-medium-id') ?? '',
      rank: Number(r.getAttribute('data-rank')),
      outcome: r.getAttribute('data-outcome') ?? '',
      change: r.getAttribute('data-change') ?? '',
      reasons: r.querySelector('[data-testid="medium-reasons"]')?.textContent?.trim() ?? '',
    })),
  );
}

const ids = (list: ShownMedium[]) => list.map((m) => m.id);

/** A viewport screenshot with `testId` scrolled to the top of the view (legible, unlike a full page). */
async function shot(page: Page, name: string, testId?: string): Promise<void> {
  if (testId) await page.getByTestId(testId).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(400); // let a smooth scroll started by the page finish
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Drops files, waits for them, presses "Media" on `file` and waits for the ranked media. */
async function openMedia(page: Page, file: string): Promise<void> {
  const t0 = Date.now();
  await page.locator(`[data-testid="profile-row"][data-file="${file}"] [data-testid="open-media"]`).click();
  const panel = page.getByTestId('media-panel');
  await panel.waitFor();
  console.log(`media panel shown ${Date.now() - t0} ms after the click`);
  await page.locator('[data-testid="media-panel"][data-status="ready"], [data-testid="media-panel"][data-status="error"]').waitFor({ timeout: 180_000 });
  const status = await panel.getAttribute('data-status');
  if (status !== 'ready') throw new Error(`Media tab: ${status}: ${await page.getByTestId('media-error').textContent()}`);
  await page.locator('[data-testid="medium-row"]').first().waitFor();
}

/** Waits until the ranking is not being recomputed and its ids differ from `before` (or equal, with `same`). */
async function rankingSettles(page: Page, before: string[], same = false): Promise<ShownMedium[]> {
  await page.waitForFunction(
    ([prev, eq]) => {
      if (document.querySelector('[data-testid="ranking-busy"]')) return false;
      const now = [...document.querySelectorAll('[data-testid="medium-row"]')].map((r) => r.getAttribute('data-medium-id')).join(',');
      return eq ? now === prev : now !== prev;
    },
    [before.join(','), same] as const,
    { timeout: 60_000, polling: 100 },
  );
  return rankedMedia(page);
}

/** A fresh page with `fasta` written to `file` in the temp folder, dropped, profiled and opened in the Media tab. */
async function mediaTabFor(file: string, fasta: string): Promise<Awaited<ReturnType<typeof app.open>>> {
  writeFileSync(join(dir, file), fasta);
  const opened = await app.open();
  await opened.page.getByTestId('fasta-input').setInputFiles(join(dir, file));
  expect(await waitForRow(opened.page, file, ['done', 'error', 'cancelled'])).toBe('done');
  await openMedia(opened.page, file);
  return opened;
}

describe('Media tab', () => {
  it('predicts conditions, ranks media, reacts to edits and keeps lab outcomes across a reload', async () => {
    const { context, page, errors } = await app.open();
    const t0 = Date.now();
    await page.getByTestId('fasta-input').setInputFiles(join(dir, GENOME));
    expect(await waitForRow(page, GENOME, ['done', 'error', 'cancelled'])).toBe('done');
    console.log(`profiled ${Date.now() - t0} ms after the drop (cell time ${await page.locator('[data-testid="profile-row"] [data-testid="cell-time"]').first().textContent()})`);
    const tMedia = await pageNow(page);
    await openMedia(page, GENOME);
    const longTasks = await longTasksSince(page, tMedia);
    console.log(`main thread from "Media" to the ranked media: ${longTasks.length} long task(s)${longTasks.length ? `, longest ${Math.round(Math.max(...longTasks.map((t) => t.duration)))} ms` : ''}`);
    console.log(`ranked media shown ${Date.now() - t0} ms after the drop; step ends (ms after Media): ${await page.getByTestId('media-panel').getAttribute('data-step-ms')}`);

    // (a) Predicted conditions, with units and intervals, as inputs.
    const cond = page.getByTestId('predicted-conditions');
    const condText = (await cond.textContent()) ?? '';
    expect(condText).toMatch(/°C/);
    expect(condText).toMatch(/% NaCl/);
    expect(condText).toMatch(/pH/);
    const temp = Number(await page.getByTestId('condition-temperature').inputValue());
    expect(temp).toBeGreaterThan(15);
    expect(temp).toBeLessThan(50);
    expect(await page.getByTestId('condition-oxygen').inputValue()).toMatch(/tolerant|anaerobic|unknown/);
    // Salinity and pH may be unknown (not learnable from the labels): then the input is empty and says why.
    expect(await page.getByTestId('condition-salinity').inputValue()).toMatch(/^(\d+(\.\d+)?)?$/);
    expect((await page.getByTestId('predicted-salinity').textContent()) ?? '').toMatch(/% NaCl|not predicted/);
    expect(await page.getByTestId('conditions-reset').isDisabled()).toBe(true);
    // The model was trained on no anaerobic bacterium: its oxygen call for a bacterium says so, the whole caveat on hover.
    const caveat = page.getByTestId('oxygen-caveat');
    expect((await caveat.textContent())?.trim()).toMatch(/^none of the \d+ bacteria the phenotype model was trained on is anaerobic, so it cannot call a bacterium anaerobic$/);
    expect(await caveat.getAttribute('title')).toMatch(/: within bacteria its call is the domain's majority, not a prediction; check what the BacDive strains of its 16S genus say/);
    expect((await page.getByTestId('domain-used').textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/^Domain from rRNA genes: bacteria · model /);
    // Where its 16S rRNA places it: the nearest reference of its genus (SILVA 93 has M. pneumoniae, not M. genitalium).
    expect((await page.getByTestId('rrna-16s').textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/^16S rRNA: \d+\.\d % identical to Mycoplasmoides pneumoniae \(\w+\) — genus Mycoplasmoides: its BacDive strains' media count$/);
    // The genera standing for it, heaviest first: its 16S genus, with its share of the genus evidence.
    expect((await page.getByTestId('genus-route').textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/^Genera standing for it: Mycoplasmoides \(16S \d+\.\d %, \d+ %\)(; \w+ \((16S \d+\.\d %|near genome [01]\.\d\d), \d+ %\)){0,2}$/);
    console.log('predicted:', (await page.getByTestId('predicted-temperature').textContent())?.trim(), '|', (await page.getByTestId('predicted-salinity').textContent())?.trim());

    // (b) Ranked media with reasons and scores.
    const base = await rankedMedia(page);
    expect(base.length).toBeGreaterThanOrEqual(10);
    for (const m of base.slice(0, 5)) expect(m.reasons.length).toBeGreaterThan(3);
    console.log('top media:', base.slice(0, 5).map((m) => `${m.id}: ${m.reasons}`).join('\n  '));
    // The recipe CVAE's likelihood follows the first result: each medium with a recipe gets it as a badge and a reason.
    const tFirst = Date.now();
    await page.locator('[data-testid="medium-row"] [data-testid="medium-cvae"]').first().waitFor({ timeout: 60_000 });
    console.log(`recipe-model likelihood shown ${Date.now() - tFirst} ms after the ranked media`);
    expect((await page.getByTestId('cvae-note').textContent()) ?? '').toMatch(/Recipe model: how likely each recipe is for this genome's conditions \((a reason, not used to order|part of the score)\)/);
    const withCvae = await page.locator('[data-testid="ranked-media"] [data-testid="medium-row"]').evaluateAll((rows) =>
      rows.map((r) => ({ badge: r.querySelector('[data-testid="medium-cvae"]')?.textContent?.trim() ?? '', reasons: [...r.querySelectorAll('[data-testid="medium-reasons"] li')].map((li) => li.textContent?.trim() ?? ''), recipe: !r.textContent?.includes('no recipe') })),
    );
    expect(withCvae.filter((x) => x.badge).length).toBeGreaterThanOrEqual(Math.min(5, withCvae.filter((x) => x.recipe).length));
    for (const m of withCvae.filter((x) => x.badge)) {
      expect(m.badge).toMatch(/^recipe model: (top|bottom) \d+ %$/);
      expect(m.reasons.filter((x) => /^recipe model: this recipe is .+ of [\d,]+ recipes for /.test(x))).toHaveLength(1);
    }
    console.log('recipe model:', withCvae.slice(0, 3).map((m) => m.reasons.at(-1)).join('\n  '));
    // A click shows the recipe (the Database tab's recipe view).
    await page.locator('[data-testid="medium-row"]').first().locator('button.linklike').click();
    await page.locator(`[data-testid="recipe-view"][data-medium-id="${base[0].id}"]`).waitFor();

    // (c) Generated recipes, when the database has a recipe model.
    const gen = page.getByTestId('generated-recipes');
    await page.waitForFunction(() => document.querySelector('[data-testid="generated-recipes"]')?.getAttribute('data-status') !== 'loading', null, { timeout: 60_000 });
    const genStatus = await gen.getAttribute('data-status');
    console.log(`generated recipes: ${genStatus}`, genStatus === 'ready' ? '' : await gen.textContent());
    expect(genStatus).toBe('ready');
    const nRecipes = await page.getByTestId('generated-recipe').count();
    expect(nRecipes).toBeGreaterThan(0);
    const first = (await page.getByTestId('generated-recipe').first().textContent()) ?? '';
    expect(first).toMatch(/g\/L/);
    expect(first).toMatch(/estimated pH \d/);
    expect(first).toMatch(/Nearest real medium/);
    // Exports: TSV (one line per ingredient) and JSON (generate --json's shape).
    const tsv = await download(page, 'recipes-tsv');
    expect(tsv.name).toBe('isolate-a.recipes.tsv');
    const tsvLines = tsv.text.trimEnd().split('\n');
    expect(tsvLines[0]).toMatch(/^# MediaForge generated recipes for isolate-a\.fa; conditions: /);
    expect(tsvLines[1].split('\t').slice(0, 4)).toEqual(['recipe', 'ingredient', 'g_per_l', 'mmol_per_l']);
    const json = JSON.parse((await download(page, 'recipes-json')).text);
    expect(json.recipes).toHaveLength(nRecipes);
    expect(tsvLines.length - 2).toBe(json.recipes.reduce((n: number, r: { ingredients: unknown[] }) => n + r.ingredients.length, 0));
    expect(json.conditions_used.temperatureC).toBeCloseTo(temp, 0);
    // More recipes on request; the first ones stay the same (fixed seed: only the sequence and the conditions decide).
    const firstRecipe = await page.getByTestId('generated-recipe').first().locator('tbody').textContent();
    await page.getByTestId('recipes-count').selectOption('5');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="generated-recipe"]').length === 5, null, { timeout: 60_000 });
    expect(await page.getByTestId('generated-recipe').first().locator('tbody').textContent()).toBe(firstRecipe);
    await page.getByTestId('recipes-count').selectOption('3');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="generated-recipe"]').length === 3, null, { timeout: 60_000 });
    await screenshot(page, 'media-panel');
    await shot(page, 'media-panel-top');
    await shot(page, 'media-panel-recipes', 'generated-recipes');
    // The printable page: no navigation, buttons or forms; the conditions, media and credits stay.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header nav').isVisible()).toBe(false);
    expect(await page.getByTestId('lab-outcome-form').isVisible()).toBe(false);
    expect(await page.getByTestId('ranked-media').isVisible()).toBe(true);
    expect(await page.getByTestId('condition-temperature').isVisible()).toBe(true);
    expect((await page.locator('footer').textContent()) ?? '').toMatch(/CC BY 4\.0/);
    await screenshot(page, 'media-panel-print');
    await page.emulateMedia({ media: 'screen' });

    // (d) A counterfactual: at 70 °C the ranking changes, with rank changes marked; Reset restores it.
    await page.getByTestId('condition-temperature').fill('70');
    await page.getByTestId('condition-temperature').press('Enter');
    const hot = await rankingSettles(page, ids(base));
    expect(ids(hot)).not.toEqual(ids(base));
    expect(hot.some((m) => m.change !== '')).toBe(true);
    expect(await page.getByTestId('conditions-reset').isDisabled()).toBe(false);
    // The recipes are generated again for 70 °C, with what changed against the predicted conditions' recipes.
    await page.locator('[data-testid="generated-recipes"][data-status="ready"][data-temperature="70"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('recipe-vs-predicted').count()).toBe(nRecipes);
    await shot(page, 'media-panel-70C');
    await shot(page, 'media-panel-70C-recipes', 'generated-recipes');
    await page.getByTestId('conditions-reset').click();
    const back = await rankingSettles(page, ids(base), true);
    expect(ids(back)).toEqual(ids(base));
    expect(await page.getByTestId('condition-temperature').inputValue()).toBe(String(temp));

    // Presets do the same in one click.
    await page.getByTestId('explore-presets').getByRole('button', { name: 'anaerobic' }).click();
    const anaerobic = await rankingSettles(page, ids(base));
    expect(ids(anaerobic)).not.toEqual(ids(base));
    expect(await page.getByTestId('condition-oxygen').inputValue()).toBe('anaerobic');
    await page.getByTestId('conditions-reset').click();
    await rankingSettles(page, ids(base), true);

    // Interpolation towards a second profiled genome (phage lambda): the ranking moves with the slider.
    await page.locator('header nav').getByRole('button', { name: 'Profile' }).click();
    await page.getByTestId('fasta-input').setInputFiles(fixture('lambda.fa.gz'));
    expect(await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled'])).toBe('done');
    await page.locator('header nav').getByRole('button', { name: 'Media' }).click();
    await page.locator('[data-testid="media-panel"][data-status="ready"]').waitFor();
    expect(await page.getByTestId('media-genome').textContent()).toBe(GENOME);
    expect(ids(await rankedMedia(page))).toEqual(ids(base));
    const partner = page.getByTestId('interpolate-partner');
    await partner.selectOption({ label: 'lambda.fa.gz' });
    await page.getByTestId('interpolate-slider').fill('100');
    const far = await rankingSettles(page, ids(base));
    expect(ids(far)).not.toEqual(ids(base));
    expect((await page.getByTestId('interpolate-state').textContent()) ?? '').toMatch(/100 % of the way to lambda\.fa\.gz/);
    await page.getByTestId('interpolate-slider').fill('50');
    await page.waitForFunction(() => /50 %/.test(document.querySelector('[data-testid="interpolate-state"]')?.textContent ?? ''));
    await rankingSettles(page, [], false);
    await shot(page, 'media-panel-interpolate');
    await page.getByTestId('conditions-reset').click();
    await rankingSettles(page, ids(base), true);
    expect(await page.getByTestId('interpolate-slider').inputValue()).toBe('0');

    // (e) Lab outcomes: "grew" moves a medium to the top, "no growth" to the bottom. The isolate is
    // not in the database yet: the first outcome adds it (with its embedding).
    expect((await page.getByTestId('media-panel').textContent()) ?? '').toMatch(/not in the database yet/);
    // A medium outside the list can be typed; an id MediaDive does not have is refused with a hint.
    const form = page.getByTestId('lab-outcome-form');
    await form.getByTestId('outcome-medium').selectOption('__other__');
    await form.getByTestId('outcome-medium-id').fill('no-such-medium');
    await form.getByTestId('outcome-save').click();
    await page.locator('[role="alert"]', { hasText: "medium 'no-such-medium' is not in the database" }).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="lab-outcomes"] [data-testid="lab-outcome"]').count()).toBe(0);

    const grewId = base[4].id;
    const noGrowthId = base[0].id;
    await page.locator(`[data-testid="medium-row"][data-medium-id="${grewId}"] [data-testid="medium-record"]`).click();
    expect(await form.getByTestId('outcome-medium').inputValue()).toBe(grewId);
    await form.getByTestId('outcome-grew').check();
    await form.getByTestId('outcome-note').fill('turbid after 5 days');
    await form.getByTestId('outcome-save').click();
    await page.locator(`[data-testid="lab-outcomes"] [data-testid="lab-outcome"][data-medium-id="${grewId}"]`).waitFor({ timeout: 60_000 });
    expect((await page.getByTestId('media-genome').locator('..').textContent()) ?? '').toMatch(/in the database as genome #\d+/);
    let now = await rankingSettles(page, ids(base));
    expect(now[0].id).toBe(grewId);
    expect(now[0].outcome).toBe('grew');

    await form.getByTestId('outcome-medium').selectOption(noGrowthId);
    await form.getByTestId('outcome-no-growth').check();
    await form.getByTestId('outcome-save').click();
    await page.locator(`[data-testid="lab-outcomes"] [data-testid="lab-outcome"][data-medium-id="${noGrowthId}"]`).waitFor({ timeout: 60_000 });
    now = await rankingSettles(page, ids(now));
    expect(now[0].id).toBe(grewId);
    expect(now[now.length - 1].id).toBe(noGrowthId);
    expect(now[now.length - 1].outcome).toBe('no growth');
    expect(await page.locator('[data-testid="lab-outcomes"] [data-testid="lab-outcome"]').count()).toBe(2);
    const afterOutcomes = ids(now);
    await shot(page, 'media-panel-outcomes-top');
    await shot(page, 'media-panel-outcomes', 'lab-outcome-form');

    // After a reload, the same sequence under another name and header finds its outcomes again.
    await page.waitForTimeout(500); // let the last save reach IndexedDB
    await page.reload();
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    // The Media tab lists every genome's outcomes even before a genome is opened.
    await page.locator('header nav').getByRole('button', { name: 'Media' }).click();
    await page.locator('[data-testid="lab-outcomes"] [data-testid="lab-outcome"]').first().waitFor({ timeout: 120_000 });
    expect(await page.locator('[data-testid="lab-outcomes"] [data-testid="lab-outcome"]').count()).toBe(2);
    expect((await page.getByTestId('lab-outcomes').textContent()) ?? '').toMatch(/isolate-a\.fa/);
    await shot(page, 'media-panel-empty-with-outcomes');
    await page.locator('header nav').getByRole('button', { name: 'Profile' }).click();
    const renamed = 'isolate-7.fasta';
    writeFileSync(join(dir, renamed), `>contig_1 my unknown isolate\n${isolateSequence}\n`);
    await page.getByTestId('fasta-input').setInputFiles(join(dir, renamed));
    expect(await waitForRow(page, renamed, ['done', 'error', 'cancelled'])).toBe('done');
    await openMedia(page, renamed);
    expect((await page.getByTestId('media-genome').locator('..').textContent()) ?? '').toMatch(/in the database as genome #\d+/);
    const reloaded = await rankedMedia(page);
    expect(ids(reloaded)).toEqual(afterOutcomes);
    expect(reloaded[0].outcome).toBe('grew');
    await page.getByTestId('lab-outcomes').waitFor();
    expect(await page.locator('[data-testid="lab-outcomes"] [data-testid="lab-outcome"]').count()).toBe(2);

    // Deleting the "no growth" outcome puts its medium back among the others.
    page.once('dialog', (d) => void d.accept());
    await page.locator(`[data-testid="lab-outcome"][data-medium-id="${noGrowthId}"] button`).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="lab-outcomes"] [data-testid="lab-outcome"]').length === 1, null, { timeout: 60_000 });
    const undone = await rankingSettles(page, afterOutcomes);
    expect(undone[0].id).toBe(grewId);
    expect(undone.find((m) => m.id === noGrowthId)?.outcome ?? '').toBe('');
    expect(undone[undone.length - 1].id).not.toBe(noGrowthId);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('a sequence without rRNA genes is ranked for the domain of its predicted proteome, and the panel says so', async () => {
    // 240 kbp of M. genitalium past its rRNA operon (fixture lines 3001–6000): genes, no rRNA genes (the profiler calls it 'unknown').
    const { context, page, errors } = await mediaTabFor('no-rrna-chunk.fa', `>chunk_1\n${mgLines.slice(3000, 6000).join('\n')}\n`);
    const line = (await page.getByTestId('domain-used').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
    expect(line).toMatch(/^No rRNA genes found: ranked as bacteria, from the predicted proteome · model /);
    // Its title gives the basis in full (the classifier and its score).
    expect(await page.getByTestId('rrna-16s').count()).toBe(0);
    expect(await page.getByTestId('domain-used').getAttribute('title')).toMatch(/^no rRNA call: the predicted proteome \(amino-acid composition classifier trained on \d+ bacteria and \d+ archaea of \d+ genera; score -\d+\.\d\d, > 0 archaea\)$/);
    // 240 kbp is no fragment: no length warning.
    expect(await page.getByTestId('short-sequence').count()).toBe(0);
    await shot(page, 'media-panel-no-rrna');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an 8 kbp fragment is ranked with a warning of what rankings of fragments that short were worth', async () => {
    const { context, page, errors } = await mediaTabFor('fragment-8kb.fa', `>fragment\n${mgLines.slice(4000, 4100).join('\n')}\n`);
    const note = page.getByTestId('short-sequence');
    await note.waitFor();
    expect(await note.getAttribute('data-acgt-bp')).toBe('8000');
    expect((await note.textContent())?.trim()).toMatch(/^Only 8 kbp of sequence \(A, C, G, T\): the ranking of a fragment is less sure than that of a genome.* 10 kbp 53\.9 %, 3 kbp 50\.0 %, 1 kbp 35\.5 %; complete genomes 71\.1 %\.$/);
    expect((await rankedMedia(page)).length).toBeGreaterThan(0);
    await shot(page, 'media-panel-fragment');
    expect(errors).toEqual([]);
    await context.close();
  });

  if (HAS_SHARED_DATA)
    it("a eukaryote's chromosome (Plasmodium falciparum chromosome 1, anonymised): the panel says these are its nearest prokaryotes' media, not a recommendation for it", async () => {
      const text = gunzipSync(readFileSync(sharedGenome('reference/Plasmodium_falciparum_3D7.fna.gz'))).toString('utf8');
      const first = text.slice(0, text.indexOf('\n>'));
      const { context, page, errors } = await mediaTabFor('eukaryote-x.fa', `>contig_1${first.slice(first.indexOf('\n'))}\n`);
      const note = ((await page.getByTestId('eukaryote-note').textContent()) ?? '').replace(/\s+/g, ' ').trim();
      expect(note).toMatch(/^rRNA genes of a eukaryote, ranked as (bacteria|archaea): the database has no evidence for eukaryotic media \(its BacDive strains are bacteria and archaea, and no eukaryote in it has known media\), so these are the media of its nearest prokaryotes, not a recommendation for it$/);
      expect(await page.getByTestId('domain-used').getAttribute('title')).toMatch(/^rRNA genes of a eukaryote, a domain BacDive has no strains of: /);
      expect(((await page.getByTestId('eukaryote-warning').textContent()) ?? '').trim()).toMatch(/^A eukaryote: the database has no evidence for eukaryotic media/);
      // Its predicted temperature (a model of bacteria and archaea, far outside its training) says why it is not used.
      const temp = ((await page.getByTestId('predicted-temperature').textContent()) ?? '').replace(/\s+/g, ' ');
      const t = Number(/^predicted (-?[\d.]+) °C/.exec(temp)?.[1]);
      expect(Number.isFinite(t), temp).toBe(true);
      if (t < -2 || t > 113) expect(temp).toMatch(/ to .* °C — outside any known growth range, so not used/);
      // Its 18S region is not compared with the prokaryotic 16S reference.
      expect(await page.getByTestId('rrna-16s').count()).toBe(0);
      await shot(page, 'media-panel-eukaryote');
      expect(errors).toEqual([]);
      await context.close();
    });

  if (HAS_SHARED_DATA)
    it('an aerobic archaeon that is no halophile (Nitrosopumilus, anonymised) gets its own medium first and no media for extreme halophiles (rules 11, 12 and 14)', async () => {
      const text = gunzipSync(readFileSync(sharedGenome('reference/Nitrosopumilus_maritimus_SCM1.fna.gz'))).toString('utf8');
      let n = 0;
      const { context, page, errors } = await mediaTabFor('archaeon-x.fa', text.replace(/^>.*$/gm, () => `>contig_${++n}`));
      expect(await page.getByTestId('not-extreme-halophile').textContent()).toBe('no extreme halophile: an archaeon whose proteome is not salt-in, so media with ≥ 15 % salts (NaCl, KCl, Mg salts) are ranked last');
      // What the BacDive strains of its 16S genus say, beside the model's prediction (rule 13: shown, not used).
      expect((await page.getByTestId('genus-oxygen').textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/^its 16S genus Nitrosopumilus: (\d+) of \1 BacDive strains tolerate O₂$/);
      expect((await page.getByTestId('genus-ph').textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/^its 16S genus Nitrosopumilus: pH 7\.\d, [\d.]+–[\d.]+ \(\d+ BacDive strains\)$/);
      const shown = await rankedMedia(page);
      expect(shown[0].id).toBe('1630a'); // NITROSOPUMILUS MEDIUM, through its 16S
      // None of the shown media is one for extreme halophiles (they are ranked after all others).
      expect(shown.length).toBeGreaterThanOrEqual(10);
      for (const m of shown) expect(m.reasons, m.id).not.toMatch(/is for extreme halophiles/);
      await shot(page, 'media-panel-not-halophile');
      expect(errors).toEqual([]);
      await context.close();
    });
});
