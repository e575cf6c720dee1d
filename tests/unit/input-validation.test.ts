/**
 * Every bad-input case of docs/bad-input.md, one row each: what the core does with it (refuse
 * with a code and a one-line message naming the file, accept, or accept with a warning), and
 * that the CLI prints the same message as one line on stderr with a non-zero exit code.
 * The bad files are generated here from real fixtures where possible.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/profile';
import { inflateGuard } from '../../src/core/decompress';
import { AppError, formatError, type ErrorCode } from '../../src/core/errors';
import { MAX_HEADER_BYTES } from '../../src/core/fasta-kmer-scanner';
import { profileSource } from '../../src/core/profile';
import type { GenomeProfile } from '../../src/core/profile-types';
import { bytesSource } from '../../src/core/sources';
import { fixture } from '../helpers/data';
import { flipByte } from '../helpers/gzip-bytes';
import { referenceMismatches } from '../helpers/reference-compare';
import { runCommand } from '../helpers/run-cli';

const enc = (s: string) => new TextEncoder().encode(s);
const file = (name: string) => new Uint8Array(readFileSync(fixture(name)));
const cat = (...parts: (Uint8Array | number[])[]) => new Uint8Array(parts.flatMap((p) => [...p]));
const gz = (b: Uint8Array | string) => new Uint8Array(gzipSync(typeof b === 'string' ? enc(b) : b));
const lambdaGz = file('lambda.fa.gz');
const lambda = new Uint8Array(gunzipSync(lambdaGz));
const lambdaHead = lambda.subarray(0, 3000);
const utf16 = (s: string, le: boolean, bom: boolean) => {
  const out: number[] = bom ? (le ? [0xff, 0xfe] : [0xfe, 0xff]) : [];
  for (const ch of s) out.push(...(le ? [ch.charCodeAt(0), 0] : [0, ch.charCodeAt(0)]));
  return new Uint8Array(out);
};
const random = (n: number, seed = 7) => {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
};

interface Refused {
  id: string;
  name: string;
  bytes: Uint8Array;
  code: ErrorCode;
  message: RegExp;
  hint?: RegExp;
}

/** Refused: the case id (docs/bad-input.md), a file name, its bytes, the code and the message after "<name>: ". */
const REFUSED: Refused[] = [
  { id: 'empty', name: 'empty.fa', bytes: new Uint8Array(0), code: 'FILE_EMPTY', message: /^the file is empty \(0 bytes\)$/ },
  { id: 'blank', name: 'blank.fa', bytes: enc('\n\r\n  \t\n'), code: 'FILE_EMPTY', message: /^the file is empty \(no FASTA header or sequence\)$/ },
  { id: 'empty-gz', name: 'empty.fa.gz', bytes: new Uint8Array(0), code: 'FILE_EMPTY', message: /^the file is empty \(0 bytes\)$/ },
  { id: 'gzip-of-nothing', name: 'nothing.fa.gz', bytes: gz(''), code: 'FILE_EMPTY', message: /^the file is empty \(no FASTA header or sequence\)$/ },
  { id: 'binary', name: 'data.bin', bytes: cat([0x7f, 0x45, 0x4c, 0x46], random(600)), code: 'FASTA_BINARY', message: /^is a binary file, not FASTA text$/ },
  { id: 'png', name: 'gel.png', bytes: cat([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], random(200)), code: 'FASTA_BINARY', message: /^is a PNG image, not FASTA$/ },
  { id: 'jpeg', name: 'plate.jpg', bytes: cat([0xff, 0xd8, 0xff, 0xe0], random(200)), code: 'FASTA_BINARY', message: /^is a JPEG image, not FASTA$/ },
  { id: 'gif', name: 'cells.gif', bytes: cat(enc('GIF89a'), random(100)), code: 'FASTA_BINARY', message: /^is a GIF image, not FASTA$/ },
  { id: 'tiff', name: 'scan.tif', bytes: cat([0x49, 0x49, 0x2a, 0], random(100)), code: 'FASTA_BINARY', message: /^is a TIFF image, not FASTA$/ },
  { id: '7z', name: 'genome.7z', bytes: cat([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], random(100)), code: 'FASTA_BINARY', message: /^is a 7-Zip archive, not a FASTA file$/, hint: /extract it/ },
  { id: 'rar', name: 'genome.rar', bytes: cat(enc('Rar!\x1a\x07\x01\x00'), random(100)), code: 'FASTA_BINARY', message: /^is a RAR archive, not a FASTA file$/, hint: /extract it/ },
  { id: 'office', name: 'sequences.xls', bytes: cat([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], random(100)), code: 'FASTA_BINARY', message: /^is a Microsoft Office document, not FASTA$/ },
  { id: 'pdf', name: 'paper.pdf', bytes: cat(enc('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n'), random(200)), code: 'FASTA_BINARY', message: /^is a PDF document, not FASTA$/ },
  { id: 'zip', name: 'genome.zip', bytes: cat([0x50, 0x4b, 3, 4, 20, 0], random(100)), code: 'FASTA_BINARY', message: /^is a ZIP archive \(or an Office document\), not a FASTA file$/, hint: /unzip/ },
  {
    id: 'tar-gz',
    name: 'genome.tar.gz',
    bytes: (() => {
      // a tar header (name, mode ... "ustar" magic at 257) and the file, gzip-compressed
      const h = new Uint8Array(512);
      h.set(enc('lambda.fa'), 0);
      h.set(enc('0000644\0'), 100);
      h.set(enc('ustar\0'), 257);
      return gz(cat(h, lambdaHead, new Uint8Array(512 - (lambdaHead.length % 512))));
    })(),
    code: 'FASTA_BINARY',
    message: /^is a tar archive, not a FASTA file$/,
    hint: /tar -xf/,
  },
  { id: 'bzip2', name: 'genome.fa.bz2', bytes: cat(enc('BZh91AY&SY'), random(100)), code: 'FASTA_BINARY', message: /^compressed with bzip2, which is not supported$/ },
  { id: 'xz', name: 'genome.fa.xz', bytes: cat([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0], random(100)), code: 'FASTA_BINARY', message: /^compressed with xz/ },
  { id: 'zstd', name: 'genome.fa.zst', bytes: cat([0x28, 0xb5, 0x2f, 0xfd], random(100)), code: 'FASTA_BINARY', message: /^compressed with zstd/ },
  { id: 'sqlite', name: 'snapshot.sqlite', bytes: cat(enc('SQLite format 3\0'), new Uint8Array(100)), code: 'FASTA_BINARY', message: /^is an SQLite database, not FASTA$/ },
  { id: 'double-gzip', name: 'twice.fa.gz.gz', bytes: gz(gz(lambdaHead)), code: 'FASTA_BINARY', message: /^is gzip-compressed twice/, hint: /gunzip/ },
  { id: 'bam', name: 'reads.bam', bytes: gz(cat(enc('BAM\x01'), random(100))), code: 'FASTA_BINARY', message: /^is a BAM alignment file/, hint: /samtools fasta/ },
  { id: 'text', name: 'notes.txt', bytes: enc('Meeting notes 2024-05-02\n- order new agar plates\n'), code: 'FASTA_NO_HEADER', message: /^not FASTA: the first line should start with '>' but is "Meeting notes 2024-05-02"$/ },
  { id: 'html', name: 'genome.fna', bytes: enc('<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n'), code: 'FASTA_NO_HEADER', message: /^is a web page \(HTML\/XML\), not FASTA/ },
  { id: 'fastq', name: 'reads.fq', bytes: file('reads.fq'), code: 'FASTA_IS_FASTQ', message: /^this is FASTQ/, hint: /seqtk seq -a/ },
  { id: 'fastq-gz', name: 'reads.fq.gz', bytes: gz(file('reads.fq')), code: 'FASTA_IS_FASTQ', message: /^this is FASTQ/, hint: /seqtk seq -a/ },
  { id: 'protein', name: 'proteins.faa', bytes: file('protein.faa'), code: 'FASTA_IS_PROTEIN', message: /^looks like protein, not DNA \(\d+% of letters are amino-acid codes/, hint: /nucleotide/ },
  { id: 'genbank', name: 'genome.gb', bytes: file('genbank.gb'), code: 'FASTA_NO_HEADER', message: /^not FASTA: the first line should start with '>' but is "LOCUS/, hint: /GenBank\/EMBL: convert it to FASTA/ },
  { id: 'embl', name: 'genome.embl', bytes: enc('ID   X56734; SV 1; linear; mRNA; STD; PLN; 1859 BP.\nXX\n'), code: 'FASTA_NO_HEADER', message: /but is "ID {3}X56734/, hint: /GenBank\/EMBL/ },
  { id: 'gzip-truncated', name: 'cut.fa.gz', bytes: lambdaGz.subarray(0, 8000), code: 'GZIP_TRUNCATED', message: /^the gzip data ends too early \(truncated file or incomplete download\): the file ends inside the compressed data of member 1, at byte 8,000$/ },
  { id: 'gzip-corrupt-data', name: 'bad.fa.gz', bytes: flipByte(lambdaGz, 6000, 0x20), code: 'GZIP_CORRUPT', message: /^the gzip data is corrupt: member 1 \(at byte 0\)/, hint: /gzip -t/ },
  { id: 'gzip-crc', name: 'crc.fa.gz', bytes: flipByte(lambdaGz, -7), code: 'GZIP_CORRUPT', message: /^the gzip data is corrupt: member 1 \(at byte 0\) fails its CRC-32 check \(stored 0x[0-9a-f]{8}, data 0x[0-9a-f]{8}\)$/ },
  { id: 'gzip-isize', name: 'len.fa.gz', bytes: flipByte(lambdaGz, -2), code: 'GZIP_CORRUPT', message: /^the gzip data is corrupt: member 1 \(at byte 0\) inflates to 49,\d{3} bytes but its trailer says/ },
  { id: 'gzip-trailing-junk', name: 'junk.fa.gz', bytes: cat(lambdaGz, enc('<html>')), code: 'GZIP_CORRUPT', message: /unexpected data after member 1 at byte 15,\d{3}$/ },
  { id: 'no-acgt', name: 'masked.fa', bytes: enc('>r1\nNNNNNNNNNN\n>r2\nRYKMNNNN\n'), code: 'FASTA_NO_SEQUENCE', message: /^18 bp in 2 records but no A, C, G or T/ },
  { id: 'headers-only', name: 'headers.fa', bytes: file('headers-only.fa'), code: 'FASTA_NO_SEQUENCE', message: /^2 headers but no sequence letters$/ },
  { id: 'cr-only-line-ends', name: 'mac.fa', bytes: enc('>a\rACGTACGT\rGGCC\r>b\rAAAA\r'), code: 'FASTA_NO_SEQUENCE', message: /^1 header but no sequence letters: the lines end with CR only \(classic Mac OS line ends\)/, hint: /tr '\\r' '\\n'/ },
  { id: 'utf16-le-bom', name: 'notepad.fa', bytes: utf16('>a\r\nACGTACGT\r\n', true, true), code: 'FASTA_IS_UTF16', message: /^is UTF-16 text/, hint: /iconv -f UTF-16 -t UTF-8/ },
  { id: 'utf16-be', name: 'be.fa', bytes: utf16('>a\nACGTACGTACGTACGTACGTACGTACGTACGT\n', false, false), code: 'FASTA_IS_UTF16', message: /^is UTF-16 text/ },
  { id: 'utf16-le', name: 'le.fa', bytes: utf16('>a\nACGTACGTACGTACGTACGTACGTACGTACGT\n', true, false), code: 'FASTA_IS_UTF16', message: /^is UTF-16 text/ },
  { id: 'non-utf8-in-sequence', name: 'latin1.fa', bytes: cat(enc('>a\nACGT\nAC'), [0xe9], enc('GT\n')), code: 'FASTA_BAD_CHARACTER', message: /^unexpected character byte 0xe9 \(not ASCII\) in the sequence of record 'a' \(line 3, column 3\)$/ },
  { id: 'digits', name: 'digits.fa', bytes: file('digits-in-sequence.fa'), code: 'FASTA_BAD_CHARACTER', message: /^unexpected character '1' in the sequence of record 'numbered' \(line \d+, column \d+\)$/ },
  { id: 'gt-mid-line', name: 'mid.fa', bytes: enc('>a\nACGT>ACGT\n'), code: 'FASTA_BAD_CHARACTER', message: /^unexpected character '>' in the sequence of record 'a' \(line 2, column 5\)$/ },
  {
    id: 'nul-later',
    name: 'nul.fa.gz',
    bytes: gz(cat(lambdaHead, [0, 0, 0], enc('ACGT\n'))),
    code: 'FASTA_BAD_CHARACTER',
    // line and column of the first NUL, counted here from the bytes
    message: new RegExp(`^unexpected character byte 0x00 in the sequence of record 'NC_001416\\.1' \\(line ${lambdaHead.filter((b) => b === 10).length + 1}, column ${lambdaHead.length - lambdaHead.lastIndexOf(10)}\\)$`),
  },
];

async function outcome(name: string, bytes: Uint8Array, chunk?: number): Promise<GenomeProfile | AppError> {
  try {
    return await profileSource(bytesSource(name, bytes, chunk), { perRecord: true });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return e;
  }
}

describe('bad input is refused with a specific one-line message (docs/bad-input.md)', () => {
  it.each(REFUSED.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    for (const chunk of [1 << 16, 7]) {
      const e = await outcome(c.name, c.bytes, chunk);
      expect(e, `accepted with ${chunk}-byte chunks`).toBeInstanceOf(AppError);
      const err = e as AppError;
      expect(err.code).toBe(c.code);
      expect(err.message.startsWith(`${c.name}: `)).toBe(true);
      expect(err.message.slice(c.name.length + 2)).toMatch(c.message);
      expect(err.message).not.toMatch(/\n/);
      expect(err.hint, 'says what to do').toMatch(c.hint ?? /\w{3,} \w{3,}/);
    }
  });

  it('the CLI prints the same message on one line of stderr, exit code 1, and nothing on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-bad-'));
    for (const c of REFUSED) {
      const sub = join(dir, c.id);
      mkdirSync(sub);
      const path = join(sub, c.name);
      writeFileSync(path, c.bytes);
      const core = await outcome(path, c.bytes);
      const r = await runCommand({ run }, 'profile', path);
      expect(r.code, c.id).toBe(1);
      expect(r.stdout, c.id).toBe('');
      expect(r.stderr, c.id).toBe(`mediaforge profile: ${formatError(core)}\n`);
    }
  });

  it('a missing file and a directory are named (CLI)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-nf-'));
    const missing = await runCommand({ run }, 'profile', join(dir, 'nope.fa'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mediaforge profile: .*nope\.fa: no such file \(check the path\)\n$/);
    const isDir = await runCommand({ run }, 'profile', dir);
    expect(isDir.stderr).toMatch(/is a directory, not a file/);
  });
});

