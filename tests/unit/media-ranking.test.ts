/** Building blocks of the media ranking: condition parsing and matching, rank fusion, hit rates, leave-genus-out. */
import { describe, expect, it } from 'vitest';
import { conditionMatch, midpointOf, oxygenTolerance, rankByConditions, type StrainConditionRow } from '../../src/media/condition-ranking';
import { deferNearDuplicates, fuseRankings, hitRates, rankByNeighbors, rankPopular, type LinkedGenome } from '../../src/media/media-ranking';

describe('condition parsing', () => {
  it('reads single values and ranges', () => {
    expect(midpointOf('37')).toBe(37);
    expect(midpointOf('25-41')).toBe(33);
    expect(midpointOf('06-09')).toBe(7.5);
    expect(midpointOf('6.0-9.0')).toBe(7.5);
    expect(midpointOf('none')).toBeNull();
  });

  it('maps every BacDive oxygen category', () => {
    for (const v of ['aerobe', 'obligate aerobe', 'facultative anaerobe', 'facultative aerobe', 'microaerophile', 'aerotolerant', 'microaerotolerant']) expect(oxygenTolerance(v), v).toBe(true);
    for (const v of ['anaerobe', 'obligate anaerobe']) expect(oxygenTolerance(v), v).toBe(false);
    expect(oxygenTolerance('unknown')).toBeNull();
  });
});

describe('condition matching', () => {
  const none = { temperatureC: null, oxygenTolerant: null, ph: null, salinityPct: null };
  it('is 1 for identical conditions, falls with distance, and ignores what either side does not know', () => {
    const q = { temperatureC: 85, oxygenTolerant: false, ph: 7, salinityPct: 3 };
    expect(conditionMatch(q, q)).toBe(1);
    expect(conditionMatch({ ...q, temperatureC: 37 }, q)).toBeLessThan(1e-6);
    expect(conditionMatch({ ...q, oxygenTolerant: true }, q)).toBeCloseTo(0.1, 9);
    expect(conditionMatch(none, q)).toBe(1);
  });

  it('ranks media by their strains and leaves the held-out genus out', () => {
    const row = (mediumId: string, genus: string, temperatureC: number): StrainConditionRow => ({ strainId: 1, genus, mediumId, temperatureC, oxygenTolerant: false, ph: null, salinityPct: null });
    const rows = [row('hot', 'Pyrococcus', 95), row('hot', 'Thermococcus', 85), row('warm', 'Bacillus', 37), row('own', 'Archaeoglobus', 83)];
    const q = { temperatureC: 83, oxygenTolerant: false, ph: null, salinityPct: null };
    const ranked = rankByConditions(rows, q, 'Archaeoglobus');
    expect(ranked.map((r) => r.mediumId)).toEqual(['hot', 'warm']);
    expect(rankByConditions(rows, q, null)[0].mediumId).toBe('own');
  });
});

describe('rankings', () => {
  it('fuses by reciprocal rank and counts hits in the top 1, 5, 10', () => {
    const a = [{ mediumId: 'x', score: 3 }, { mediumId: 'y', score: 2 }];
    const b = [{ mediumId: 'y', score: 9 }, { mediumId: 'z', score: 1 }];
    expect(fuseRankings([{ ranked: a }, { ranked: b }])[0].mediumId).toBe('y');
    const h = hitRates([
      { truth: new Set(['y']), ranked: fuseRankings([{ ranked: a }, { ranked: b }]) },
      { truth: new Set(['q']), ranked: a },
    ]);
    expect(h).toEqual({ queries: 2, top1: 0.5, top5: 0.5, top10: 0.5 });
  });

  it('popular media of a domain leave the held-out genus out', () => {
    const strains = [
      { genus: 'Thermococcus', domain: 'archaea', mediumId: '760' },
      { genus: 'Thermococcus', domain: 'archaea', mediumId: '760' },
      { genus: 'Pyrococcus', domain: 'archaea', mediumId: '377' },
      { genus: 'Bacillus', domain: 'bacteria', mediumId: '1' },
    ];
    expect(rankPopular(strains, 'archaea', null).map((r) => r.mediumId)).toEqual(['760', '377']);
    expect(rankPopular(strains, 'archaea', 'Thermococcus').map((r) => r.mediumId)).toEqual(['377']);
  });

  it('neighbour media are weighted by similarity × confidence and skip excluded genomes', () => {
    const g = (genomeId: number, genus: string, media: [string, number][]): LinkedGenome => ({ genomeId, name: genus, species: `${genus} sp.`, genus, organismType: 'bacteria', media: new Map(media), domainCall: 'bacteria', tetra: new Float32Array(1), latent: null });
    const cands = [g(1, 'A', [['m1', 0.75]]), g(2, 'B', [['m2', 0.75], ['m1', 0.6]]), g(3, 'Q', [['m3', 1]])];
    const sim = new Map([[1, 0.9], [2, 0.5], [3, 1]]);
    const r = rankByNeighbors(cands, (x) => sim.get(x.genomeId)!, { k: 2, exclude: (x) => x.genus === 'Q' });
    expect(r.neighbors.map((n) => n.genome.genomeId)).toEqual([1, 2]);
    expect(r.ranked.map((m) => m.mediumId)).toEqual(['m1', 'm2']);
    expect(r.ranked[0].score).toBeCloseTo(0.9 * 0.75 + 0.5 * 0.6, 9);
  });
});

describe('deferNearDuplicates', () => {
  // Media a1, a2, a3 are one family (similarity 0.9), b and c stand alone.
  const fam = (id: string) => id[0];
  const sim = (x: string, y: string) => (fam(x) === fam(y) ? 0.9 : 0.1);
  const r = (...ids: string[]) => ids.map((mediumId, i) => ({ mediumId, score: 10 - i }));
  const ids = (xs: { mediumId: string }[]) => xs.map((x) => x.mediumId);

  it('fills the first places with one medium per family, then the deferred in their order, then the rest', () => {
    expect(ids(deferNearDuplicates(r('a1', 'a2', 'b', 'a3', 'c', 'd'), sim, 0.8, 3))).toEqual(['a1', 'b', 'c', 'a2', 'a3', 'd']);
  });

  it('keeps the order when nothing reaches the threshold, and everything when the list is short', () => {
    expect(ids(deferNearDuplicates(r('a1', 'a2', 'b'), sim, 0.95, 2))).toEqual(['a1', 'a2', 'b']);
    expect(ids(deferNearDuplicates(r('a1', 'a2', 'a3'), sim, 0.8, 10))).toEqual(['a1', 'a2', 'a3']);
  });
});
