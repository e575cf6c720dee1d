/**
 * Awkward inputs in the real browser: multi-member gzip (which Chromium's DecompressionStream
 * cannot read, so core must fall back to fflate), and bad files dropped together with a good one
 * (each bad file gets its own clear error row; the good one still completes).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from '../helpers/data';
import { cellValue, cliProfileJson, download, row, screenshot, useBrowserAndServer, waitForRow } from './helpers';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/data';

const app = useBrowserAndServer();

/** Whether the browser's own DecompressionStream('gzip') reads these bytes to the end. */
function nativeGunzipWorks(page: Page, bytes: Buffer): Promise<boolean> {
  return page.evaluate(async (b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    try {
      await new Response(new Blob([data]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
      return true;
    } catch {
      return false;
    }
  }, bytes.toString('base64'));
}

/** Drops files on the drop zone the way a file manager does (a DataTransfer on a `drop` event). */
async function dropFiles(page: Page, files: { name: string; bytes: Buffer }[], target = page.getByTestId('drop-zone')): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    return dt;
  }, files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64') })));
  for (const type of ['dragenter', 'dragover', 'drop']) await target.dispatchEvent(type, { dataTransfer });
}

/** The CLI's one-line error for a file, without the "mediaforge profile: " prefix. */
function cliError(file: string): string {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/mediaforge.js'), 'profile', file], { cwd: FIXTURES, encoding: 'utf8' });
  expect(r.status).not.toBe(0);
  return r.stderr.trim().replace(/^mediaforge profile: /, '');
}

describe('awkward inputs in the browser', () => {
  it('reads multi-member gzip (native gunzip fails, the fflate fallback is used) with counts equal to the plain file', async () => {
    const plain = gunzipSync(readFileSync(fixture('lambda.fa.gz')));
    const half = Math.floor(plain.length / 2);
    const twoMembers = Buffer.concat([gzipSync(plain.subarray(0, half)), gzipSync(plain.subarray(half))]);
    const { context, page, errors } = await app.open();

    // Precondition: this Chromium cannot read it natively, so the fallback path is what is tested.
    // (If Chromium learns multi-member gzip, this line fails: then the fallback needs another trigger.)
    expect(await nativeGunzipWorks(page, gzipSync(plain))).toBe(true);
    expect(await nativeGunzipWorks(page, twoMembers)).toBe(false);

    const files = [
      { name: 'lambda.fa', mimeType: 'text/plain', buffer: plain },
      { name: 'lambda-two-members.fa.gz', mimeType: 'application/gzip', buffer: twoMembers },
      { name: 'multi-member.fa.gz', mimeType: 'application/gzip', buffer: readFileSync(fixture('multi-member.fa.gz')) },
    ];
    await page.getByTestId('fasta-input').setInputFiles(files);
    for (const f of files) expect(await waitForRow(page, f.name, ['done', 'error', 'cancelled'])).toBe('done');

    const doc = JSON.parse((await download(page, 'download-json')).text) as ReturnType<typeof cliProfileJson>;
    const [p, m, fx] = doc.files;
    expect([p.gzip, m.gzip, fx.gzip]).toEqual([false, true, true]);
    const cli = cliProfileJson(['lambda.fa.gz'], FIXTURES).files[0];
    for (const got of [p, m, fx]) {
      expect(got).toMatchObject({ records: cli.records, lengthBp: cli.lengthBp, gcBp: cli.gcBp, nBp: cli.nBp, gcFraction: cli.gcFraction });
      expect(got.counts).toEqual(cli.counts);
    }
    expect(await cellValue(page, 'lambda-two-members.fa.gz', 'cell-length')).toBe(48502);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a clear error row per bad file while a good file dropped with them completes', async () => {
    const { context, page, errors } = await app.open();
    const bad = ['reads.fq', 'protein.faa', 'truncated.fa.gz', 'empty.fa'];
    const notes = Buffer.from('Meeting notes 2024-05-02\n- order new agar plates\n- autoclave on Friday\n');
    await dropFiles(page, [
      ...bad.slice(0, 2).map((name) => ({ name, bytes: readFileSync(fixture(name)) })),
      { name: 'lambda.fa.gz', bytes: readFileSync(fixture('lambda.fa.gz')) },
      ...bad.slice(2).map((name) => ({ name, bytes: readFileSync(fixture(name)) })),
      { name: 'notes.txt', bytes: notes },
    ]);

    expect(await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled'])).toBe('done');
    expect(await cellValue(page, 'lambda.fa.gz', 'cell-length')).toBe(48502);
    const expectedCodes: Record<string, string> = {
      'reads.fq': 'FASTA_IS_FASTQ',
      'protein.faa': 'FASTA_IS_PROTEIN',
      'truncated.fa.gz': 'GZIP_TRUNCATED',
      'empty.fa': 'FILE_EMPTY',
      'notes.txt': 'FASTA_NO_HEADER',
    };
    for (const [name, code] of Object.entries(expectedCodes)) {
      expect(await waitForRow(page, name, ['done', 'error', 'cancelled'])).toBe('error');
      const cell = row(page, name).getByTestId('cell-error');
      expect(await cell.getAttribute('data-code')).toBe(code);
      const text = (await cell.textContent())!.replace(/\s+/g, ' ').trim();
      expect(text).toMatch(/^Error \S.{10,} — \S.{10,}$/); // what is wrong, then what to do
      expect(await cell.locator('strong').getAttribute('title')).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}: `)); // full message names the file
      if (name !== 'notes.txt') {
        // The same words as the CLI: "message (hint)" there, "message — hint" here.
        const message = await cell.locator('strong').getAttribute('title');
        const hint = (await cell.locator('.hint').textContent())!.replace(/^— /, '');
        expect(`${message} (${hint})`).toBe(cliError(name));
      }
    }
    // Only the good file is plotted; errors don't block downloads of what worked.
    expect(await page.getByTestId('gc-length-dot').count()).toBe(1);
    expect(await page.getByTestId('download-json').isEnabled()).toBe(true);
    await screenshot(page, 'errors');

    // A file dropped beside the drop zone is taken too (not opened by the browser, leaving the app).
    await dropFiles(page, [{ name: 'short-records.fa', bytes: readFileSync(fixture('short-records.fa')) }], page.locator('footer'));
    expect(await waitForRow(page, 'short-records.fa', ['done', 'error', 'cancelled'])).toBe('done');
    expect(await page.getByTestId('profile-row').count()).toBe(7);
    expect(errors).toEqual([]);
    await context.close();
  });
});
