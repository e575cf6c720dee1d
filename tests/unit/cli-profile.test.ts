/** `mediaforge profile` as a user runs it: the built CLI in a child process (run `npm run build:cli` first). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countCanonicalNaive, parseFastaNaive, allCanonicalKmers } from '../helpers/reference-kmers';
import { REPO_ROOT, fixture } from '../helpers/data';

const BIN = join(REPO_ROOT, 'bin/mediaforge.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: REPO_ROOT });

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist-cli/mediaforge.js'))) {
    throw new Error('dist-cli/mediaforge.js is missing: run `npm run build:cli` (npm test builds it)');
  }
});

describe('mediaforge profile', () => {
  it('prints "k kmer count" and all 2,772 canonical k-mers in layout order, matching the naive reference', () => {
    const r = cli('profile', fixture('lambda.fa.gz'), '--format', 'tsv');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('k\tkmer\tcount');
    expect(lines).toHaveLength(2773);
    const expectedOrder = [1, 2, 3, 4, 5, 6].flatMap((k) => allCanonicalKmers(k).map((m) => `${k}\t${m}`));
    expect(lines.slice(1).map((l) => l.split('\t').slice(0, 2).join('\t'))).toEqual(expectedOrder);
    const ref = countCanonicalNaive(parseFastaNaive(new Uint8Array(readFileSync(fixture('lambda.fa.gz')))));
    for (const line of lines.slice(1)) {
      const [, kmer, count] = line.split('\t');
      expect(Number(count)).toBe(ref.get(kmer) ?? 0);
    }
  });

  it('puts summary figures in JSON', () => {
    const r = cli('profile', fixture('lambda.fa.gz'), '--format', 'json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.layout.features).toBe(2772);
    expect(doc.files[0]).toMatchObject({ records: 1, lengthBp: 48502, gzip: true });
    expect(doc.files[0].gcFraction).toBeCloseTo(0.4986, 4);
    expect(doc.files[0].counts).toHaveLength(2772);
  });

  it('gives one column per file and per record with --per-record, and writes --out whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-cli-'));
    const out = join(dir, 'p.tsv');
    const r = cli('profile', fixture('crlf.fa'), fixture('short-records.fa'), '--per-record', '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const header = readFileSync(out, 'utf8').split('\n')[0].split('\t');
    expect(header.slice(2)).toEqual([
      `${fixture('crlf.fa')}:rec1`,
      `${fixture('crlf.fa')}:rec2`,
      ...['one', 'two', 'five', 'six', 'seven'].map((id) => `${fixture('short-records.fa')}:${id}`),
    ]);
  });

  it.each([
    [['profile', 'tests/fixtures/reads.fq'], /reads\.fq: this is FASTQ/],
    [['profile', 'tests/fixtures/protein.faa'], /protein\.faa: looks like protein/],
    [['profile', 'tests/fixtures/truncated.fa.gz'], /truncated\.fa\.gz: the gzip data ends too early/],
    [['profile', 'tests/fixtures/empty.fa'], /empty\.fa: the file is empty/],
    [['profile', 'tests/fixtures/headers-only.fa'], /no sequence letters/],
    [['profile', 'no/such/file.fa'], /no\/such\/file\.fa: no such file/],
    [['profile'], /no input FILE/],
    [['profile', 'x.fa', '--format', 'xml'], /--format must be tsv or json/],
    [['profile', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j fails with one clear line on stderr', (args, message) => {
    const r = cli(...(args as string[]));
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });

  it('has --help on the command and at the top level', () => {
    expect(cli('--help').status).toBe(0);
    const r = cli('profile', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: mediaforge profile FILE\.\.\./);
  });
});
