/**
 * Protein features (src/core/protein-features.ts): six-frame ORFs, codon-model gene selection and
 * proteome composition, read in the same streaming pass as the k-mer profile.
 * Hand-made sequences check the ORF rule (strands, stops, starts, N, records, byte handling, chunk
 * splits); phage lambda and M. genitalium are checked against an independent reference; the shared
 * genomes check the biology (acidic halophile proteome, hyperthermophile signature).
 *
 * The lambda / M. genitalium numbers come from a Python reference written separately from the TS
 * code (not kept in the repository): Biopython (1.80) `SeqIO` reads the records; each maximal ACGT
 * run and its `reverse_complement()` is translated in 3 frames with `Seq.translate(table=…)`,
 * split at '*'; in each piece the ORF starts at the first ATG/GTG/TTG codon and is kept with
 * ≥ 100 codons; residue counts are `str.count` over the translated protein after the initiator.
 * Selection re-implements the documented rule (longest-first greedy with ≤ 60 bp overlap or 5'
 * trimming to a later start, then codon-model rounds) with numpy coverage arrays. Every number
 * below matched exactly (ORFs, candidates, residues, all 20 amino-acid counts, GC3, stop codons,
 * per-record ORFs; mean pI to < 1e-6).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { profileSource } from '../../src/core/profile';
import {
  AMINO_ACIDS,
  PROTEIN_FEATURE_NAMES,
  ProteinFeatureScanner,
  codonTable,
  isoelectricPoint,
  proteinFeatureVector,
  scanProteinFeatures,
  type ProteinFeatureOptions,
  type ProteinFeatures,
} from '../../src/core/protein-features';
import { bytesSource } from '../../src/core/sources';
import { HAS_SHARED_DATA, fixture, sharedGenome } from '../helpers/data';

// ---------------------------------------------------------------------------------------------
// helpers

const enc = new TextEncoder();
const COMP: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };
const revcomp = (s: string) => s.split('').reverse().map((c) => COMP[c]).join('');

/**
 * ORF body unit ACT AGC TAT TTA (Thr Ser Tyr Leu): no start codon in frame, and every other frame on
 * both strands meets a stop within 4 codons, so a gene built from it has no shadow ORFs.
 */
const UNIT = 'ACTAGCTATTTA';
/** CTAG repeats: a stop within 4 codons in all six frames, no start codon. */
const filler = (n: number) => 'CTAG'.repeat(n);
/** ATG + units + stop: 1 + 4·units codons; residues T, S, Y, L × units. */
const gene = (units: number, stop = 'TAA') => `ATG${UNIT.repeat(units)}${stop}`;

function fasta(records: Array<[string, string]>, width = 60, eol = '\n'): string {
  return records
    .map(([id, seq]) => {
      const lines = [`>${id} test record`];
      for (let i = 0; i < seq.length; i += width) lines.push(seq.slice(i, i + width));
      return lines.join(eol) + eol;
    })
    .join('');
}

function scan(text: string | Uint8Array, options: ProteinFeatureOptions = {}, chunk?: number): ProteinFeatures {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const sc = new ProteinFeatureScanner(options);
  const step = chunk ?? Math.max(1, bytes.length);
  for (let o = 0; o < bytes.length; o += step) sc.push(bytes.subarray(o, o + step));
  return sc.finish();
}

const RAW = { selection: 'all', minCodons: 30 } as const;
const aa = (r: ProteinFeatures, letter: string) => r.aaCounts[AMINO_ACIDS.indexOf(letter)];
const gunzipFixture = (name: string) => gunzipSync(readFileSync(fixture(name)));

// ---------------------------------------------------------------------------------------------

describe('codon table', () => {
  it('is NCBI table 11, and table 4 reads TGA as Trp', () => {
    const t11 = codonTable(11);
    const letter = (t: string[], codon: string) => t[[...codon].reduce((c, b) => c * 4 + 'ACGT'.indexOf(b), 0)];
    expect(['TAA', 'TAG', 'TGA'].map((c) => letter(t11, c))).toEqual(['*', '*', '*']);
    expect(['ATG', 'TGG', 'AAA', 'GCC', 'TTT', 'CGA', 'AGG', 'ATA'].map((c) => letter(t11, c)).join('')).toBe('MWKAFRRI');
    expect(letter(codonTable(4), 'TGA')).toBe('W');
    expect(t11.filter((x) => x === '*')).toHaveLength(3);
  });
});

