/**
 * Every genome of the database is embedded, and every record of a multi-record file on request:
 * - a genome the user adds on the Database tab is embedded by the active genome VAE (ML worker) and
 *   stored with its rRNA evidence, so a later drop of a similar file lists it among its neighbours,
 *   also after a reload;
 * - "Embed each record" profiles a MAG / contig set per record (profiling pool) and lists the
 *   nearest genome of each record (ML worker, batches), with progress, Cancel and a TSV download;
 *   a file of thousands of contigs keeps the page responsive (only the rows in view are rendered).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, HAS_SHARED_DATA, sharedGenome } from '../helpers/data';
import { loadSqlJs } from '../../src/db/node-files';
import { exportSnapshot, section, showDatabase } from './db-helpers';
import { describeLongTasks, download, measureMainThread, screenshot, SCREENSHOTS, useBrowserAndServer, waitForRow } from './helpers';
import { rootWithModel } from './vae-helpers';

const app = useBrowserAndServer({ root: rootWithModel });
let dir: string;
const fasta = (name: string) => gunzipSync(readFileSync(fixture(name))).toString('utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mf-records-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
});

interface Shown {
  id: string;
  text: string;
}

async function neighborsOf(page: Page, file: string): Promise<Shown[]> {
  const panel = page.locator(`[data-testid="neighbors-panel"][data-file="${file}"]`);
  await panel.and(page.locator('[data-status="done"], [data-status="error"], [data-status="no-model"]')).waitFor({ timeout: 120_000 });
  expect(await panel.getAttribute('data-status'), (await panel.textContent()) ?? '').toBe('done');
  return panel.getByTestId('neighbor-row').evaluateAll((rows) => rows.map((r) => ({ id: r.getAttribute('data-genome-id') ?? '', text: r.textContent?.replace(/\s+/g, ' ').trim() ?? '' })));
}

async function showProfile(page: Page): Promise<void> {
  await page.locator('header nav').getByRole('button', { name: 'Profile' }).click();
  await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
}

interface RecordRow {
  id: string;
  index: string;
  genomeId: string;
  domain: string;
  similarity: string;
  cells: string[];
}

async function recordRows(page: Page, file: string): Promise<RecordRow[]> {
  return page.locator(`[data-testid="neighbors-panel"][data-file="${file}"] [data-testid="record-neighbor-row"]`).evaluateAll((rows) =>
    rows.map((r) => ({
      id: r.getAttribute('data-record-id') ?? '',
      index: r.getAttribute('data-index') ?? '',
      genomeId: r.getAttribute('data-genome-id') ?? '',
      domain: r.getAttribute('data-domain') ?? '',
      similarity: r.getAttribute('data-similarity') ?? '',
      cells: [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''),
    })),
  );
}

/** Clicks "Embed each record" of a file and waits for its table (or an error). */
async function embedRecords(page: Page, file: string, timeoutMs = 240_000): Promise<void> {
  const section = page.locator(`[data-testid="neighbors-panel"][data-file="${file}"] [data-testid="record-neighbors-section"]`);
  await section.getByTestId('embed-records').click();
  await section.and(page.locator('[data-status="done"], [data-status="error"]')).waitFor({ timeout: timeoutMs });
  expect(await section.getAttribute('data-status'), (await section.textContent()) ?? '').toBe('done');
}

