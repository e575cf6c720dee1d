/** Nearest genomes: cosine order, rRNA marker agreement, the similarity formula, genus split. */
import { describe, expect, it } from 'vitest';
import { domainOf, GenomeNeighborIndex, markerAgreement, MARKER_WEIGHT, type NeighborCandidate } from '../../src/ml/genome-neighbors';
import { genusOf, splitByGenus, splitGroupOf } from '../../src/ml/genus-split';

const cand = (genomeId: number, organismType: string, domainCall: NeighborCandidate['domainCall']): NeighborCandidate => ({
  genomeId,
  name: `g${genomeId}`,
  species: `Genus${genomeId} species`,
  organismType,
  recordType: 'genome',
  gcFraction: 0.5,
  lengthBp: 1000,
  origin: 'snapshot',
  domainCall,
});

// Four candidates in 2-D: cosine to the query (1, 0) is 1, 0.8, 0.6, 0 in that order.
const vectors = Float32Array.from([1, 0, 0.8, 0.6, 0.6, 0.8, 0, 1]);
const candidates = [cand(1, 'bacteria', 'bacteria'), cand(2, 'bacteria', 'unknown'), cand(3, 'archaea', 'archaea'), cand(4, 'archaea', 'archaea')];

describe('GenomeNeighborIndex', () => {
  const index = new GenomeNeighborIndex('m', vectors, 2, candidates);
  const q = Float32Array.from([1, 0]);

  it('ranks by cosine alone when the query has no rRNA evidence (similarity = cosine)', () => {
    const r = index.search(q, 4, 'unknown');
    expect(r.map((n) => n.genome_id)).toEqual([1, 2, 3, 4]);
    r.forEach((n) => expect(n.similarity).toBeCloseTo(n.cosine, 6));
    expect(r.map((n) => n.cosine)).toEqual([1, 0.8, 0.6, 0]);
  });

  it('adds w·agreement: an archaeal query lifts archaea above closer bacteria', () => {
    const w = MARKER_WEIGHT;
    const r = index.search(q, 4, 'archaea');
    const byId = new Map(r.map((n) => [n.genome_id, n]));
    expect(byId.get(1)!.similarity).toBeCloseTo((1 - w) * 1 - w, 6); // conflicting evidence
    expect(byId.get(2)!.similarity).toBeCloseTo((1 - w) * 0.8, 6); // no evidence: agreement 0
    expect(byId.get(3)!.similarity).toBeCloseTo((1 - w) * 0.6 + w, 6);
    expect(byId.get(3)!.marker_agreement).toBe(1);
    expect(byId.get(1)!.marker_agreement).toBe(-1);
    for (let i = 1; i < r.length; i++) expect(r[i - 1].similarity).toBeGreaterThanOrEqual(r[i].similarity);
    expect(r[0].genome_id).toBe(3);
  });

  it('excludes candidates on request (leave-one-genus-out) and maps domains', () => {
    const r = index.search(q, 2, 'unknown', (c) => c.genomeId === 1);
    expect(r.map((n) => n.genome_id)).toEqual([2, 3]);
    expect(r[1].domain).toBe('archaea');
    expect(domainOf('metagenome')).toBe('unknown');
    expect(domainOf('fungi')).toBe('fungi');
    expect(markerAgreement('bacteria', 'bacteria')).toBe(1);
    expect(markerAgreement('bacteria', 'eukarya')).toBe(-1);
    expect(markerAgreement('unknown', 'archaea')).toBe(0);
  });
});

describe('genus split', () => {
  it('reads genera from species labels', () => {
    expect(genusOf('Escherichia coli')).toBe('Escherichia');
    expect(genusOf('Candidatus Thorarchaeota archaeon AB_25')).toBe('Candidatus Thorarchaeota');
    expect(genusOf('[Clostridium] scindens')).toBe('Clostridium');
    expect(genusOf('unknown (human gut metagenome)')).toBeNull();
    expect(genusOf('various prokaryotes (see accession)')).toBeNull();
    expect(genusOf('Escherichia virus Lambda', 'virus')).toBeNull();
    expect(splitGroupOf('Escherichia virus Lambda', 'virus', 'k')).toBe('Escherichia virus Lambda');
  });

  it('keeps every genus on one side, is stable, and trains on items without a genus', () => {
    const species = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Zeta', 'Eta', 'Theta', 'Iota', 'Kappa', 'Lambda', 'Mu'];
    const items = species.flatMap((g, i) => [0, 1, 2].map((j) => ({ key: `${i}-${j}`, species: `${g}bacter sp${j}`, organismType: 'bacteria' })));
    items.push({ key: 'x', species: 'unknown', organismType: 'metagenome' });
    const s = splitByGenus(items, 0.3, 42);
    expect(s.val.length).toBeGreaterThan(0);
    for (const g of s.valGroups) {
      const idx = items.map((it, i) => (genusOf(it.species) === g ? i : -1)).filter((i) => i >= 0);
      expect(idx.every((i) => s.val.includes(i))).toBe(true);
    }
    expect(s.train).toContain(items.length - 1);
    expect(splitByGenus(items, 0.3, 42)).toEqual(s);
    // Adding genomes of a new genus moves no existing genome.
    const more = splitByGenus([...items, { key: 'n', species: 'Newgenus novus', organismType: 'bacteria' }], 0.3, 42);
    expect(more.valGroups.filter((g) => g !== 'Newgenus')).toEqual(s.valGroups);
  });
});

describe('large databases', () => {
  it('switch to the IVF index above the threshold and still find the nearest genome', () => {
    const n = 3000;
    const dim = 8;
    const vectors = new Float32Array(n * dim);
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    for (let i = 0; i < vectors.length; i++) vectors[i] = rnd();
    const cands = Array.from({ length: n }, (_, i) => cand(i, 'bacteria', 'unknown'));
    const exact = new GenomeNeighborIndex('m', vectors, dim, cands);
    const ivf = new GenomeNeighborIndex('m', vectors, dim, cands, { approximateAbove: 1000 });
    expect(exact.method).toBe('exact');
    expect(ivf.method).toBe('ivf');
    let same = 0;
    for (let q = 0; q < 50; q++) {
      const query = vectors.slice(q * 37 * dim, (q * 37 + 1) * dim);
      if (ivf.search(query, 1)[0].genome_id === exact.search(query, 1)[0].genome_id) same++;
    }
    expect(same).toBeGreaterThanOrEqual(49);
  });
});
