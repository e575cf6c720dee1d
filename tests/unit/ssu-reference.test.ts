/**
 * The 16S reference (src/media/ssu-reference.ts, built by ssu-reference-build.ts): the region the
 * rRNA scanner cuts, the banded alignment identity, the builder's naming rules, and where real
 * genomes land among BacDive genera (the bundled fixture of M. genitalium always; the shared
 * reference genomes when ../shared/data is present).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RrnaMarkerScanner, scanRrnaMarkers } from '../../src/core/rrna-markers';
import { buildSsuReference, PER_GENUS, ssuRegionOf } from '../../src/media/ssu-reference-build';
import { bandedEditDistance, bundledSsuReference, GENUS_IDENTITY, kmerSet, nearestSsuGenera, parseSsuReference, regionIdentity } from '../../src/media/ssu-reference';
import { run as runDb } from '../../src/cli/commands/db';
import { HAS_SHARED_DATA, REPO_ROOT, fixture, sharedGenome } from '../helpers/data';
import { runCommand } from '../helpers/run-cli';
import { randomDna } from '../helpers/random-dna';

const enc = (s: string) => new TextEncoder().encode(s);
const COMP: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };
const revcomp = (s: string) => s.split('').reverse().map((c) => COMP[c]).join('');

/** Full dynamic-programming edit distance (the reference for the banded one). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j - 1] + (a[i - 1] === b[j - 1] && a[i - 1] !== 'N' ? 0 : 1), prev[j] + 1, cur[j - 1] + 1);
    prev = cur;
  }
  return prev[b.length];
}

/** The same, over the cells with |i − j| ≤ w only (the banded programme the alignment solves). */
function bandedReference(a: string, b: string, w: number): number {
  const D = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(Infinity));
  for (let i = 0; i <= a.length; i++) {
    for (let j = Math.max(0, i - w); j <= Math.min(b.length, i + w); j++) {
      if (i === 0 || j === 0) D[i][j] = i + j;
      else D[i][j] = Math.min(D[i - 1][j - 1] + (a[i - 1] === b[j - 1] && a[i - 1] !== 'N' ? 0 : 1), D[i - 1][j] + 1, D[i][j - 1] + 1);
    }
  }
  return D[a.length][b.length];
}

function mutate(s: string, seed: number, subs: number, indels: number): string {
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const a = s.split('');
  for (let k = 0; k < subs; k++) {
    const i = rnd(a.length);
    a[i] = 'ACGT'[('ACGT'.indexOf(a[i]) + 1 + rnd(3)) % 4];
  }
  for (let k = 0; k < indels; k++) {
    if (rnd(2)) a.splice(rnd(a.length), 1);
    else a.splice(rnd(a.length), 0, 'ACGT'[rnd(4)]);
  }
  return a.join('');
}

const IUPAC: Record<string, string> = { Y: 'CT', M: 'AC' };
const mismatches = (s: string, site: string) => site.split('').filter((c, i) => !(IUPAC[c] ?? c).includes(s[i])).length;

const genitalium = () => gunzipSync(readFileSync(fixture('mycoplasma-genitalium-g37.fa.gz')));

describe('banded alignment identity', () => {
  it('equals the full edit distance when the path stays in the band', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const a = randomDna(300, seed);
      const b = mutate(a, seed * 7, 20, 6);
      expect(bandedEditDistance(enc(a), enc(b))).toBe(editDistance(a, b));
    }
  });

  it('equals the banded programme exactly when the path would leave the band (short sequences, narrow bands, Ns)', () => {
    let x = 7;
    const rnd = (n: number) => {
      x = (x * 1103515245 + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    const word = (n: number) => Array.from({ length: n }, () => 'ACGTN'[rnd(5)]).join('');
    for (let t = 0; t < 3000; t++) {
      const a = word(rnd(40));
      const b = rnd(2) ? word(rnd(40)) : mutate(a || 'A', t, rnd(8), rnd(6));
      const band = rnd(6);
      expect(bandedEditDistance(enc(a), enc(b), band), `${a} ${b} band ${band}`).toBe(bandedReference(a, b, band + Math.abs(a.length - b.length)));
    }
  });

  it('is 1 for identical regions, 1 − 1/L for one substitution, and counts N as a mismatch', () => {
    const a = randomDna(900, 3);
    expect(regionIdentity(a, a)).toBe(1);
    const b = a.slice(0, 450) + (a[450] === 'A' ? 'C' : 'A') + a.slice(451);
    expect(regionIdentity(a, b)).toBeCloseTo(1 - 1 / 900, 12);
    const n = a.slice(0, 100) + 'N' + a.slice(101);
    expect(regionIdentity(n, n)).toBeCloseTo(1 - 1 / 900, 12);
  });

  it('does not count an intron (the length difference) against identity, but counts other changes', () => {
    const a = randomDna(900, 5);
    const withIntron = a.slice(0, 400) + randomDna(300, 99) + a.slice(400);
    expect(regionIdentity(a, withIntron)).toBe(1);
    expect(regionIdentity(withIntron, a)).toBe(1);
    const m = mutate(a, 11, 27, 0);
    const changed = m.slice(0, 400) + randomDna(300, 99) + m.slice(400);
    expect(regionIdentity(a, changed)).toBeLessThan(0.985); // 27 substitutions (an alignment may pair a few of them more cheaply)
    expect(regionIdentity(a, changed)).toBeGreaterThan(0.965);
  });

  it('kmerSet: distinct 8-mers, sorted, N breaks the window', () => {
    expect(Array.from(kmerSet('AAAAAAAAAA'))).toEqual([0]);
    expect(kmerSet('ACGTACGTA').length).toBe(2);
    expect(kmerSet('ACGTNACGTACGT').length).toBe(1);
    expect(kmerSet('ACGTNACGTACG').length).toBe(0);
    const s = kmerSet(randomDna(500, 8));
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
  });
});