describe('gzip bomb (inflates to far more than a genome could)', () => {
  it('the guard refuses output over the limit at more than the ratio, and passes real genomes', async () => {
    const limits = { minBytes: 100_000, maxRatio: 100 };
    const bomb = gz(cat(enc('>bomb\n'), new Uint8Array(1_000_000).fill(65)));
    expect(bomb.length).toBeLessThan(2000);
    let packed = 0;
    const counted = bytesSource('bomb.fa.gz', bomb, 512).open().pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ transform: (c, ctl) => ((packed += c.length), ctl.enqueue(c)) }),
    );
    const out = counted.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).pipeThrough(inflateGuard('bomb.fa.gz', () => packed, limits));
    await expect(new Response(out).arrayBuffer()).rejects.toMatchObject({ code: 'GZIP_TOO_LARGE', message: expect.stringMatching(/^bomb\.fa\.gz: the gzip data inflates to over [\d,]+ bytes from [\d,]+ \(more than 100× its size\): a gzip bomb, not a genome$/) });
    // lambda (3.2× compression) passes the same small limits
    let p2 = 0;
    const ok = bytesSource('lambda.fa.gz', lambdaGz).open()
      .pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform: (c, ctl) => ((p2 += c.length), ctl.enqueue(c)) }))
      .pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>)
      .pipeThrough(inflateGuard('lambda.fa.gz', () => p2, { minBytes: 10_000, maxRatio: 100 }));
    expect((await new Response(ok).arrayBuffer()).byteLength).toBe(lambda.length);
  });

  it('profileSource refuses a real 1.1 GiB bomb of valid FASTA (1.2 MB on disk) with GZIP_TOO_LARGE', async () => {
    const block = gzipSync(new Uint8Array(64 << 20).fill(65), { level: 9 });
    const bomb = cat(gz('>bomb\n'), ...Array.from({ length: 18 }, () => block));
    expect(bomb.length).toBeLessThan(2_000_000);
    const e = await outcome('bomb.fa.gz', bomb, 1 << 16);
    expect(e).toMatchObject({ code: 'GZIP_TOO_LARGE' });
    expect((e as AppError).message).toMatch(/^bomb\.fa\.gz: the gzip data inflates to over 1,07\d,\d{3},\d{3} bytes from [\d,]+ \(more than 100× its size\)/);
  }, 60_000);
});

