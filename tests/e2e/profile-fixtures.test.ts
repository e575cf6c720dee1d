/**
 * Profile page end to end: real genomes (phage lambda, Mycoplasma genitalium) chosen through
 * `fasta-input` in the built app, profiled in workers; the table, the downloads (TSV and JSON)
 * and the plots must agree with the CLI on the same files, and the page must stay responsive.
 */
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from '../helpers/data';
import { cellValue, cliProfileJson, cliProfileTsv, download, describeLongTasks, measureMainThread, row, screenshot, useBrowserAndServer, waitForRow } from './helpers';

const FILES = ['lambda.fa.gz', 'mycoplasma-genitalium-g37.fa.gz'];

const app = useBrowserAndServer();

describe('profiling real genomes in the browser', () => {
  it('shows a designed empty state with header, drop zone and credits', async () => {
    const { context, page, errors } = await app.open();
    expect(await page.locator('header').textContent()).toContain('MediaForge');
    expect(await page.locator('header nav [aria-current="page"]').textContent()).toBe('Profile');
    expect(await page.getByTestId('drop-zone').textContent()).toContain('Drop genome FASTA files here');
    const footer = await page.locator('footer').textContent();
    expect(footer).toMatch(/MediaDive\s+\(Koblitz et al\. 2023\)/);
    expect(footer).toMatch(/BacDive\s+\(Schober et al\. 2025\)/);
    expect(footer).toContain('CC BY 4.0');
    expect(await page.getByTestId('profile-table').count()).toBe(0);
    expect(await page.getByTestId('backend-badge').count()).toBe(0);
    await screenshot(page, 'empty');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('matches the CLI on records, length, GC and all 2,772 counts, with no long main-thread task', async () => {
    const cli = cliProfileJson(FILES, FIXTURES);
    const { context, page, errors } = await app.open();
    const { longTasks, slowFrames } = await measureMainThread(app.browser, page, async () => {
      await page.getByTestId('fasta-input').setInputFiles(FILES.map(fixture));
      for (const f of FILES) expect(await waitForRow(page, f, ['done', 'error', 'cancelled'])).toBe('done');
    });

    for (const [i, f] of FILES.entries()) {
      const ref = cli.files[i];
      expect(ref.file).toBe(f);
      expect(await cellValue(page, f, 'cell-records')).toBe(ref.records);
      expect(await cellValue(page, f, 'cell-length')).toBe(ref.lengthBp);
      expect(await cellValue(page, f, 'cell-gc')).toBe(ref.gcFraction);
      expect(await cellValue(page, f, 'cell-n')).toBe(ref.nFraction);
      // What the user reads: grouped bp and a 2-decimal percentage.
      await expect(row(page, f).getByTestId('cell-length').textContent()).resolves.toBe(`${ref.lengthBp.toLocaleString('en-US')} bp`);
      await expect(row(page, f).getByTestId('cell-gc').textContent()).resolves.toBe(`${(ref.gcFraction! * 100).toFixed(2)} %`);
      const mbps = await cellValue(page, f, 'cell-throughput');
      console.log(`[e2e] ${f}: ${ref.lengthBp} bp in ${await cellValue(page, f, 'cell-time')} ms in the browser = ${mbps.toFixed(1)} Mbp/s`);
      expect(mbps).toBeGreaterThan(0);
    }
    expect(cli.files[0]).toMatchObject({ lengthBp: 48502, records: 1 }); // lambda, NC_001416

    // Downloads use the CLI's formats: identical JSON (but wall times) and identical TSV.
    const json = await download(page, 'download-json');
    expect(json.name).toBe('mediaforge-profiles-2-files.json');
    const doc = JSON.parse(json.text) as typeof cli;
    const noTime = (d: typeof cli) => ({ ...d, files: d.files.map(({ elapsedMs: _, ...rest }) => rest) });
    expect(noTime(doc)).toEqual(noTime(cli));
    const tsv = await download(page, 'download-tsv');
    expect(tsv.text).toBe(cliProfileTsv(FILES, FIXTURES));

    // Plots: one labelled dot per file; the spectrum shows 136 bars for k = 4 and 2,080 for k = 6.
    await expect(page.getByTestId('gc-length-dot').count()).resolves.toBe(2);
    await expect(page.getByTestId('gc-length-plot').textContent()).resolves.toContain('mycoplasma-genitalium-g37.fa.gz');
    await expect(page.getByTestId('spectrum-plot').getAttribute('data-bars')).resolves.toBe('136');
    await row(page, FILES[1]).getByRole('button', { name: FILES[1], exact: true }).click();
    await expect(page.getByTestId('spectrum-file').inputValue()).resolves.toBe(String(2));
    await page.getByTestId('spectrum-k-6').click();
    await expect(page.getByTestId('spectrum-plot').getAttribute('data-bars')).resolves.toBe('2080');
    await screenshot(page, 'finished-k6');
    await page.getByTestId('spectrum-k-3').click();
    await page.getByTestId('spectrum-plot').hover({ position: { x: 200, y: 150 } });
    await expect(page.getByTestId('spectrum-tip').textContent()).resolves.toMatch(/[ACGT]{3}.*%/s);
    await screenshot(page, 'finished-k3');

    console.log(`[e2e] main thread while profiling 2 genomes: ${describeLongTasks(longTasks)}`);
    if (longTasks.length) console.log(slowFrames.join('\n'));
    // No task may keep the main thread busy for 50 ms (CPU time: see measureMainThread).
    expect(longTasks.filter((t) => !(t.cpuMs! < 50))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