describe('ORF rule (hand-made sequences)', () => {
  it('finds a forward-strand ORF from ATG to the stop and counts its residues after the initiator', () => {
    const r = scan(fasta([['f', filler(40) + gene(30) + filler(40)]]), RAW);
    expect(r.candidates).toBe(1);
    expect(r.orfs).toBe(1);
    expect(r.codingCodons).toBe(121);
    expect(r.residues).toBe(120);
    expect(['T', 'S', 'Y', 'L', 'M'].map((x) => aa(r, x))).toEqual([30, 30, 30, 30, 0]);
    expect(r.stopCodons).toEqual({ TAA: 1, TAG: 0, TGA: 0 });
    expect(r.openOrfs).toBe(0);
    // GC3 of ACT AGC TAT TTA: T, C, T, A → one in four
    expect(r.gc3Count).toBe(30);
    expect(r.features.gc3).toBeCloseTo(0.25, 12);
  });

  it('finds the same ORF on the reverse strand', () => {
    const fwd = scan(fasta([['f', filler(40) + gene(30, 'TAG') + filler(40)]]), RAW);
    const rev = scan(fasta([['r', filler(40) + revcomp(gene(30, 'TAG')) + filler(40)]]), RAW);
    expect(rev.orfs).toBe(1);
    expect(rev.aaCounts).toEqual(fwd.aaCounts);
    expect(rev.codingCodons).toBe(121);
    expect(rev.stopCodons).toEqual({ TAA: 0, TAG: 1, TGA: 0 });
    expect(rev.gc3Count).toBe(fwd.gc3Count);
  });

  it('takes the first start after the stop (longest ORF), with GTG and TTG as starts', () => {
    // TTG ... ATG ... stop: one ORF from the TTG; initiator left out, the inner ATG is a Met residue
    const r = scan(fasta([['a', filler(10) + `TTG${UNIT.repeat(10)}ATG${UNIT.repeat(10)}TGA` + filler(10)]]), RAW);
    expect(r.orfs).toBe(1);
    expect(r.codingCodons).toBe(1 + 40 + 1 + 40);
    expect(aa(r, 'M')).toBe(1);
    expect(aa(r, 'L')).toBe(20);
    const g = scan(fasta([['g', filler(10) + `GTG${UNIT.repeat(10)}TAA` + filler(10)]]), { ...RAW, minCodons: 41 });
    expect(g.orfs).toBe(1);
    expect(aa(g, 'V')).toBe(0);
  });

  it('stops at an in-frame stop codon; with table 4, TGA is read through as Trp', () => {
    const seq = filler(10) + `ATG${UNIT.repeat(15)}TGA${UNIT.repeat(15)}TAA` + filler(10);
    const t11 = scan(fasta([['s', seq]]), { ...RAW, minCodons: 10 });
    expect(t11.orfs).toBe(1); // no start codon after the TGA
    expect(t11.codingCodons).toBe(61);
    expect(t11.stopCodons).toEqual({ TAA: 0, TAG: 0, TGA: 1 });
    const t4 = scan(fasta([['s', seq]]), { ...RAW, minCodons: 10, geneticCode: 4 });
    expect(t4.orfs).toBe(1);
    expect(t4.codingCodons).toBe(122);
    expect(aa(t4, 'W')).toBe(1);
    expect(t4.stopCodons).toEqual({ TAA: 1, TAG: 0, TGA: 0 });
    const twoGenes = scan(fasta([['s', filler(10) + gene(15, 'TGA') + gene(15) + filler(10)]]), { ...RAW, minCodons: 10 });
    expect(twoGenes.orfs).toBe(2);
  });

  it('drops ORFs shorter than minCodons (start included, stop excluded)', () => {
    const seq = fasta([['m', filler(10) + gene(25) + filler(10)]]); // 101 codons
    expect(scan(seq, { selection: 'all', minCodons: 101 }).orfs).toBe(1);
    expect(scan(seq, { selection: 'all', minCodons: 102 }).orfs).toBe(0);
    expect(scan(seq, { selection: 'all' }).orfs).toBe(1); // default 100
  });

  it('N and IUPAC codes break a codon: the ORF ends there as an open ORF', () => {
    for (const cut of ['N', 'n', 'R', '-']) {
      const r = scan(fasta([['n', filler(10) + `ATG${UNIT.repeat(20)}AC${cut}AGC${UNIT.repeat(20)}TAA` + filler(10)]]), RAW);
      expect(r.orfs, cut).toBe(1);
      expect(r.openOrfs, cut).toBe(1);
      expect(r.codingCodons, cut).toBe(81);
      expect(r.stopCodons, cut).toEqual({ TAA: 0, TAG: 0, TGA: 0 });
    }
    // a start codon split by N is no start
    expect(scan(fasta([['s', filler(10) + `ANTG${UNIT.repeat(30)}TAA` + filler(10)]]), RAW).orfs).toBe(0);
  });

  it('runs an ORF to the end of the record (open) and never across a record boundary', () => {
    const head = filler(10) + `ATG${UNIT.repeat(20)}`;
    const tail = `${UNIT.repeat(20)}TAA` + filler(10);
    const joined = scan(fasta([['one', head + tail]]), RAW);
    expect(joined.orfs).toBe(1);
    expect(joined.codingCodons).toBe(161);
    const split = scan(fasta([['a', head], ['b', tail]]), { ...RAW, perRecord: true });
    expect(split.orfs).toBe(1);
    expect(split.openOrfs).toBe(1);
    expect(split.codingCodons).toBe(81);
    const sc = new ProteinFeatureScanner({ ...RAW, perRecord: true });
    sc.push(enc.encode(fasta([['a', head], ['b', tail], ['c', filler(5) + revcomp(gene(40)) + filler(5)]])));
    const byRecord = sc.finishByRecord();
    expect(byRecord.map((r) => r.orfs)).toEqual([1, 0, 1]);
    expect(byRecord.map((r) => r.openOrfs)).toEqual([1, 0, 0]);
    expect(byRecord[2].codingCodons).toBe(161);
    expect(sc.finish().orfs).toBe(2);
  });

  it('skips headers and ";" comments, and reads lower case, U, CRLF and a BOM as the plain sequence', () => {
    const seq = filler(20) + gene(30) + filler(5) + revcomp(gene(35, 'TGA')) + filler(20);
    const plain = scan(fasta([['p', seq]]), RAW);
    expect(plain.orfs).toBe(2);
    const rna = seq.toLowerCase().replace(/t/g, 'u');
    const messy = `\ufeff>x ATGACTAGCTATTTAACTAGCTATTTAACTAGCTATTTAACTAGCTATTTAACTAGCTATTTA\r\n;comment ATGATG\r\n${rna.slice(0, 100)}\r\n${rna.slice(100)}\r\n`;
    const r = scan(messy, RAW);
    expect(r.orfs).toBe(2);
    expect(r.aaCounts).toEqual(plain.aaCounts);
    expect(r.acgtBp).toBe(seq.length);
  });

  it('gives the same result for any chunking, down to 1-byte chunks', () => {
    const text = `${fasta([
      ['a', filler(12) + gene(30) + 'NN' + revcomp(gene(31, 'TAG')) + filler(3)],
      ['b', `ATG${UNIT.repeat(25)}`],
      ['c', filler(7) + revcomp(gene(33)).toLowerCase() + filler(7)],
    ], 61, '\r\n')};trailing comment\n`;
    const whole = scan(text, { ...RAW, perRecord: true });
    expect(whole.orfs).toBe(4);
    for (const chunk of [1, 2, 3, 7, 64]) {
      const sc = new ProteinFeatureScanner({ ...RAW, perRecord: true });
      const bytes = enc.encode(text);
      for (let o = 0; o < bytes.length; o += chunk) sc.push(bytes.subarray(o, o + chunk));
      expect(sc.finish(), `chunk ${chunk}`).toEqual(whole);
      expect(sc.finishByRecord().map((r) => r.orfs), `chunk ${chunk}`).toEqual([2, 1, 1]);
    }
  });

  it('codon-model selection keeps the genes and drops their antisense shadows, even longer ones', () => {
    // Gene codons GCC CGC GAA AAA CTG ATC GGC ACC (A R E K L I G T); their reverse complements
    // (GGC GCG TTC TTT CAG GAT GCC GGT: G A F F Q D A G) hold no stop either, so each gene has an
    // antisense shadow ORF. 20 genes carry a TTA (rc TAA) that keeps their shadow shorter than the gene;
    // in the other 10 the shadow (ATG … CAT + 3 filler codons, 125 codons) is LONGER than the gene
    // (122): longest-first picks those shadows, the codon model trained on all genes corrects it.
    let x = 11;
    const rnd = (n: number) => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) % n;
    const codons = ['GCC', 'CGC', 'GAA', 'AAA', 'CTG', 'ATC', 'GGC', 'ACC'];
    const body = (n: number) => Array.from({ length: n }, () => codons[rnd(8)]).join('');
    const genes: string[] = [];
    for (let g = 0; g < 20; g++) genes.push(`ATG${body(60)}TTA${body(140)}CATTAA`); // 203 codons
    for (let g = 0; g < 10; g++) genes.push(`ATG${body(120)}CATTAA`); // 122 codons
    const text = fasta([['genes', genes.map((g) => filler(10) + g).join('') + filler(10)]]);
    const all = scan(text, { selection: 'all' });
    expect(all.candidates).toBe(90);
    expect(all.codingDensity).toBeGreaterThan(2.5);
    const coding = scan(text);
    expect(coding.orfs).toBe(30);
    expect(coding.codingCodons).toBe(20 * 203 + 10 * 122);
    expect(coding.stopCodons).toEqual({ TAA: 30, TAG: 0, TGA: 0 });
    expect(['F', 'Q', 'D'].map((l) => aa(coding, l))).toEqual([0, 0, 0]); // nothing read antisense
    expect(coding.modelRounds).toBeGreaterThan(0);
  });
});

