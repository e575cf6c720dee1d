/**
 * The latent map's colour scales (legend counts, top-N + other, continuous ramps) and its
 * selections and TSV files (box selection, selection and projection TSV, name search).
 */
import { describe, expect, it } from 'vitest';
import { categoricalColors, continuousColors, genomeColors, genusOfName, OTHER_COLOR, rampColor, UNKNOWN_COLOR, VIRIDIS } from '../../src/map/colors';
import type { MapGenomes } from '../../src/map/map-data';
import { genomesTsv, projectionTsv, searchNames, selectInBox, SELECTION_COLUMNS } from '../../src/map/selection';

function genomes(): MapGenomes {
  return {
    modelId: 'genome-vae-test',
    dim: 2,
    embeddingsHash: 'x',
    genomeIds: Int32Array.of(10, 11, 12, 13),
    vectors: new Float32Array(8),
    names: ['Escherichia coli K-12', 'Escherichia coli\tO157', 'Bacillus subtilis 168', 'Methanococcus maripaludis S2'],
    species: ['Escherichia coli', 'Escherichia coli', 'Bacillus subtilis', 'Methanococcus maripaludis'],
    organismType: Uint8Array.of(0, 0, 0, 1),
    recordType: Uint8Array.of(0, 0, 0, 1),
    recordTypes: ['genome', 'chromosome'],
    gcFraction: Float32Array.of(0.508, 0.505, 0.435, NaN),
    lengthBp: Float64Array.of(4641652, 5498450, 4215606, 1661137),
    user: Uint8Array.of(0, 1, 0, 0),
    linkLevel: Uint8Array.of(3, 2, 0, 1),
    medium: Int32Array.of(0, 0, -1, 1),
    mediumIds: ['1', '141'],
    mediumNames: ['NUTRIENT AGAR', 'METHANOGENIUM MEDIUM'],
    domainCall: Uint8Array.of(1, 1, 1, 2),
  };
}

describe('colour scales', () => {
  it('gives the top categories their own colour, the rest "other", missing codes "none", with counts', () => {
    const codes = Int32Array.of(0, 0, 0, 1, 1, 2, 3, -1);
    const out = new Uint8Array(codes.length * 4);
    const legend = categoricalColors(codes, (c) => `c${c}`, { title: 'T', top: 2 }, out);
    expect(legend.items.map((i) => [i.label, i.count])).toEqual([['c0', 3], ['c1', 2], ['other (2)', 2], ['none', 1]]);
    expect(legend.items.reduce((s, i) => s + i.count, 0)).toBe(codes.length);
    expect([...out.subarray(5 * 4, 5 * 4 + 3)]).toEqual([...OTHER_COLOR]);
    expect([...out.subarray(7 * 4, 7 * 4 + 3)]).toEqual([...UNKNOWN_COLOR]);
    expect(out[3]).toBe(210); // alpha
  });

  it('ramps a number between min and max (viridis ends), unknown in grey', () => {
    expect(rampColor(0)).toEqual(VIRIDIS[0]);
    expect(rampColor(1)).toEqual(VIRIDIS[VIRIDIS.length - 1]);
    expect(rampColor(2)).toEqual(VIRIDIS[VIRIDIS.length - 1]);
    const out = new Uint8Array(8);
    const l = continuousColors([50, NaN], { title: 'GC %', min: 25, max: 75, unit: '%' }, out);
    expect(l.items).toEqual([{ label: 'unknown', color: UNKNOWN_COLOR, count: 1 }]);
    expect([...out.subarray(0, 3)]).toEqual([...rampColor(0.5)]);
  });

  it('colours a map by every option, each legend covering all points', () => {
    const m = genomes();
    for (const by of ['domain', 'gc', 'genus', 'medium', 'link', 'origin'] as const) {
      const out = new Uint8Array(16);
      const legend = genomeColors(m, by, out);
      if (legend.kind === 'categorical') expect(legend.items.reduce((s, i) => s + i.count, 0)).toBe(4);
      expect(out.every((v, i) => i % 4 !== 3 || v > 0)).toBe(true);
    }
    expect(genomeColors(m, 'genus', new Uint8Array(16)).items.map((i) => i.label)).toEqual(['Escherichia', 'Bacillus', 'Methanococcus']);
    expect(genomeColors(m, 'link', new Uint8Array(16)).items.map((i) => i.label)).toEqual(['none', 'genus', 'species', 'strain']);
    expect(genomeColors(m, 'medium', new Uint8Array(16)).items.map((i) => [i.label, i.count])).toEqual([['1: NUTRIENT AGAR', 2], ['141: METHANOGENIUM MEDIUM', 1], ['no linked medium', 1]]);
  });

  it('takes the genus from a species name, and calls labels without one unknown', () => {
    expect(genusOfName('Escherichia coli')).toBe('Escherichia');
    expect(genusOfName('unknown (human gut metagenome)')).toBe('unknown');
    expect(genusOfName('various viruses (see accession)')).toBe('unknown');
    expect(genusOfName(null)).toBe('unknown');
  });
});

describe('selections and TSV', () => {
  it('selects the points inside a box, corners in any order', () => {
    const coords = Float32Array.of(0, 0, 0.5, 0.5, -0.5, 0.2, 1, 1);
    expect([...selectInBox(coords, { x0: 0.6, y0: 0.6, x1: -0.1, y1: -0.1 })]).toEqual([0, 1]);
    expect([...selectInBox(coords, { x0: 2, y0: 2, x1: 3, y1: 3 })]).toEqual([]);
  });

  it('writes the selection as TSV with one line per point and clean cells', () => {
    const m = genomes();
    const coords = Float32Array.of(0, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
    const tsv = genomesTsv(m, coords, [1, 3]);
    const lines = tsv.split('\n');
    expect(lines[0]).toBe(SELECTION_COLUMNS.join('\t'));
    expect(lines[1].split('\t')).toEqual(['11', 'Escherichia coli O157', 'Escherichia coli', 'bacteria', 'genome', '50.50', '5498450', 'species', '1', 'NUTRIENT AGAR', 'user', '0.10000', '0.20000']);
    expect(lines[2].split('\t')).toEqual(['13', 'Methanococcus maripaludis S2', 'Methanococcus maripaludis', 'archaea', 'chromosome', '', '1661137', 'genus', '141', 'METHANOGENIUM MEDIUM', 'bundled', '0.50000', '0.60000']);
    expect(lines).toHaveLength(4); // header, 2 rows, final newline
    const proj = projectionTsv(m, coords, 'pca').split('\n');
    expect(proj[0]).toMatch(/^# MediaForge latent map: pca of the embeddings of model genome-vae-test \(4 genomes and records\)$/);
    expect(proj[1]).toBe('genome_id\tname\tx\ty');
    expect(proj).toHaveLength(4 + 3);
  });

  it('finds genomes by every word of a query, prefix matches first', () => {
    const m = genomes();
    expect(searchNames(m.names, 'coli')).toEqual([0, 1]);
    expect(searchNames(m.names, 'escherichia o157')).toEqual([1]);
    expect(searchNames(m.names, 'BACILLUS')).toEqual([2]);
    expect(searchNames(m.names, '  ')).toEqual([]);
  });
});
