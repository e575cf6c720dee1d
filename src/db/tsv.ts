/** Tab-separated files with one header line and no quoting (the shared MediaDive/BacDive/genome TSVs). */
import { AppError } from '../core/errors';

export interface Tsv {
  name: string;
  header: string[];
  rows: string[][];
  /** Column index by name. */
  col(column: string): number;
}

/**
 * Splits text into rows of cells. Blank lines are dropped; '\r' line ends are accepted.
 * Throws DATA_INVALID naming the file when a required column is missing or a row has the wrong
 * number of cells.
 */
export function parseTsv(name: string, text: string, required: readonly string[] = []): Tsv {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t');
  if (header.length === 1 && header[0] === '') {
    throw new AppError('DATA_INVALID', `${name}: the file is empty`, 'expected a tab-separated file with a header line');
  }
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new AppError('DATA_INVALID', `${name}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, `the header has: ${header.join(', ')}`);
  }
  const rows: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    const cells = line.split('\t');
    if (cells.length !== header.length) {
      throw new AppError('DATA_INVALID', `${name}: line ${i + 1} has ${cells.length} cells, the header has ${header.length}`);
    }
    rows.push(cells);
  }
  const index = new Map(header.map((h, i) => [h, i]));
  return {
    name,
    header,
    rows,
    col(column: string) {
      const i = index.get(column);
      if (i === undefined) throw new AppError('DATA_INVALID', `${name}: no column ${column}`);
      return i;
    },
  };
}

/** '' -> null, '3.5' -> 3.5, anything not a finite number -> null. */
export function num(cell: string | undefined): number | null {
  if (cell === undefined || cell.trim() === '') return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : null;
}

/** '' -> null, otherwise the text itself. */
export function text(cell: string | undefined): string | null {
  return cell === undefined || cell === '' ? null : cell;
}

/** A whole non-negative decimal integer, or null. */
export function int(cell: string | undefined): number | null {
  return cell !== undefined && /^\d+$/.test(cell) ? Number(cell) : null;
}
