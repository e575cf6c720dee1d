/**
 * Bad files dropped in the real browser (docs/bad-input.md): each gets an error row with the
 * same code and the same words as the CLI, a damaged gzip (CRC-32 in the trailer, a byte of
 * the data, member 2 of a multi-member file) never becomes a profile, and a file that is accepted
 * with a warning shows the warning in its row. The files are generated from real fixtures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, fixture } from '../helpers/data';
import { flipByte, gzipMemberStarts } from '../helpers/gzip-bytes';
import { cellValue, row, screenshot, useBrowserAndServer, waitForRow } from './helpers';

const app = useBrowserAndServer();

const enc = (s: string) => Buffer.from(s, 'utf8');
const lambdaGz = readFileSync(fixture('lambda.fa.gz'));
const multiGz = readFileSync(fixture('multi-member.fa.gz'));
const member2 = gzipMemberStarts(multiGz)[1];
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);

/** name, bytes, the code the row must show */
const BAD: [string, Buffer, string][] = [
  ['crc-trailer.fa.gz', Buffer.from(flipByte(lambdaGz, -8)), 'GZIP_CORRUPT'],
  ['crc-data.fa.gz', Buffer.from(flipByte(lambdaGz, 7000, 0x04)), 'GZIP_CORRUPT'],
  ['crc-member2.fa.gz', Buffer.from(flipByte(multiGz, -6)), 'GZIP_CORRUPT'],
  ['length-member1.fa.gz', Buffer.from(flipByte(multiGz, member2 - 2)), 'GZIP_CORRUPT'],
  ['cut.fa.gz', lambdaGz.subarray(0, lambdaGz.length - 4), 'GZIP_TRUNCATED'],
  ['notepad.fa', utf16le('>a\r\nACGTACGTACGT\r\n'), 'FASTA_IS_UTF16'],
  ['gel.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]), Buffer.alloc(100, 7)]), 'FASTA_BINARY'],
  ['paper.pdf', Buffer.concat([enc('%PDF-1.7\n%'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]), enc('\n1 0 obj\n')]), 'FASTA_BINARY'],
  ['genome.zip', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(60)]), 'FASTA_BINARY'],
  ['reads.fq.gz', gzipSync(readFileSync(fixture('reads.fq'))), 'FASTA_IS_FASTQ'],
  ['genome.gb', readFileSync(fixture('genbank.gb')), 'FASTA_NO_HEADER'],
  ['error-page.fna', enc('<!DOCTYPE html>\n<html><body>404</body></html>\n'), 'FASTA_NO_HEADER'],
  ['latin1.fa', Buffer.concat([enc('>a\nACGT\nAC'), Buffer.from([0xe9]), enc('GT\n')]), 'FASTA_BAD_CHARACTER'],
  ['masked.fa', enc('>r1\nNNNNNNNNNN\n'), 'FASTA_NO_SEQUENCE'],
];
const DUP = enc('>c1\nACGTAC\n>c2\nGGGTTT\n>c1 again\nAAACCC\n');

/** Drops files on the drop zone the way a file manager does (a DataTransfer on a `drop` event). */
async function dropFiles(page: Page, files: { name: string; bytes: Buffer }[]): Promise<void> {
  const target = page.getByTestId('drop-zone');
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    return dt;
  }, files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64') })));
  for (const type of ['dragenter', 'dragover', 'drop']) await target.dispatchEvent(type, { dataTransfer });
}

/** The CLI on the same file: exit code and stderr, with file names as the browser sees them. */
function cli(dir: string, name: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/mediaforge.js'), 'profile', name, '--out', join(dir, `${name}.tsv`)], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('bad input in the browser: the same refusals as the CLI', () => {
  it('every bad file gets an error row with the CLI’s code and words; damaged gzip never becomes a profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-e2e-bad-'));
    for (const [name, bytes] of BAD) writeFileSync(join(dir, name), bytes);
    writeFileSync(join(dir, 'dup.fa'), DUP);
    const { context, page, errors } = await app.open();

    // Chromium's own gunzip refuses the damaged single-member files (it checks the CRC-32), and
    // cannot read multi-member ones at all: either way the portable decoder gives the message.
    const nativeOk = await page.evaluate(async (b64) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      try {
        await new Response(new Blob([data]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
        return true;
      } catch {
        return false;
      }
    }, BAD[0][1].toString('base64'));
    expect(nativeOk).toBe(false);

    await dropFiles(page, [...BAD.map(([name, bytes]) => ({ name, bytes })), { name: 'lambda.fa.gz', bytes: lambdaGz }, { name: 'dup.fa', bytes: DUP }]);

    const lambdaStatus = await waitForRow(page, 'lambda.fa.gz', ['done', 'error', 'cancelled']);
    expect(lambdaStatus).toBe('done');
    expect(await cellValue(page, 'lambda.fa.gz', 'cell-length')).toBe(48502);
    for (const [name, , code] of BAD) {
      expect(await waitForRow(page, name, ['done', 'error', 'cancelled']), name).toBe('error');
      const cell = row(page, name).getByTestId('cell-error');
      expect(await cell.getAttribute('data-code'), name).toBe(code);
      const message = (await cell.locator('strong').getAttribute('title'))!;
      const hint = (await cell.locator('.hint').textContent())!.replace(/^— /, '');
      expect(message.startsWith(`${name}: `), name).toBe(true);
      const r = cli(dir, name);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toBe(`mediaforge profile: ${message} (${hint})\n`);
    }
    expect(await row(page, 'crc-member2.fa.gz').getByTestId('cell-error').locator('strong').getAttribute('title')).toMatch(
      new RegExp(`member 2 \\(at byte ${member2.toLocaleString('en-US')}\\) fails its CRC-32 check`),
    );

    // accepted with a warning: profiled, and the row says what was odd, as the CLI does
    expect(await waitForRow(page, 'dup.fa', ['done', 'error', 'cancelled'])).toBe('done');
    const warning = (await row(page, 'dup.fa').getByTestId('cell-warning').textContent())!.trim();
    expect(warning).toBe("⚠ 1 record id is used again, first 'c1' (records 1 and 3); per-record output will have repeated names");
    const r = cli(dir, 'dup.fa');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`mediaforge profile: warning: dup.fa: ${warning.replace(/^⚠ /, '')}\n`);
    expect(await row(page, 'lambda.fa.gz').getByTestId('cell-warning').count()).toBe(0);

    // only the good files are plotted
    expect(await page.getByTestId('gc-length-dot').count()).toBe(2);
    expect(gunzipSync(lambdaGz).length).toBeGreaterThan(48502);
    await screenshot(page, 'bad-input');
    expect(errors).toEqual([]);
    await context.close();
  });
});