describe('features', () => {
  it('fills every named feature, and the vector follows PROTEIN_FEATURE_NAMES', () => {
    const r = scan(gunzipFixture('lambda.fa.gz'));
    const v = proteinFeatureVector(r);
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(PROTEIN_FEATURE_NAMES.length);
    expect(new Set(PROTEIN_FEATURE_NAMES).size).toBe(PROTEIN_FEATURE_NAMES.length);
    PROTEIN_FEATURE_NAMES.forEach((n, i) => {
      expect(Number.isFinite(r.features[n]), n).toBe(true);
      expect(v[i]).toBe(Math.fround(r.features[n]));
    });
    const f = r.features;
    expect(AMINO_ACIDS.split('').reduce((s, a) => s + f[`aa_${a}` as keyof typeof f], 0)).toBeCloseTo(1, 12);
    expect(f.acidic_DE).toBeCloseTo(f.aa_D + f.aa_E, 12);
    expect(f.acid_base_ratio).toBeCloseTo((f.aa_D + f.aa_E) / (f.aa_K + f.aa_R), 12);
    expect(f.ivywrel).toBeCloseTo(f.aa_I + f.aa_V + f.aa_Y + f.aa_W + f.aa_R + f.aa_E + f.aa_L, 12);
    expect(f.coding_density).toBeCloseTo(r.codingDensity, 12);
  });

  it('derives GRAVY, charge, ARSC, Zc and nH2O from the composition (hand-checked on one residue type)', () => {
    // the T S Y L gene: means over 4 residue types in equal parts
    const r = scan(fasta([['f', filler(40) + gene(30) + filler(40)]]), RAW);
    const f = r.features;
    expect(f.gravy).toBeCloseTo((-0.7 - 0.8 - 1.3 + 3.8) / 4, 12); // Kyte-Doolittle T S Y L
    expect(f.c_arsc).toBeCloseTo((2 + 1 + 7 + 4) / 4, 12);
    expect(f.n_arsc).toBe(0);
    expect(f.s_arsc).toBe(0);
    expect(f.zc).toBeCloseTo((0 + 2 - 2 - 6) / (4 + 3 + 9 + 6), 12); // Σ Ztot / Σ nC
    expect(f.nh2o).toBeCloseTo((-0.2 - 0.4 - 3.2 + 0.2) / 4, 12);
    expect(f.net_charge_ph7).toBeCloseTo(-1 / (1 + 10 ** (10 - 7)) / 4, 12); // Tyr only
    expect(f.charged_DEKR).toBe(0);
    expect(Number.isNaN(f.acid_base_ratio)).toBe(true); // 0/0
  });

  it('isoelectric point: acidic, basic and neutral chains', () => {
    const counts = (c: Record<string, number>) => AMINO_ACIDS.split('').map((a) => c[a] ?? 0);
    expect(isoelectricPoint(counts({ D: 20, E: 20, A: 60 }))).toBeLessThan(4);
    expect(isoelectricPoint(counts({ K: 20, R: 20, A: 60 }))).toBeGreaterThan(11);
    // termini only: (7.5 + 3.55) / 2
    expect(isoelectricPoint(counts({ A: 100 }))).toBeCloseTo(5.525, 4);
  });

  it('returns NaN features (and no ORFs) for sequence without genes', () => {
    const r = scan(fasta([['x', filler(100)]]));
    expect(r.orfs).toBe(0);
    expect(r.codingDensity).toBe(0);
    expect(Number.isNaN(r.features.ivywrel)).toBe(true);
  });
});

