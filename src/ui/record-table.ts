/**
 * The per-record neighbours table of a multi-record file (a MAG, a contig set): its rows, their
 * sort orders and the TSV download. Pure: no DOM, testable in Node.
 */
import type { DomainCall, GenomeNeighbor } from '../ml/genome-neighbors';
import { showControls } from '../core/untrusted-text';

export interface RecordNeighborRow {
  /** Position of the record in the file, 0-based. */
  index: number;
  id: string;
  lengthBp: number;
  /** (G+C)/(A+C+G+T) of the record. */
  gcFraction: number;
  /** The record's own rRNA domain evidence ('unknown' without an rRNA gene). */
  rrnaDomain: DomainCall;
  /** Its nearest database genome (null until embedded). */
  nearest: GenomeNeighbor | null;
}

export const RECORD_SORT_KEYS = ['index', 'id', 'length', 'gc', 'name', 'species', 'domain', 'similarity'] as const;
export type RecordSortKey = (typeof RECORD_SORT_KEYS)[number];

export interface RecordSort {
  key: RecordSortKey;
  desc: boolean;
}

/** File order. */
export const RECORD_SORT_DEFAULT: RecordSort = { key: 'index', desc: false };

/** Rows rendered at most (the TSV has all of them); keeps a file of thousands of records responsive. */
export const RECORD_ROWS_SHOWN = 500;

type Value = number | string;

function valueOf(r: RecordNeighborRow, key: RecordSortKey): Value {
  switch (key) {
    case 'index':
      return r.index;
    case 'id':
      return r.id;
    case 'length':
      return r.lengthBp;
    case 'gc':
      return r.gcFraction;
    case 'name':
      return r.nearest?.name ?? '';
    case 'species':
      return r.nearest?.species ?? '';
    case 'domain':
      return r.nearest?.domain ?? '';
    case 'similarity':
      return r.nearest?.similarity ?? -Infinity;
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The rows in a new array, sorted by one column (ties and missing values keep file order). */
export function sortRecordRows(rows: readonly RecordNeighborRow[], sort: RecordSort): RecordNeighborRow[] {
  if (sort.key === 'index') return sort.desc ? [...rows].reverse() : [...rows];
  const sign = sort.desc ? -1 : 1;
  const keyed = rows.map((r) => ({ r, v: valueOf(r, sort.key) }));
  keyed.sort((a, b) => {
    const x = a.v;
    const y = b.v;
    let c: number;
    if (typeof x === 'number' && typeof y === 'number') {
      const xn = Number.isFinite(x);
      const yn = Number.isFinite(y);
      // Missing numbers (no ACGT, not embedded) go last in either direction.
      c = xn && yn ? sign * (x - y) : xn ? -1 : yn ? 1 : 0;
    } else c = sign * collator.compare(String(x), String(y));
    return c || a.r.index - b.r.index;
  });
  return keyed.map((k) => k.r);
}

export const RECORD_TSV_COLUMNS = ['record_id', 'length_bp', 'gc_fraction', 'rrna_domain', 'similarity', 'cosine', 'domain', 'species', 'name', 'genome_id'] as const;

const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : showControls(String(v).replace(/[\t\r\n]+/g, ' ')));

/** One line per record with its nearest genome, in the order given. */
export function recordNeighborsTsv(rows: readonly RecordNeighborRow[]): string {
  const lines = [RECORD_TSV_COLUMNS.join('\t')];
  for (const r of rows) {
    const n = r.nearest;
    lines.push(
      [r.id, r.lengthBp, Number.isFinite(r.gcFraction) ? r.gcFraction.toFixed(6) : '', r.rrnaDomain, n?.similarity, n?.cosine, n?.domain, n?.species, n?.name, n?.genome_id].map(cell).join('\t'),
    );
  }
  return `${lines.join('\n')}\n`;
}