describe('embeddings of added genomes and of each record', () => {
  it('embeds a genome added on the Database tab: a later lambda drop lists it among its neighbours, also after a reload', async () => {
    // Lambda without its last 1,500 bp: another content hash, so it is a new genome of the database.
    const seq = fasta('lambda.fa.gz').split('\n').slice(1).join('');
    const variant = 'phage-variant-x.fa';
    writeFileSync(join(dir, variant), `>my_phage_x\n${seq.slice(0, seq.length - 1500).replace(/(.{70})/g, '$1\n')}\n`);
    const species = 'Escherichia phage lambda-variant-x';
    // And M. genitalium without its last 5 kb (its 16S gene stays): a bacterium by its rRNA.
    const mgenSeq = fasta('mycoplasma-genitalium-g37.fa.gz').split('\n').slice(1).join('');
    const mgen = 'isolate-mg.fa';
    writeFileSync(join(dir, mgen), `>isolate_mg\n${mgenSeq.slice(0, mgenSeq.length - 5000).replace(/(.{70})/g, '$1\n')}\n`);

    const { context, page, errors } = await app.open();
    await page.getByTestId('fasta-input').setInputFiles([join(dir, variant), join(dir, mgen)]);
    for (const f of [variant, mgen]) expect(await waitForRow(page, f, ['done', 'error', 'cancelled'])).toBe('done');
    const before = await neighborsOf(page, variant);
    expect(before.some((n) => n.text.includes(species))).toBe(false);
    await neighborsOf(page, mgen);

    await showDatabase(page);
    await section(page, 'genomes');
    const addRow = page.locator(`[data-testid="add-profiled-row"][data-file="${variant}"]`);
    await addRow.getByTestId('add-species').fill(species);
    await addRow.getByTestId('add-type').selectOption('virus');
    await page.locator(`[data-testid="add-profiled-row"][data-file="${mgen}"]`).getByTestId('add-species').fill('Mycoplasma genitalium');
    await page.getByTestId('add-profiled').click();
    const result = page.getByTestId('add-profiled-result');
    await result.waitFor({ timeout: 120_000 });
    const text = (await result.textContent())!.replace(/\s+/g, ' ');
    console.log(text);
    const idOf = (file: string) => {
      const m = new RegExp(`${file}: added as genome (\\d+);[^;]*(;[^;]*)*?; embedded by (genome-vae-[0-9a-f]{12})`).exec(text);
      expect(m, text).not.toBeNull();
      return { id: m![1], model: m![3] };
    };
    const { id: genomeId, model } = idOf(variant);
    const mgenId = idOf(mgen).id;
    expect(await page.getByTestId('add-profiled-note').count()).toBe(0);

    // What the database now holds for them (exported and opened here): an embedding by the active
    // model, and the rRNA evidence of the profile.
    const exported = await exportSnapshot(page);
    const SQL = await loadSqlJs();
    const db = new SQL.Database(gunzipSync(exported.bytes));
    try {
      const dim = Number(db.exec('SELECT dim FROM genome_embeddings WHERE model_id = ? AND genome_id < ? LIMIT 1', [model, Number(genomeId)])[0].values[0][0]);
      for (const id of [genomeId, mgenId]) {
        const emb = db.exec('SELECT dim, length(vector) FROM genome_embeddings WHERE genome_id = ? AND model_id = ?', [Number(id), model])[0]?.values[0];
        expect(emb, `embedding of genome ${id}`).toEqual([dim, 4 * dim]);
      }
      const calls = db.exec('SELECT genome_id, method, domain_call, evidence_json FROM genome_markers WHERE genome_id IN (?, ?) ORDER BY genome_id', [Number(genomeId), Number(mgenId)])[0].values;
      const byId = new Map(calls.map(([g, method, call, ev]) => [String(g), { method, call, ev: JSON.parse(String(ev)) }]));
      expect(byId.get(genomeId)).toMatchObject({ method: 'ssu-rrna-sites-v1', call: 'unknown', ev: { genes: 0 } });
      expect(byId.get(mgenId)).toMatchObject({ method: 'ssu-rrna-sites-v1', call: 'bacteria' });
      expect(byId.get(mgenId)!.ev.genes).toBeGreaterThanOrEqual(1);
    } finally {
      db.close();
    }

    // Back on the Profile page: the variant's own nearest genome is now itself; lambda lists it too.
    await showProfile(page);
    await page.waitForFunction((id) => document.querySelector(`[data-testid="neighbors-panel"] [data-testid="neighbor-row"][data-genome-id="${id}"]`), genomeId, { timeout: 60_000 });
    const after = await neighborsOf(page, variant);
    expect(after[0].id).toBe(genomeId);
    expect(after[0].text).toContain(species);
    expect(after[0].text).toMatch(/virus/);
    await page.getByTestId('fasta-input').setInputFiles(fixture('lambda.fa.gz'));
    expect(await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled'])).toBe('done');
    const lambda = await neighborsOf(page, 'lambda.fa.gz');
    console.log('lambda after adding:', lambda.map((n) => n.text).join('\n  '));
    expect(lambda.map((n) => n.id)).toContain(genomeId);

    // The embedding was saved with the genome: after a reload it is still a neighbour.
    await page.reload();
    await page.getByTestId('fasta-input').waitFor({ state: 'attached' });
    await page.getByTestId('fasta-input').setInputFiles(fixture('lambda.fa.gz'));
    expect(await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled'])).toBe('done');
    expect((await neighborsOf(page, 'lambda.fa.gz')).map((n) => n.id)).toContain(genomeId);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists the nearest genome of each record of a two-record file, sortable, with a TSV download', async () => {
    const file = 'lambda-plus-mgen.fa';
    writeFileSync(join(dir, file), fasta('lambda.fa.gz') + fasta('mycoplasma-genitalium-g37.fa.gz'));
    const { context, page, errors } = await app.open();
    await page.getByTestId('fasta-input').setInputFiles(join(dir, file));
    expect(await waitForRow(page, file, ['done', 'error', 'cancelled'])).toBe('done');
    await neighborsOf(page, file);
    const panel = page.locator(`[data-testid="neighbors-panel"][data-file="${file}"]`);
    expect((await panel.getByTestId('embed-records').textContent())!.trim()).toBe('Embed each record (2 records)');
    await panel.screenshot({ path: join(SCREENSHOTS, 'vae-records-button.png') });

    await embedRecords(page, file);
    const rows = await recordRows(page, file);
    console.log(rows.map((r) => r.cells.join(' | ')).join('\n'));
    expect(rows.map((r) => r.id)).toEqual(['NC_001416.1', 'NC_000908.2']);
    expect(rows[0].domain).toBe('virus');
    expect(rows[0].cells.join(' ')).toMatch(/lambda/i);
    expect(rows[0].cells[2]).toBe('48,502');
    expect(rows[0].cells[3]).toBe('49.9 %');
    expect(rows[1].cells.join(' ')).toMatch(/Mycoplasma genitalium/);
    expect(Number(rows[1].similarity)).toBeGreaterThan(0.99);
    expect(await panel.getByTestId('record-neighbors').getAttribute('data-count')).toBe('2');

    // Sort by length (longest first), then reverse it; the TSV follows the order shown.
    const sortBy = (key: string) => panel.locator(`[data-testid="record-neighbors"] th button[data-sort-key="${key}"]`).click();
    await sortBy('length');
    expect(await panel.getByTestId('record-neighbors').getAttribute('data-sort')).toBe('length-desc');
    expect((await recordRows(page, file)).map((r) => r.id)).toEqual(['NC_000908.2', 'NC_001416.1']);
    await sortBy('length');
    expect((await recordRows(page, file)).map((r) => r.id)).toEqual(['NC_001416.1', 'NC_000908.2']);
    await sortBy('gc');
    expect(await panel.getByTestId('record-neighbors').getAttribute('data-sort')).toBe('gc-desc');
    await sortBy('gc');
    expect(await panel.getByTestId('record-neighbors').getAttribute('data-sort')).toBe('gc-asc');
    expect((await recordRows(page, file)).map((r) => r.id)).toEqual(['NC_000908.2', 'NC_001416.1']);

    const tsv = await download(page, 'record-neighbors-tsv');
    expect(tsv.name).toBe('lambda-plus-mgen.record-neighbors.tsv');
    const lines = tsv.text.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(lines[0]).toEqual(['record_id', 'length_bp', 'gc_fraction', 'rrna_domain', 'similarity', 'cosine', 'domain', 'species', 'name', 'genome_id']);
    expect(lines.slice(1).map((l) => [l[0], l[1], l[3], l[6]])).toEqual([
      ['NC_000908.2', '580076', 'bacteria', 'bacteria'],
      ['NC_001416.1', '48502', 'unknown', 'virus'],
    ]);

    await panel.scrollIntoViewIfNeeded();
    console.log(await screenshot(page, 'vae-records-two'));
    expect(errors).toEqual([]);
    await context.close();
  });

  // Needs ../shared/data (developers, CI); a bare clone does not register it.
  if (HAS_SHARED_DATA) it('embeds the 4,474 contigs of a draft assembly file without blocking the page; Cancel stops a run', async () => {
    const path = sharedGenome('collection/draft_assemblies_contigs.fna.gz');
    const file = 'draft_assemblies_contigs.fna.gz';
    const { context, page, errors } = await app.open();
    await page.getByTestId('fasta-input').setInputFiles(path);
    expect(await waitForRow(page, file, ['done', 'error', 'cancelled'], 240_000)).toBe('done');
    await neighborsOf(page, file);
    const panel = page.locator(`[data-testid="neighbors-panel"][data-file="${file}"]`);
    const sectionEl = panel.getByTestId('record-neighbors-section');

    // Cancel while profiling: the button comes back.
    await sectionEl.getByTestId('embed-records').click();
    await sectionEl.getByTestId('record-progress').waitFor();
    await sectionEl.getByTestId('cancel-records').click();
    await sectionEl.and(page.locator('[data-status="cancelled"]')).waitFor({ timeout: 30_000 });
    expect(await sectionEl.getByTestId('embed-records').isVisible()).toBe(true);

    // The whole run, with the main thread measured.
    const t0 = Date.now();
    let sawEmbedding = false;
    const { longTasks, slowFrames } = await measureMainThread(app.browser, page, async () => {
      await sectionEl.getByTestId('embed-records').click();
      // The embedding phase can be shorter than a poll on a fast run: wait for it or for the end.
      await sectionEl.and(page.locator('[data-status="embedding"], [data-status="done"], [data-status="error"]')).waitFor({ timeout: 240_000 });
      // Status and progress text read in one task: the run may end (and the progress go) between two reads.
      const during = await sectionEl.evaluate((el) => (el.getAttribute('data-status') === 'embedding' ? (el.querySelector('[data-testid="record-progress"]')?.textContent ?? '') : null));
      if (during !== null) {
        sawEmbedding = during.includes('Embedding records');
        await sectionEl.screenshot({ path: join(SCREENSHOTS, 'vae-records-progress.png') }).catch(() => undefined);
      } else sawEmbedding = true;
      await sectionEl.and(page.locator('[data-status="done"], [data-status="error"]')).waitFor({ timeout: 240_000 });
    });
    console.log(`4,474 records embedded in ${Date.now() - t0} ms; ${describeLongTasks(longTasks)}`);
    expect(await sectionEl.getAttribute('data-status'), (await sectionEl.textContent()) ?? '').toBe('done');
    expect(sawEmbedding).toBe(true);
    // No main-thread task of the app's own work above 200 ms CPU (rendering the first rows of the table included).
    const heavy = longTasks.filter((t) => (t.cpuMs ?? t.duration) > 200);
    expect(heavy, slowFrames.join('\n')).toEqual([]);

    const table = panel.getByTestId('record-neighbors');
    const count = Number(await table.getAttribute('data-count'));
    expect(count).toBeGreaterThan(4000);
    const shown = await recordRows(page, file);
    expect(shown.length).toBeLessThan(60); // virtualised: only the rows in view (and a margin)
    expect(shown[0].index).toBe('0');
    expect(shown.every((r) => r.genomeId !== '' && /^-?\d/.test(r.similarity))).toBe(true);
    await panel.scrollIntoViewIfNeeded();
    console.log(await screenshot(page, 'vae-records-many'));

    // Scroll the table to the end: the last records are rendered there.
    await table.evaluate((t) => {
      const s = t.parentElement!;
      s.scrollTop = s.scrollHeight;
    });
    await page.waitForFunction((n) => document.querySelector(`[data-testid="record-neighbor-row"][data-index="${n - 1}"]`), count);
    const end = await recordRows(page, file);
    expect(end.length).toBeLessThan(60);
    console.log(await screenshot(page, 'vae-records-many-end'));

    const tsv = await download(page, 'record-neighbors-tsv');
    expect(tsv.text.trimEnd().split('\n')).toHaveLength(count + 1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