describe('the 16S region of the rRNA scanner', () => {
  it('M. genitalium: one 515F–1390R region, the same from either strand, starting at 515F', async () => {
    const bytes = genitalium();
    const ev = await scanRrnaMarkers(bytes);
    expect(ev.ssuRegion).not.toBeNull();
    const r = ev.ssuRegion!;
    expect(r.length).toBeGreaterThan(850);
    expect(r.length).toBeLessThan(950);
    // It starts at 515F-Y (GTGYCAGCMGCCGCGGTAA) and ends at 1390R's reverse complement, each within the scanner's 2 mismatches.
    expect(mismatches(r.slice(0, 19), 'GTGYCAGCMGCCGCGGTAA')).toBeLessThanOrEqual(2);
    expect(mismatches(r.slice(-18), 'TTGTACACACCGCCCGTC')).toBeLessThanOrEqual(2);
    // The genome's reverse complement gives the same region in rRNA sense.
    const text = new TextDecoder().decode(bytes);
    const seq = text.split('\n').filter((l) => !l.startsWith('>')).join('');
    const rc = await scanRrnaMarkers(enc(`>rc\n${revcomp(seq)}\n`));
    expect(rc.ssuRegion).toBe(r);
    // Split into 1 kb chunks: the streaming scanner cuts the same region.
    const s = new RrnaMarkerScanner();
    for (let i = 0; i < bytes.length; i += 1000) s.push(bytes.subarray(i, i + 1000));
    expect(s.finish().ssuRegion).toBe(r);
  });

  it('per record: each record keeps its own first region (the file keeps the first of all); a record without one has none', async () => {
    const text = new TextDecoder().decode(genitalium());
    const seq = text.split('\n').filter((l) => !l.startsWith('>')).join('');
    const r = (await scanRrnaMarkers(genitalium())).ssuRegion!;
    // Record 1: random DNA; 2: the genome on the minus strand; 3: a mutated copy of the region in random flanks; 4: the genome.
    const mutated = mutate(r, 9, 20, 0);
    const file = `>none\n${randomDna(30_000, 5)}\n>rc\n${revcomp(seq)}\n>mut\n${randomDna(500, 6)}${mutated}${randomDna(500, 7)}\n>plus\n${seq}\n`;
    for (const chunk of [1 << 20, 997]) {
      const s = new RrnaMarkerScanner();
      const bytes = enc(file);
      for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
      const byRecord = s.finishByRecord();
      expect(byRecord.get(1)?.ssuRegion ?? null, `chunk ${chunk}`).toBeNull();
      expect(byRecord.get(2)?.ssuRegion).toBe(r);
      expect(byRecord.get(3)?.ssuRegion).toBe(mutated);
      expect(byRecord.get(4)?.ssuRegion).toBe(r);
    }
    // The whole file's evidence keeps the first region of all.
    expect((await scanRrnaMarkers(enc(file))).ssuRegion).toBe(r);
  });

  it('a genome without rRNA genes has none', async () => {
    expect((await scanRrnaMarkers(enc(`>x\n${randomDna(20_000, 4)}\n`))).ssuRegion).toBeNull();
  });
});