describe('cross-check against the independent Python reference', () => {
  const check = (r: ProteinFeatures, e: { candidates: number; orfs: number; openOrfs: number; codingCodons: number; residues: number; gc3: number; stops: [number, number, number]; aa: number[]; rounds: number; piMean: number }) => {
    expect(r.candidates).toBe(e.candidates);
    expect(r.orfs).toBe(e.orfs);
    expect(r.openOrfs).toBe(e.openOrfs);
    expect(r.codingCodons).toBe(e.codingCodons);
    expect(r.residues).toBe(e.residues);
    expect(r.gc3Count).toBe(e.gc3);
    expect(r.stopCodons).toEqual({ TAA: e.stops[0], TAG: e.stops[1], TGA: e.stops[2] });
    expect(r.aaCounts).toEqual(e.aa);
    expect(r.modelRounds).toBe(e.rounds);
    expect(r.features.pi_mean).toBeCloseTo(e.piMean, 6);
  };

  it('phage lambda: all six-frame candidates, and the selected genes', async () => {
    const bytes = gunzipFixture('lambda.fa.gz');
    check(scan(bytes, { selection: 'all' }), {
      candidates: 92, orfs: 92, openOrfs: 0, codingCodons: 19884, residues: 19792, gc3: 11054, stops: [31, 7, 54], rounds: 0, piMean: 8.731890758457997,
      aa: [1865, 361, 940, 992, 826, 1293, 556, 1046, 950, 1660, 427, 728, 1001, 865, 1512, 1461, 1230, 1275, 305, 499],
    });
    const lambda = {
      candidates: 92, orfs: 37, openOrfs: 0, codingCodons: 10060, residues: 10023, gc3: 5898, stops: [13, 2, 22] as [number, number, number], rounds: 5, piMean: 6.708553227372412,
      aa: [1085, 96, 599, 652, 341, 751, 163, 467, 528, 741, 252, 387, 384, 446, 613, 720, 666, 680, 169, 283],
    };
    check(scan(bytes), lambda);
    check(scan(bytes, {}, 1), lambda); // 1-byte chunks of the real genome
    check(await scanProteinFeatures((async function* () {
      for (let o = 0; o < bytes.length; o += 4099) yield bytes.subarray(o, o + 4099);
    })()), lambda);
  });

  it('Mycoplasma genitalium G37 with table 11 and with its own table 4', () => {
    const bytes = gunzipFixture('mycoplasma-genitalium-g37.fa.gz');
    const t11 = scan(bytes);
    check(t11, {
      candidates: 617, orfs: 555, openOrfs: 0, codingCodons: 120834, residues: 120279, gc3: 28211, stops: [166, 75, 314], rounds: 3, piMean: 8.216399684047223,
      aa: [6892, 992, 6104, 7035, 7133, 5754, 1976, 9967, 11483, 12815, 1607, 9009, 3673, 5797, 3728, 8026, 6552, 7651, 369, 3716],
    });
    const t4 = scan(bytes, { geneticCode: 4 });
    check(t4, {
      candidates: 810, orfs: 487, openOrfs: 0, codingCodons: 181323, residues: 180836, gc3: 42176, stops: [351, 136, 0], rounds: 2, piMean: 8.666697688569956,
      aa: [9991, 1455, 8894, 10189, 11082, 8502, 2815, 14770, 17131, 19272, 2330, 13769, 5505, 8616, 5489, 12372, 9963, 11009, 1827, 5855],
    });
    // the right code finds ~480 genes (G37 has ~475 protein genes) and ~92 % coding; table 11 cuts them at every TGA
    expect(t4.codingDensity).toBeGreaterThan(0.9);
    expect(t11.codingDensity).toBeLessThan(0.65);
    expect(t11.residues / t4.residues).toBeLessThan(0.7);
  });
});

