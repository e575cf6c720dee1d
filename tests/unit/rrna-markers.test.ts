/**
 * rRNA domain evidence (src/core/rrna-markers.ts): published SSU primer/probe sites located with
 * a 2-bit rolling code, grouped into genes, scored per domain.
 * Hand-made sequences check the matching rules; real genomes check the calls, including the ones
 * that exact probe matching got wrong or left open (Chlamydia, Aquifex, Nanoarchaeum,
 * Thermoproteales, Leuconostoc).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  RRNA_SITES,
  RrnaMarkerScanner,
  domainAgreement,
  scanRrnaMarkers,
  signatureCosine,
  siteMaxMismatches,
  siteSenseSequence,
  type RrnaEvidence,
} from '../../src/core/rrna-markers';
import { HAS_SHARED_DATA, fixture, sharedGenome } from '../helpers/data';
import { randomDna } from '../helpers/random-dna';

// ---------------------------------------------------------------------------------------------
// helpers

const enc = new TextEncoder();
const COMP: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };
const revcomp = (s: string) => s.split('').reverse().map((c) => COMP[c]).join('');

/** The site in rRNA-sense orientation with each IUPAC code replaced by one of its bases. */
function site(name: string): string {
  const s = RRNA_SITES.find((x) => x.name === name);
  if (!s) throw new Error(`no site ${name}`);
  const pick: Record<string, string> = { R: 'A', Y: 'C', S: 'C', W: 'A', K: 'G', M: 'A', B: 'C', D: 'A', H: 'A', V: 'A', N: 'A' };
  return siteSenseSequence(s).replace(/[RYSWKMBDHVN]/g, (c) => pick[c]);
}

/**
 * A pretend SSU gene: the named sites in order, 250 bp of random sequence between them. Each site
 * sits between AAAAA flanks, so that random neighbours cannot extend it into an overlapping site
 * (1387R, for one, is 1390R's core plus three bases).
 */
function gene(names: string[], seed: number, edit: (name: string, s: string) => string = (_n, s) => s): string {
  let s = randomDna(250, seed);
  names.forEach((n, i) => {
    s += `AAAAA${edit(n, site(n))}AAAAA${randomDna(250, seed + i + 1)}`;
  });
  return s;
}

const BACTERIAL = ['27F', 'EUB338', '515F-Y', '939F', '1193R', '1390R'];
const ARCHAEAL = ['Arch21F', 'ARC344', '515F-Y', 'ARCH915', 'Arch958R', 'UA1204R', '1390R'];
const EUKARYAL = ['EukA', 'NS1', 'NS3', 'NS4', '1390R', 'EukB'];

function fasta(records: Array<[string, string]>, width = 60, eol = '\n'): string {
  return records
    .map(([id, seq]) => {
      const lines = [`>${id} test record`];
      for (let i = 0; i < seq.length; i += width) lines.push(seq.slice(i, i + width));
      return lines.join(eol) + eol;
    })
    .join('');
}

function scanBytes(bytes: Uint8Array, chunk = bytes.length): RrnaEvidence {
  const sc = new RrnaMarkerScanner();
  for (let o = 0; o < bytes.length; o += chunk) sc.push(bytes.subarray(o, o + chunk));
  return sc.finish();
}

const scan = (text: string, chunk?: number) => scanBytes(enc.encode(text), chunk);
const mm = (ev: RrnaEvidence, name: string) => ev.sites.find((s) => s.name === name)?.mismatches;

/** Changes base i of s to another base. */
const mutate = (s: string, i: number) => s.slice(0, i) + ({ A: 'C', C: 'G', G: 'T', T: 'A' } as Record<string, string>)[s[i]] + s.slice(i + 1);

// ---------------------------------------------------------------------------------------------