describe('building the reference (names follow BacDive)', () => {
  const region = async () => (await scanRrnaMarkers(genitalium())).ssuRegion!;
  /** A 16S-like sequence: the real region with 100 bp of flank on each side, changed a little. */
  const gene = (r: string, seed: number, subs: number) => randomDna(100, seed) + r.slice(0, 30) + mutate(r.slice(30, -30), seed, subs, 0) + r.slice(-30) + randomDna(100, seed + 1);

  it('keeps named species of BacDive genera, renames across the Lactobacillus split, caps each genus', async () => {
    const r = await region();
    const fasta = [
      ['gb|AB000001| Lactobacillus plantarum strain DSM 20174 16S ribosomal RNA gene', gene(r, 1, 40)],
      ['gb|AB000002| Uncultured bacterium clone X1 16S rRNA gene', gene(r, 2, 5)],
      ['gb|AB000003| Mycoplasma sp. 16S rRNA', gene(r, 3, 5)],
      ['gb|AB000004| Notagenus bogus 16S rRNA', gene(r, 4, 5)],
      ['gb|AB000005| Mycoplasma genitalium 16S rRNA gene', gene(r, 5, 0)],
      ['gb|AB000006| Mycoplasma genitalium G37 ATCC 33530 16S rRNA gene', gene(r, 6, 3)],
      ['gb|AB000007| Mycoplasma pneumoniae 16S rRNA gene', gene(r, 7, 30)],
      ['gb|AB000008| Mycoplasma hominis 16S rRNA gene', gene(r, 8, 60)],
      ['gb|AB000009| Mycoplasma arginini 16S rRNA gene', gene(r, 9, 70)],
      ['gb|AB000010| Mycoplasma fermentans partial 16S, too short', randomDna(400, 10)],
    ]
      .map(([t, s]) => `>${t}\n${s}\n`)
      .join('');
    const species = ['Lactiplantibacillus plantarum subsp. plantarum', 'Mycoplasmoides genitalium', 'Mycoplasmoides pneumoniae', 'Mycoplasma hominis', 'Mycoplasma arginini', 'Mycoplasma fermentans'];
    const { entries, report, tsv } = buildSsuReference(fasta, species);
    expect(report).toMatchObject({ sequences: 10, named: 8, inBacDive: 7, withRegion: 6 });
    // L. plantarum is filed as BacDive files it; the M. genitalium title with a culture-collection number wins over the other.
    expect(entries.map((e) => [e.genus, e.species, e.accession])).toEqual([
      ['Lactiplantibacillus', 'Lactiplantibacillus plantarum', 'AB000001'],
      ['Mycoplasma', 'Mycoplasma arginini', 'AB000009'],
      ['Mycoplasma', 'Mycoplasma hominis', 'AB000008'],
      ['Mycoplasmoides', 'Mycoplasmoides genitalium', 'AB000006'],
      ['Mycoplasmoides', 'Mycoplasmoides pneumoniae', 'AB000007'],
    ]);
    expect(entries.filter((e) => e.genus === 'Mycoplasma').length).toBeLessThanOrEqual(PER_GENUS);
    expect(entries.every((e) => ssuRegionOf(e.region) === null || e.region.length > 800)).toBe(true);
    // Deterministic, and parses back.
    expect(buildSsuReference(fasta, species).tsv).toBe(tsv);
    expect(parseSsuReference(tsv).entries).toEqual(entries);
  });

  it('rejects a malformed reference row by name', () => {
    expect(() => parseSsuReference('Escherichia\tEscherichia coli\n')).toThrow(/16S reference: bad row 'Escherichia/);
  });
});

describe('the bundled reference', () => {
  const ref = bundledSsuReference();

  it('holds ≥ 1,000 BacDive genera, ≤ 3 species each, and names its source', () => {
    const genera = new Set(ref.entries.map((e) => e.genus));
    expect(genera.size).toBeGreaterThanOrEqual(1000);
    const per = new Map<string, number>();
    for (const e of ref.entries) per.set(e.genus, (per.get(e.genus) ?? 0) + 1);
    expect(Math.max(...per.values())).toBeLessThanOrEqual(PER_GENUS);
    expect(ref.source).toMatch(/SILVA SSU Ref 93/);
    for (const e of ref.entries) expect(e.region).toMatch(/^[ACGTN]{700,2500}$/);
  });

  it('places M. genitalium in its genus (Mycoplasmoides: M. pneumoniae; SILVA 93 has no full-length M. genitalium), and elsewhere with its genus held out', async () => {
    const r = (await scanRrnaMarkers(genitalium())).ssuRegion!;
    const [best] = nearestSsuGenera(ref, r);
    expect(best.species).toBe('Mycoplasmoides pneumoniae');
    expect(best.identity).toBeGreaterThanOrEqual(GENUS_IDENTITY);
    const out = nearestSsuGenera(ref, r, { excluded: new Set(['Mycoplasmoides']) });
    expect(out.length).toBeGreaterThan(0);
    expect(out.some((m) => m.genus === 'Mycoplasmoides')).toBe(false);
    expect(out[0].identity).toBeLessThan(best.identity);
  });

  if (HAS_SHARED_DATA) {
    const regionOf = async (name: string) => (await scanRrnaMarkers(gunzipSync(readFileSync(sharedGenome(`reference/${name}.fna.gz`))))).ssuRegion!;
    it('shared genomes: E. coli is Escherichia; held out, Shigella (same 16S); Thermococcus held out → Pyrococcus ≥ 94.5 %', async () => {
      const e = await regionOf('Escherichia_coli_DSM_30083_type');
      expect(nearestSsuGenera(ref, e)[0]).toMatchObject({ identity: 1 });
      expect(['Escherichia', 'Shigella']).toContain(nearestSsuGenera(ref, e)[0].genus);
      expect(nearestSsuGenera(ref, e, { excluded: new Set(['Escherichia', 'Shigella']) })[0].identity).toBeLessThan(0.99);
      const t = await regionOf('Thermococcus_litoralis_DSM_5473_type');
      const held = nearestSsuGenera(ref, t, { excluded: new Set(['Thermococcus']) });
      expect(held[0].genus).toBe('Pyrococcus');
      expect(held[0].identity).toBeGreaterThanOrEqual(GENUS_IDENTITY);
    });

    it('shared genomes: an archaeal 16S with introns (Aeropyrum pernix, ~1.6 kb region) is still its own species', async () => {
      const a = await regionOf('Aeropyrum_pernix_K1');
      expect(a.length).toBeGreaterThan(1200);
      const [best] = nearestSsuGenera(ref, a);
      expect(best).toMatchObject({ genus: 'Aeropyrum' });
      expect(best.identity).toBeGreaterThan(0.99);
    });
  }
});

describe('mediaforge db ssu-reference', () => {
  const cli = (...argv: string[]) => runCommand({ run: runDb }, 'db', 'ssu-reference', ...argv);
  const data = join(REPO_ROOT, 'tests/fixtures');

  it('--help, and bad input in one clear line', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: mediaforge db ssu-reference FASTA/);
    const dir = mkdtempSync(join(tmpdir(), 'mf-ssu-'));
    try {
      const missing = await cli(join(dir, 'nope.fasta'), '--data', data);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      expect(missing.stderr).toMatch(/nope\.fasta: no such file/);
      writeFileSync(join(dir, 'x.txt'), 'not a fasta\n');
      const notFasta = await cli(join(dir, 'x.txt'), '--data', data);
      expect(notFasta.code).not.toBe(0);
      expect(notFasta.stderr).toMatch(/x\.txt: not a FASTA file/);
      // No title names a BacDive species of the fixture strains: nothing to write, and it says so.
      writeFileSync(join(dir, 'none.fasta'), `>gb|X1| Mycoplasma genitalium 16S\n${randomDna(1500, 2)}\n`);
      const none = await cli(join(dir, 'none.fasta'), '--data', data, '--out', join(dir, 'out.tsv.gz'));
      expect(none.code).not.toBe(0);
      expect(none.stderr).toMatch(/no 16S sequence with both 515F and 1390R sites names a BacDive species/);
      // A strains.tsv without the species column is named, with the column.
      mkdirSync(join(dir, 'data/mediadive'), { recursive: true });
      writeFileSync(join(dir, 'data/mediadive/strains.tsv'), 'id\tname\n1\tx\n');
      const noColumn = await cli(join(dir, 'none.fasta'), '--data', join(dir, 'data'), '--out', join(dir, 'out.tsv.gz'));
      expect(noColumn.code).not.toBe(0);
      expect(noColumn.stderr.trim().split('\n')).toHaveLength(1);
      expect(noColumn.stderr).toMatch(/strains\.tsv: missing column species/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a gzipped reference of the fixture genera that the product reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-ssu-'));
    try {
      const r = (await scanRrnaMarkers(genitalium())).ssuRegion!;
      const seq = randomDna(100, 1) + r + randomDna(100, 2);
      writeFileSync(join(dir, 'ssu.fasta'), `>gb|AB1| Escherichia coli strain DSM 30083 16S\n${seq}\n>gb|AB2| Lactobacillus plantarum 16S\n${seq}\n`);
      const out = join(dir, 'ref.tsv.gz');
      const res = await cli(join(dir, 'ssu.fasta'), '--data', data, '--out', out);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/^wrote .*ref\.tsv\.gz: 2 sequences of 2 genera/);
      const ref = parseSsuReference(gunzipSync(readFileSync(out)).toString('utf8'));
      expect(ref.entries.map((e) => e.species)).toEqual(['Escherichia coli', 'Lactiplantibacillus plantarum']);
      expect(ref.entries[0].region).toBe(r);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