describe('profileSource({ proteinFeatures })', () => {
  const text = fasta([
    ['a', filler(12) + gene(30) + filler(3)],
    ['b', filler(7) + revcomp(gene(33)) + filler(7)],
  ]);

  it('adds profile.protein (and per record with perRecord), same as the scanner alone', async () => {
    const opts = { selection: 'all', minCodons: 30 } as const;
    const p = await profileSource(bytesSource('two.fa', enc.encode(text), 7), { proteinFeatures: opts, perRecord: true });
    expect(p.protein).toEqual(scan(text, opts));
    expect(p.protein?.orfs).toBe(2);
    expect(p.recordProfiles?.map((r) => r.protein?.orfs)).toEqual([1, 1]);
    const gz = await profileSource(bytesSource('lambda.fa.gz', readFileSync(fixture('lambda.fa.gz'))), { proteinFeatures: true });
    expect(gz.protein?.orfs).toBe(37);
    expect(gz.protein?.acgtBp).toBe(gz.acgtBp);
  });

  it('leaves the profile unchanged without the option, and rejects bad options', async () => {
    const p = await profileSource(bytesSource('two.fa', enc.encode(text)));
    expect('protein' in p).toBe(false);
    const q = await profileSource(bytesSource('two.fa', enc.encode(text)), { perRecord: true });
    expect(q.recordProfiles?.some((r) => 'protein' in r)).toBe(false);
    await expect(profileSource(bytesSource('x.fa', enc.encode(text)), { proteinFeatures: { minCodons: 1 } })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(profileSource(bytesSource('x.fa', enc.encode(text)), { proteinFeatures: { geneticCode: 25 as 11 } })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(profileSource(bytesSource('x.fa', enc.encode(text)), { proteinFeatures: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});

// Real genomes from ../shared/data (registered only when present).
if (HAS_SHARED_DATA) {
  describe('proteome biology on the shared reference genomes', () => {
    const cache = new Map<string, ProteinFeatures>();
    const genome = (file: string) => gunzipSync(readFileSync(sharedGenome(`reference/${file}.fna.gz`)));
    const result = (file: string) => cache.get(file) ?? cache.set(file, scan(genome(file))).get(file)!;
    const features = (file: string) => result(file).features;

    it('Halobacterium salinarum NRC-1 has a far more acidic proteome than E. coli K-12', () => {
      const ecoli = features('Escherichia_coli_K-12_MG1655');
      const halo = features('Halobacterium_salinarum_NRC-1');
      // seen: (D+E)/(K+R) 1.82 vs 1.10; mean pI 5.2 vs 6.9
      expect(halo.acid_base_ratio).toBeGreaterThan(1.5 * ecoli.acid_base_ratio);
      expect(halo.acidic_DE).toBeGreaterThan(ecoli.acidic_DE + 0.03);
      expect(halo.aa_K).toBeLessThan(ecoli.aa_K / 2);
      expect(halo.pi_mean).toBeLessThan(ecoli.pi_mean - 1);
      expect(halo.pi_acidic_fraction).toBeGreaterThan(0.8);
    });

    it('hyperthermophiles have higher IVYWREL and charged fractions than mesophiles', () => {
      const ecoli = features('Escherichia_coli_K-12_MG1655');
      const bsub = features('Bacillus_subtilis_168');
      // seen: IVYWREL 0.448 / 0.455 vs 0.394 / 0.397; D+E+K+R 0.265 / 0.262 vs 0.208 / 0.237
      for (const hot of ['Archaeoglobus_fulgidus_DSM_4304', 'Thermococcus_kodakarensis_KOD1_type']) {
        const f = features(hot);
        for (const meso of [ecoli, bsub]) {
          expect(f.ivywrel, hot).toBeGreaterThan(meso.ivywrel + 0.03);
          expect(f.charged_DEKR, hot).toBeGreaterThan(meso.charged_DEKR + 0.02);
          expect(f.cvp_bias, hot).toBeGreaterThan(meso.cvp_bias + 0.05);
        }
      }
    });

    it('keeps the signal in a 10 % draft: 5 kb contigs sampled from H. salinarum', () => {
      const text = new TextDecoder().decode(genome('Halobacterium_salinarum_NRC-1'));
      const seq = text.split('\n').filter((l) => !l.startsWith('>')).join('');
      const contigs: Array<[string, string]> = [];
      for (let o = 0, i = 0; o + 5000 <= seq.length; o += 5000, i++) if (i % 10 === 3) contigs.push([`c${i}`, seq.slice(o, o + 5000)]);
      const draft = scan(fasta(contigs));
      const full = features('Halobacterium_salinarum_NRC-1');
      // seen: 40 contigs, 181 ORFs (21 open at contig ends), (D+E)/(K+R) 3 % above the complete genome's
      expect(draft.orfs).toBeGreaterThan(150);
      expect(draft.openOrfs).toBeGreaterThan(0);
      expect(Math.abs(draft.features.acid_base_ratio / full.acid_base_ratio - 1)).toBeLessThan(0.1);
      expect(draft.features.acid_base_ratio).toBeGreaterThan(1.4 * features('Escherichia_coli_K-12_MG1655').acid_base_ratio);
    });
  });
}