describe('rRNA sites', () => {
  it('are published sequences of 15-24 nt; universal ones allow 2 mismatches, short or degenerate domain sites none', () => {
    for (const s of RRNA_SITES) {
      expect(s.published).toMatch(/^[ACGTRYSWKMBDHVN]{15,24}$/);
      expect(s.ref.length).toBeGreaterThan(5);
    }
    const max = (n: string) => siteMaxMismatches(RRNA_SITES.find((s) => s.name === n)!);
    expect(max('515F-Y')).toBe(2);
    expect(max('EUB338')).toBe(1);
    expect(max('1100R')).toBe(0); // 16 nt
    expect(max('SSU666ArR')).toBe(0); // 18 nt but 36-fold degenerate
  });

  it('are turned to rRNA sense: the EUB338 probe targets ACTCCTACGGGAGGCAGC', () => {
    expect(siteSenseSequence(RRNA_SITES.find((s) => s.name === 'EUB338')!)).toBe('ACTCCTACGGGAGGCAGC');
    expect(siteSenseSequence(RRNA_SITES.find((s) => s.name === 'ARCH915')!)).toBe('AGGAATTGGCGGGGGAGCAC');
  });
});

describe('RrnaMarkerScanner on hand-made sequences', () => {
  it('calls bacteria from a gene with four bacterial sites', () => {
    const ev = scan(fasta([['b', gene(BACTERIAL, 1)]]));
    expect(ev.genes).toBe(1);
    expect(ev.scores).toEqual({ bacteria: 8, archaea: 0, eukarya: 0 });
    expect(ev.bacteriaHits).toBe(4);
    expect(ev.domainCall).toBe('bacteria');
    expect(ev.confidence).toBe(1);
    expect(mm(ev, '27F')).toBe(0);
    expect(ev.signatureRegions).toBe(1);
    expect(ev.signature).toHaveLength(4096);
  });

  it('calls archaea and eukarya', () => {
    const a = scan(fasta([['a', gene(ARCHAEAL, 2)]]));
    expect(a.domainCall).toBe('archaea');
    expect(a.scores).toEqual({ bacteria: 0, archaea: 10, eukarya: 0 });
    const e = scan(fasta([['e', gene(EUKARYAL, 3)]]));
    expect(e.domainCall).toBe('eukarya');
    expect(e.eukaryaHits).toBe(5);
  });

  it('calls eukarya when the assembly also holds a bacterial-type (organellar) gene', () => {
    const ev = scan(fasta([['chr', gene(EUKARYAL, 4)], ['plastid', gene(BACTERIAL, 5)]]));
    expect(ev.genes).toBe(2);
    expect(ev.scores.bacteria).toBe(8);
    expect(ev.domainCall).toBe('eukarya');
  });

  it('finds the sites on the reverse strand, with the same signature', () => {
    const g = gene(BACTERIAL, 6);
    const fwd = scan(fasta([['f', g]]));
    const rev = scan(fasta([['r', revcomp(g)]]));
    expect(rev.sites).toEqual(fwd.sites);
    expect(rev.domainCall).toBe('bacteria');
    expect(signatureCosine(fwd.signature, rev.signature)).toBeCloseTo(1, 6);
  });

  it('accepts one mismatch in a long site and scores it 1', () => {
    const ev = scan(fasta([['b', gene(BACTERIAL, 7, (n, s) => (n === '27F' || n === 'EUB338' ? mutate(s, 9) : s))]]));
    expect(mm(ev, '27F')).toBe(1);
    expect(mm(ev, 'EUB338')).toBe(1);
    expect(ev.scores.bacteria).toBe(6);
    expect(ev.domainCall).toBe('bacteria');
  });

  it('rejects two mismatches in a domain site', () => {
    const ev = scan(fasta([['b', gene(BACTERIAL, 8, (n, s) => (n === '27F' ? mutate(mutate(s, 5), 12) : s))]]));
    expect(mm(ev, '27F')).toBeUndefined();
    expect(ev.scores.bacteria).toBe(6);
  });

  it('matches a short site (1100R, 16 nt) only exactly', () => {
    const names = [...BACTERIAL.slice(0, 4), '1100R', ...BACTERIAL.slice(4)];
    expect(mm(scan(fasta([['b', gene(names, 9)]])), '1100R')).toBe(0);
    const one = scan(fasta([['b', gene(names, 9, (n, s) => (n === '1100R' ? mutate(s, 8) : s))]]));
    expect(mm(one, '1100R')).toBeUndefined();
  });

  it('lets N or an IUPAC code inside a site break it (no mismatch allowance for them)', () => {
    for (const code of ['N', 'n', 'R', '-']) {
      const ev = scan(fasta([['b', gene(BACTERIAL, 10, (n, s) => (n === '27F' ? s.slice(0, 9) + code + s.slice(10) : s))]]));
      expect(mm(ev, '27F'), code).toBeUndefined();
      expect(mm(ev, 'EUB338')).toBe(0);
    }
  });

  it('never matches across a record boundary, but does across a line break', () => {
    const g = gene(BACTERIAL, 11);
    const at = g.indexOf(site('27F')) + 10; // split the 27F site in the middle
    const split = scan(`>r1\n${g.slice(0, at)}\n>r2\n${g.slice(at)}\n`);
    expect(mm(split, '27F')).toBeUndefined();
    expect(mm(split, 'EUB338')).toBe(0);
    const wrapped = scan(`>r1\n${g.slice(0, at)}\n${g.slice(at)}\n`);
    expect(mm(wrapped, '27F')).toBe(0);
  });

  it('skips header lines, even when they spell out a gene', () => {
    const g = gene(BACTERIAL, 12);
    const ev = scan(`>${g}\n${randomDna(2000, 99)}\n;${g}\n${randomDna(2000, 98)}\n`);
    expect(ev.genes).toBe(0);
    expect(ev.sites).toEqual([]);
  });

  it('does not depend on chunking, line length, CRLF, lower case, U or a byte-order mark', () => {
    const records: Array<[string, string]> = [['x', randomDna(3000, 13)], ['b', gene(BACTERIAL, 14)], ['a', gene(ARCHAEAL, 15)]];
    const plain = scan(fasta(records));
    const odd = '\ufeff' + fasta(records.map(([id, s]) => [id, s.toLowerCase().replace(/t/g, 'u')]), 7, '\r\n');
    for (const chunk of [1, 2, 5, 64, 4096]) {
      const ev = scan(odd, chunk);
      expect(ev.sites).toEqual(plain.sites);
      expect(ev.scores).toEqual(plain.scores);
      expect(ev.genes).toBe(plain.genes);
      expect(Array.from(ev.signature!)).toEqual(Array.from(plain.signature!));
    }
  });

  it('calls a lone probe site in random sequence unknown: it is not a gene', () => {
    const ev = scan(fasta([['lone', randomDna(5000, 16) + 'ACTCCTACGGGAGGCAGC' + randomDna(5000, 17)]]));
    expect(ev.genes).toBe(0);
    expect(ev.sites).toEqual([]);
    expect(ev.domainCall).toBe('unknown');
  });

  it('says unknown (confidence 0, no signature) for sequence without rRNA', async () => {
    const ev = await scanRrnaMarkers(enc.encode(fasta([['c', randomDna(200_000, 18)]])));
    expect(ev).toMatchObject({ genes: 0, domainCall: 'unknown', confidence: 0, signature: null, signatureRegions: 0 });
  });

  it('scans 10 Mbp well under a second', () => {
    const seq = randomDna(1_000_000, 19);
    const bytes = enc.encode(fasta([['big', seq]], 80));
    const sc = new RrnaMarkerScanner();
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) sc.push(bytes);
    sc.finish();
    // typically ~0.1 s in Node; generous bound for slow CI machines
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('domainAgreement', () => {
  const ev = (domainCall: RrnaEvidence['domainCall'], confidence = 1) => ({ domainCall, confidence });
  it('is +1 for the same domain, −1 for conflicting domains and 0 when either is unknown', () => {
    expect(domainAgreement(ev('bacteria'), ev('bacteria'))).toBe(1);
    expect(domainAgreement(ev('archaea'), ev('bacteria'))).toBe(-1);
    expect(domainAgreement(ev('eukarya'), ev('archaea'))).toBe(-1);
    expect(domainAgreement(ev('unknown', 0), ev('bacteria'))).toBe(0);
    expect(domainAgreement(ev('unknown', 0), ev('unknown', 0))).toBe(0);
  });
  it('is scaled by the weaker confidence', () => {
    expect(domainAgreement(ev('bacteria', 0.5), ev('bacteria', 1))).toBe(0.5);
    expect(domainAgreement(ev('bacteria', 1), ev('archaea', 0.25))).toBe(-0.25);
  });
});

describe('rRNA evidence of real genomes', () => {
  const readGz = (path: string) => new Uint8Array(gunzipSync(readFileSync(path)));

  it('Mycoplasma genitalium G37 (repo fixture, one rRNA operon) is bacterial; phage lambda is unknown', () => {
    const myco = scanBytes(readGz(fixture('mycoplasma-genitalium-g37.fa.gz')), 1 << 16);
    expect(myco.domainCall).toBe('bacteria');
    expect(myco.genes).toBe(1);
    expect(myco.archaeaHits).toBe(0);
    const lambda = scanBytes(readGz(fixture('lambda.fa.gz')));
    expect(lambda.domainCall).toBe('unknown');
    expect(lambda.genes).toBe(0);
  });

  if (HAS_SHARED_DATA) {
    const cases: Array<[string, string, number]> = [
      // file in ../shared/data/genomes/reference, expected call, rRNA genes (0 = don't check)
      ['Escherichia_coli_K-12_MG1655', 'bacteria', 7],
      ['Chlamydia_trachomatis_D_UW-3_CX', 'bacteria', 2], // no exact 27F/EUB338 site
      ['Aquifex_aeolicus_VF5', 'bacteria', 2], // only 27F exact
      ['Leuconostoc_mesenteroides_subsp._mesenteroides_ATCC_8293', 'bacteria', 4],
      ['Nanoarchaeum_equitans_Kin4-M', 'archaea', 1], // missed by the standard archaeal primers
      ['Pyrobaculum_calidifontis_JCM_11548', 'archaea', 1], // Thermoproteales: no exact ARCH915/Arch21F
      ['Vulcanisaeta_distributa_DSM_14429', 'archaea', 1],
      ['Halobacterium_salinarum_NRC-1', 'archaea', 1],
      ['Methanococcus_maripaludis_S2', 'archaea', 3],
      ['Plasmodium_falciparum_3D7', 'eukarya', 0],
      ['Saccharomyces_cerevisiae_S288C_chrI_2micron', 'unknown', 0], // chromosome I only: the rDNA is on XII
      ['Escherichia_phage_P2', 'unknown', 0],
      ['plasmid_Shigella_sonnei_53G_A_B_E', 'unknown', 0],
    ];
    for (const [name, call, genes] of cases) {
      it(`${name}: ${call}`, () => {
        const ev = scanBytes(readGz(sharedGenome(`reference/${name}.fna.gz`)), 1 << 16);
        expect(ev.domainCall).toBe(call);
        if (genes) expect(ev.genes).toBe(genes);
        // no conflicting evidence at all on these genomes
        if (call === 'bacteria') expect(ev.scores.archaea + ev.scores.eukarya).toBe(0);
        if (call === 'archaea') expect(ev.scores.bacteria + ev.scores.eukarya).toBe(0);
      });
    }

    it('gives the same evidence for 7-byte chunks of a real genome (Nanoarchaeum)', () => {
      const bytes = readGz(sharedGenome('reference/Nanoarchaeum_equitans_Kin4-M.fna.gz'));
      const a = scanBytes(bytes);
      const b = scanBytes(bytes, 7);
      expect(b.sites).toEqual(a.sites);
      expect(Array.from(b.signature!)).toEqual(Array.from(a.signature!));
    });

    it('rRNA signatures are closer within a domain (E. coli ~ Salmonella > E. coli ~ Methanococcus)', () => {
      const sig = (n: string) => scanBytes(readGz(sharedGenome(`reference/${n}.fna.gz`)), 1 << 16).signature;
      const ecoli = sig('Escherichia_coli_K-12_MG1655');
      const salmonella = sig('Salmonella_enterica_Typhimurium_LT2');
      const methano = sig('Methanococcus_maripaludis_S2');
      expect(signatureCosine(ecoli, salmonella)!).toBeGreaterThan(0.9);
      expect(signatureCosine(ecoli, methano)!).toBeLessThan(0.4);
    });
  }
});
