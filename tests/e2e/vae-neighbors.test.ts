/**
 * Nearest genomes on the Profile page, with the bundled genome model and no training: a dropped
 * genome is embedded in the ML worker and its 5 nearest database genomes are listed under its row
 * (name, species, domain, similarity to 3 decimals). Only the sequence counts: the same genome under
 * another file name and header gets the same neighbours.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers/data';
import { screenshot, useBrowserAndServer, waitForRow } from './helpers';
import { rootWithModel } from './vae-helpers';

const app = useBrowserAndServer({ root: rootWithModel });

interface ShownNeighbor {
  id: string;
  domain: string;
  similarity: string;
  text: string[];
}

async function neighborsOf(page: Page, file: string): Promise<ShownNeighbor[]> {
  const panel = page.locator(`[data-testid="neighbors-panel"][data-file="${file}"]`);
  await panel.and(page.locator('[data-status="done"], [data-status="error"], [data-status="no-model"]')).waitFor({ timeout: 120_000 });
  expect(await panel.getAttribute('data-status'), (await panel.textContent()) ?? '').toBe('done');
  return panel.getByTestId('neighbor-row').evaluateAll((rows) =>
    rows.map((r) => ({
      id: r.getAttribute('data-genome-id') ?? '',
      domain: r.getAttribute('data-domain') ?? '',
      similarity: r.querySelector('td:last-child')?.textContent?.trim() ?? '',
      text: [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''),
    })),
  );
}

describe('nearest genomes on the Profile page', () => {
  it('lists 5 neighbours with domains for a bacterium and a phage, from the bundled model, independent of names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-neighbors-'));
    // The same M. genitalium sequence under another file name and header.
    const renamed = 'renamed-isolate.fa';
    const fasta = gunzipSync(readFileSync(fixture('mycoplasma-genitalium-g37.fa.gz'))).toString('utf8');
    writeFileSync(join(dir, renamed), fasta.replace(/^>[^\n]*/, '>my_isolate_7 unknown organism'));

    const { context, page, errors } = await app.open();
    const t0 = Date.now();
    await page.getByTestId('fasta-input').setInputFiles([fixture('mycoplasma-genitalium-g37.fa.gz'), fixture('lambda.fa.gz'), join(dir, renamed)]);
    for (const f of ['mycoplasma-genitalium-g37.fa.gz', 'lambda.fa.gz', renamed]) expect(await waitForRow(page, f, ['done', 'error', 'cancelled'])).toBe('done');

    const myco = await neighborsOf(page, 'mycoplasma-genitalium-g37.fa.gz');
    const lambda = await neighborsOf(page, 'lambda.fa.gz');
    const same = await neighborsOf(page, renamed);
    console.log(`neighbours shown ${Date.now() - t0} ms after the drop`);
    console.log('M. genitalium:', myco.map((n) => n.text.slice(1).join(' | ')).join('\n  '));
    console.log('lambda:', lambda.map((n) => n.text.slice(1).join(' | ')).join('\n  '));

    expect(await page.getByTestId('neighbors-panel').count()).toBe(3);
    for (const list of [myco, lambda, same]) {
      expect(list).toHaveLength(5);
      for (const n of list) expect(n.similarity).toMatch(/^-?\d\.\d{3}$/);
      const sims = list.map((n) => Number(n.similarity));
      expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    }
    // M. genitalium G37 itself is a reference genome: it is its own nearest genome, among bacteria.
    expect(myco[0].text.join(' ')).toMatch(/Mycoplasma genitalium/);
    expect(Number(myco[0].similarity)).toBeGreaterThan(0.99);
    expect(myco.filter((n) => n.domain === 'bacteria').length).toBeGreaterThanOrEqual(4);
    // Phage lambda is in the database too (a virus genome).
    expect(lambda[0].domain).toBe('virus');
    expect(lambda[0].text.join(' ')).toMatch(/lambda/i);
    // Names and headers do not matter: the same sequence, the same neighbours.
    expect(same).toEqual(myco);

    await page.locator(`[data-testid="neighbors-panel"][data-file="lambda.fa.gz"]`).scrollIntoViewIfNeeded();
    console.log(await screenshot(page, 'vae-neighbors'));
    expect(errors).toEqual([]);
    await context.close();
  });
});