interface Accepted {
  id: string;
  name: string;
  bytes: Uint8Array;
  warning?: RegExp;
}

const longHeader = `>long ${'x'.repeat(MAX_HEADER_BYTES + 5000)}\nACGTACGTTT\n>short\nGGGCCC\n`;
const ACCEPTED: Accepted[] = [
  { id: 'duplicate-ids', name: 'dup.fa', bytes: enc('>c1\nACGTAC\n>c2\nGGGTTT\n>c1 again\nAAACCC\n'), warning: /^1 record id is used again, first 'c1' \(records 1 and 3\); per-record output will have repeated names$/ },
  { id: 'empty-records', name: 'some-empty.fa', bytes: file('empty-record.fa'), warning: /^\d records? without sequence, first '.+' \(record \d+\)$/ },
  { id: 'iupac', name: 'iupac.fa', bytes: file('iupac-u-gaps.fa'), warning: /^\d+ bp are IUPAC ambiguity codes or gaps \(not N\); k-mers containing them are not counted$/ },
  { id: 'stray-amino-letters', name: 'few-e.fa', bytes: enc(`>a\n${'ACGT'.repeat(500)}EF\n`), warning: /^2 letters are not nucleotide codes/ },
  { id: 'long-header', name: 'long.fa', bytes: enc(longHeader), warning: /^1 header line is over 65,536 bytes \(longest 70,\d{3}\); only the first 65,536 bytes of each are kept$/ },
  { id: 'lowercase', name: 'soft.fa.gz', bytes: file('lowercase-n.fa.gz') },
  { id: 'rna-u', name: 'rna.fa', bytes: enc('>r\nACGUUGCA\n') },
  { id: 'crlf', name: 'crlf.fa', bytes: file('crlf.fa') },
  { id: 'bom-blank-comment', name: 'bom.fa', bytes: cat([0xef, 0xbb, 0xbf], enc(';comment\n\n>a\nACGTAC\n\n>b\nGG')) },
  { id: 'non-utf8-header', name: 'latin1-header.fa', bytes: cat(enc('>E. coli K-12 '), [0xe9, 0xfc, 0xff], enc(' strain\nACGTACGGT\n')) },
  { id: 'empty-id', name: 'noid.fa', bytes: enc('>\nACGTAC\n>  \nGGTTAA\n') },
  { id: 'multi-member-gzip', name: 'multi.fa.gz', bytes: file('multi-member.fa.gz') },
  { id: 'gzip-zero-padding', name: 'padded.fa.gz', bytes: cat(lambdaGz, new Uint8Array(1024)) },
  { id: 'gzip-fname-header', name: 'named.fa.gz', bytes: (() => {
    const g = gz(lambdaHead);
    const head = g.slice(0, 10);
    head[3] |= 8;
    return cat(head, enc('lambda.fa\0'), g.subarray(10));
  })() },
];

