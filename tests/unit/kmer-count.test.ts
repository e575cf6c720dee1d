/**
 * Counts must equal an independent naive implementation (tests/helpers/reference-kmers.ts)
 * exactly, for every one of the 2,772 features, on real genomes and synthetic edge cases.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FEATURE_KMERS } from '../../src/core/kmer-layout';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { countCanonicalNaive, naiveStats, parseFastaNaive } from '../helpers/reference-kmers';
import { HAS_SHARED_DATA, fixture, sharedGenome } from '../helpers/data';

async function expectMatchesReference(name: string, bytes: Uint8Array, chunkBytes = 1 << 16) {
  const profile = await profileSource(bytesSource(name, bytes, chunkBytes), { perRecord: true });
  const records = parseFastaNaive(bytes);
  const ref = countCanonicalNaive(records);
  const mismatches: string[] = [];
  FEATURE_KMERS.forEach((kmer, i) => {
    const want = ref.get(kmer) ?? 0;
    if (profile.counts[i] !== want) mismatches.push(`${kmer}: got ${profile.counts[i]}, want ${want}`);
  });
  expect(mismatches.slice(0, 10)).toEqual([]);
  const s = naiveStats(records);
  expect(profile.records).toBe(records.length);
  expect(profile.lengthBp).toBe(s.length);
  expect(profile.acgtBp).toBe(s.acgt);
  expect(profile.gcBp).toBe(s.gc);
  expect(profile.nBp).toBe(s.n);
  expect(profile.otherBp).toBe(s.other);
  // per-record profiles add up to the file and match the reference per record
  expect(profile.recordProfiles!.map((r) => r.id)).toEqual(records.map((r) => r.id));
  profile.recordProfiles!.forEach((rec, j) => {
    const refRec = countCanonicalNaive([records[j]]);
    FEATURE_KMERS.forEach((kmer, i) => {
      if (rec.counts[i] !== (refRec.get(kmer) ?? 0)) mismatches.push(`${rec.id} ${kmer}`);
    });
    expect(rec.lengthBp).toBe(records[j].sequence.length);
  });
  expect(mismatches.slice(0, 10)).toEqual([]);
  return profile;
}

const read = (p: string) => new Uint8Array(readFileSync(p));

describe('canonical k-mer counts equal the naive reference', () => {
  const cases: Array<[string, string]> = [
    ['phage lambda (gzip)', fixture('lambda.fa.gz')],
    ['Mycoplasma genitalium G37 (gzip, 580 kbp)', fixture('mycoplasma-genitalium-g37.fa.gz')],
    ['CRLF line ends', fixture('crlf.fa')],
    ['UTF-8 BOM, blank lines, no final newline', fixture('bom-blank-lines.fa')],
    ['empty records', fixture('empty-record.fa')],
    ['soft-masked lowercase with N runs (gzip)', fixture('lowercase-n.fa.gz')],
    ['IUPAC codes, U and gaps', fixture('iupac-u-gaps.fa')],
    ['records shorter than 6 bp', fixture('short-records.fa')],
    ['multi-member gzip', fixture('multi-member.fa.gz')],
  ];
  if (HAS_SHARED_DATA) {
    // real genomes holding N / IUPAC codes, from ../shared/data
    cases.push(
      ['H. influenzae Rd KW20 (115 non-ACGT)', sharedGenome('reference/Haemophilus_influenzae_Rd_KW20.fna.gz')],
      ['Deformed wing virus (69 non-ACGT)', sharedGenome('reference/Deformed_wing_virus.fna.gz')],
      ['S. pneumoniae SMRU824 (24 scaffolds)', sharedGenome('reference/Streptococcus_pneumoniae_SMRU824.fna.gz')],
    );
  }
  for (const [label, path] of cases) {
    it(label, async () => {
      await expectMatchesReference(label, read(path));
    });
  }

  it('does not depend on how the input is chunked (1-byte to 64 KiB chunks)', async () => {
    const bytes = read(fixture('crlf.fa'));
    const whole = await profileSource(bytesSource('whole', bytes, bytes.length));
    for (const chunk of [1, 2, 3, 7, 64, 1000]) {
      const p = await profileSource(bytesSource(`chunk${chunk}`, bytes, chunk));
      expect(Array.from(p.counts)).toEqual(Array.from(whole.counts));
      expect(p.records).toBe(whole.records);
    }
    const gz = read(fixture('lowercase-n.fa.gz'));
    const a = await profileSource(bytesSource('gz-1', gz, 1));
    const b = await profileSource(bytesSource('gz-all', gz, gz.length));
    expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
  });

  it('handles a 2 Mbp sequence on one line', async () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 3;
    const seq = Array.from({ length: 2_000_000 }, () => 'ACGT'[rand()]).join('');
    const bytes = new TextEncoder().encode(`>oneline\n${seq}\n`);
    const p = await profileSource(bytesSource('one-line', gzipSync(bytes)));
    expect(p.lengthBp).toBe(2_000_000);
    const ref = countCanonicalNaive([{ id: 'oneline', sequence: seq.slice(0, 50_000) }]);
    const head = await profileSource(bytesSource('head', new TextEncoder().encode(`>h\n${seq.slice(0, 50_000)}`)));
    FEATURE_KMERS.forEach((k, i) => expect(head.counts[i]).toBe(ref.get(k) ?? 0));
  });

  it('gives the same counts for a sequence and its reverse complement', async () => {
    const records = parseFastaNaive(read(fixture('lambda.fa.gz')));
    const seq = records[0].sequence;
    const rc = seq.split('').reverse().map((c) => ({ A: 'T', C: 'G', G: 'C', T: 'A' })[c] ?? 'N').join('');
    const a = await profileSource(bytesSource('fwd', new TextEncoder().encode(`>f\n${seq}\n`)));
    const b = await profileSource(bytesSource('rev', new TextEncoder().encode(`>r\n${rc}\n`)));
    expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
  });

  it('reports GC and length of lambda as in the genomes manifest (48,502 bp, 49.86 % GC)', async () => {
    const p = await profileSource(bytesSource('lambda', read(fixture('lambda.fa.gz'))));
    expect(p.lengthBp).toBe(48502);
    expect((100 * p.gcFraction).toFixed(2)).toBe('49.86');
    expect(p.gzip).toBe(true);
  });
});
