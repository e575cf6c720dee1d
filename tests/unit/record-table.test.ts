/** The per-record neighbours table (src/ui/record-table.ts): sort orders and the TSV download. */
import { describe, expect, it } from 'vitest';
import type { GenomeNeighbor } from '../../src/ml/genome-neighbors';
import { recordNeighborsTsv, RECORD_TSV_COLUMNS, sortRecordRows, type RecordNeighborRow } from '../../src/ui/record-table';

function near(name: string, similarity: number, domain: GenomeNeighbor['domain'] = 'bacteria'): GenomeNeighbor {
  return { genome_id: name.length, name, species: `${name} sp.`, domain, similarity, cosine: similarity, marker_agreement: 0, record_type: 'genome', gc_fraction: 0.5, length_bp: 1000 };
}

const rows: RecordNeighborRow[] = [
  { index: 0, id: 'contig_10', lengthBp: 500, gcFraction: 0.41, rrnaDomain: 'unknown', nearest: near('Beta', 0.8) },
  { index: 1, id: 'contig_2', lengthBp: 9000, gcFraction: 0.62, rrnaDomain: 'bacteria', nearest: near('alpha', 0.95) },
  { index: 2, id: 'contig_3', lengthBp: 500, gcFraction: NaN, rrnaDomain: 'unknown', nearest: null },
  { index: 3, id: 'contig_1', lengthBp: 1200, gcFraction: 0.55, rrnaDomain: 'unknown', nearest: near('Gamma\tphage', 0.8, 'virus') },
];
const ids = (r: RecordNeighborRow[]) => r.map((x) => x.id);

describe('sortRecordRows', () => {
  it('keeps file order by default and reverses it', () => {
    expect(ids(sortRecordRows(rows, { key: 'index', desc: false }))).toEqual(['contig_10', 'contig_2', 'contig_3', 'contig_1']);
    expect(ids(sortRecordRows(rows, { key: 'index', desc: true }))).toEqual(['contig_1', 'contig_3', 'contig_2', 'contig_10']);
  });

  it('sorts numbers with ties in file order and missing values last in both directions', () => {
    expect(ids(sortRecordRows(rows, { key: 'length', desc: true }))).toEqual(['contig_2', 'contig_1', 'contig_10', 'contig_3']);
    expect(ids(sortRecordRows(rows, { key: 'similarity', desc: true }))).toEqual(['contig_2', 'contig_10', 'contig_1', 'contig_3']);
    expect(ids(sortRecordRows(rows, { key: 'similarity', desc: false }))).toEqual(['contig_10', 'contig_1', 'contig_2', 'contig_3']);
    expect(ids(sortRecordRows(rows, { key: 'gc', desc: false })).at(-1)).toBe('contig_3');
  });

  it('sorts text case-insensitively with numbers in numeric order', () => {
    expect(ids(sortRecordRows(rows, { key: 'id', desc: false }))).toEqual(['contig_1', 'contig_2', 'contig_3', 'contig_10']);
    expect(ids(sortRecordRows(rows, { key: 'name', desc: false }))).toEqual(['contig_3', 'contig_2', 'contig_10', 'contig_1']);
  });

  it('does not change its input', () => {
    const copy = [...rows];
    sortRecordRows(rows, { key: 'similarity', desc: true });
    expect(rows).toEqual(copy);
  });
});

describe('recordNeighborsTsv', () => {
  it('writes one line per record, empty cells where there is no neighbour, no stray tabs', () => {
    const lines = recordNeighborsTsv(rows).trimEnd().split('\n').map((l) => l.split('\t'));
    expect(lines[0]).toEqual([...RECORD_TSV_COLUMNS]);
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(l).toHaveLength(RECORD_TSV_COLUMNS.length);
    expect(lines[1]).toEqual(['contig_10', '500', '0.410000', 'unknown', '0.8', '0.8', 'bacteria', 'Beta sp.', 'Beta', '4']);
    expect(lines[3]).toEqual(['contig_3', '500', '', 'unknown', '', '', '', '', '', '']);
    expect(lines[4][8]).toBe('Gamma phage');
  });
});
