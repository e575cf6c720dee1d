/** Bad input gets a specific AppError naming the file and the problem. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { fixture } from '../helpers/data';

async function errorOf(name: string, bytes: Uint8Array): Promise<AppError> {
  try {
    await profileSource(bytesSource(name, bytes));
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error(`${name} was accepted`);
}

const file = (name: string) => new Uint8Array(readFileSync(fixture(name)));
const text = (s: string) => new TextEncoder().encode(s);

describe('bad input', () => {
  it.each([
    ['empty.fa', 'FILE_EMPTY', /empty/],
    ['reads.fq', 'FASTA_IS_FASTQ', /FASTQ/],
    ['protein.faa', 'FASTA_IS_PROTEIN', /protein/],
    ['genbank.gb', 'FASTA_NO_HEADER', /first line should start with '>' but is "LOCUS/],
    ['headers-only.fa', 'FASTA_NO_SEQUENCE', /2 headers but no sequence/],
    ['digits-in-sequence.fa', 'FASTA_BAD_CHARACTER', /unexpected character '1' in the sequence of record 'numbered'/],
    ['truncated.fa.gz', 'GZIP_TRUNCATED', /ends too early/],
  ])('%s -> %s', async (name, code, message) => {
    const e = await errorOf(name, file(name));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`${name}: `)).toBe(true);
  });

  it('names GenBank input and suggests converting it', async () => {
    const e = await errorOf('x.gb', file('genbank.gb'));
    expect(e.hint).toMatch(/GenBank/);
  });

  it('rejects whitespace-only and gzip-of-nothing files as empty', async () => {
    expect((await errorOf('blank.fa', text('\n\n  \r\n'))).code).toBe('FILE_EMPTY');
    const { gzipSync } = await import('node:zlib');
    expect((await errorOf('empty.fa.gz', new Uint8Array(gzipSync(Buffer.alloc(0))))).code).toBe('FILE_EMPTY');
  });

  it('recognises other compressors and binary files', async () => {
    expect((await errorOf('a.fa.bz2', text('BZh91AY&SY'))).message).toMatch(/bzip2/);
    expect((await errorOf('a.fa.xz', new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0]))).message).toMatch(/xz/);
    expect((await errorOf('a.zip', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))).message).toMatch(/ZIP/);
    expect((await errorOf('a.bin', new Uint8Array([1, 2, 3, 4, 5, 0, 7]))).code).toBe('FASTA_BINARY');
  });

  it('rejects corrupt gzip data', async () => {
    const good = file('lambda.fa.gz');
    const bad = good.slice();
    for (let i = 100; i < 400; i++) bad[i] ^= 0x5a;
    const e = await errorOf('corrupt.fa.gz', bad);
    expect(['GZIP_CORRUPT', 'GZIP_TRUNCATED']).toContain(e.code);
  });

  it('rejects a ">" in the middle of a sequence line', async () => {
    const e = await errorOf('mid.fa', text('>a\nACGT>ACGT\n'));
    expect(e.code).toBe('FASTA_BAD_CHARACTER');
  });

  it('accepts ";" comment lines before the first record', async () => {
    const p = await profileSource(bytesSource('comment.fa', text(';old style comment\n>a\nACGTAC\n')));
    expect(p.lengthBp).toBe(6);
  });

  it('can be cancelled between chunks', async () => {
    const controller = new AbortController();
    const big = text('>big\n' + 'ACGT'.repeat(2_000_000) + '\n');
    const source = bytesSource('big.fa', big, 1 << 12);
    let calls = 0;
    const promise = profileSource(source, { progressIntervalMs: 0 }, {
      signal: controller.signal,
      onProgress: () => {
        if (++calls === 3) controller.abort();
      },
    });
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('reports progress with bytes, bases, Mbp/s and an ETA', async () => {
    const big = text('>big\n' + 'ACGT'.repeat(500_000) + '\n');
    const seen: number[] = [];
    let last: { etaSec?: number; mbpPerSec: number; totalBytes?: number } | undefined;
    await profileSource(bytesSource('p.fa', big, 1 << 14), { progressIntervalMs: 0 }, {
      onProgress: (p) => {
        seen.push(p.basesDone);
        last = p;
      },
    });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)).toBe(2_000_000);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(last!.totalBytes).toBe(big.length);
    expect(last!.etaSec).toBe(0);
  });
});