describe('tricky but valid files are counted exactly (with a warning where worth knowing)', () => {
  it.each(ACCEPTED.map((c) => [c.id, c] as const))('%s', async (_, c) => {
    for (const chunk of [1 << 16, 3]) {
      const p = await outcome(c.name, c.bytes, chunk);
      if (p instanceof AppError) throw new Error(`refused: ${p.message}`);
      expect(referenceMismatches(p, c.bytes)).toEqual([]);
      if (c.warning) {
        expect(p.warnings).toHaveLength(1);
        expect(p.warnings![0].startsWith(`${c.name}: `)).toBe(true);
        expect(p.warnings![0].slice(c.name.length + 2)).toMatch(c.warning);
      } else {
        expect(p.warnings).toBeUndefined();
      }
    }
  });

  it('the CLI prints each warning as one stderr line and still exits 0 with the profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-warn-'));
    const path = join(dir, 'dup.fa');
    writeFileSync(path, ACCEPTED[0].bytes);
    const out = join(dir, 'dup.tsv');
    const r = await runCommand({ run }, 'profile', path, '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')).toHaveLength(2774);
    expect(r.stderr).toBe(`mediaforge profile: warning: ${path}: 1 record id is used again, first 'c1' (records 1 and 3); per-record output will have repeated names\n`);
    const clean = join(dir, 'clean.fa');
    writeFileSync(clean, '>a\nACGTAC\n');
    expect((await runCommand({ run }, 'profile', clean, '--out', out)).stderr).toBe('');
  });

  it('a long header keeps memory bounded: its id and the start of its description are kept', async () => {
    const p = (await outcome('long.fa', enc(longHeader))) as GenomeProfile;
    expect(p.recordProfiles![0].id).toBe('long');
    expect(p.recordProfiles![0].description.length).toBe(MAX_HEADER_BYTES - '>long '.length + 1);
  });
});
