/**
 * Selections on the map and the TSV files made from them. Pure.
 */
import { LINK_LEVELS, ORGANISM_TYPES, type MapGenomes } from './map-data';
import { showControls } from '../core/untrusted-text';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Rows whose (x, y) lies in the box (corners in any order), ascending. */
export function selectInBox(coords: Float32Array, box: Box, n = coords.length / 2): Uint32Array {
  const xa = Math.min(box.x0, box.x1), xb = Math.max(box.x0, box.x1);
  const ya = Math.min(box.y0, box.y1), yb = Math.max(box.y0, box.y1);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = coords[i * 2], y = coords[i * 2 + 1];
    if (x >= xa && x <= xb && y >= ya && y <= yb) count++;
  }
  const out = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = coords[i * 2], y = coords[i * 2 + 1];
    if (x >= xa && x <= xb && y >= ya && y <= yb) out[k++] = i;
  }
  return out;
}

/** A TSV cell: tabs and newlines become spaces. */
export const tsvCell = (v: unknown): string => (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : showControls(String(v).replace(/[\t\r\n]+/g, ' ')));

export const SELECTION_COLUMNS = ['genome_id', 'name', 'species', 'organism_type', 'record_type', 'gc_percent', 'length_bp', 'link_level', 'linked_medium_id', 'linked_medium', 'origin', 'x', 'y'] as const;

/** The rows `rows` as TSV (header + one line each, '\n' line ends). */
export function genomesTsv(m: MapGenomes, coords: Float32Array, rows: ArrayLike<number>): string {
  const lines = [SELECTION_COLUMNS.join('\t')];
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const med = m.medium[i];
    lines.push(
      [
        m.genomeIds[i],
        m.names[i],
        m.species[i],
        ORGANISM_TYPES[m.organismType[i]],
        m.recordTypes[m.recordType[i]],
        Number.isNaN(m.gcFraction[i]) ? null : (m.gcFraction[i] * 100).toFixed(2),
        m.lengthBp[i],
        LINK_LEVELS[m.linkLevel[i]],
        med >= 0 ? m.mediumIds[med] : null,
        med >= 0 ? m.mediumNames[med] : null,
        m.user[i] ? 'user' : 'bundled',
        coords[i * 2].toFixed(5),
        coords[i * 2 + 1].toFixed(5),
      ]
        .map(tsvCell)
        .join('\t'),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The whole projection as TSV: genome_id, name, x, y (method and model in a comment line). */
export function projectionTsv(m: MapGenomes, coords: Float32Array, method: string): string {
  const lines = [`# MediaForge latent map: ${method} of the embeddings of model ${m.modelId} (${m.genomeIds.length} genomes and records)`, 'genome_id\tname\tx\ty'];
  for (let i = 0; i < m.genomeIds.length; i++) lines.push([m.genomeIds[i], tsvCell(m.names[i]), coords[i * 2].toFixed(5), coords[i * 2 + 1].toFixed(5)].join('\t'));
  return `${lines.join('\n')}\n`;
}

/** Rows whose name contains every word of the query (case-insensitive), best (shortest name, prefix) first. */
export function searchNames(names: readonly string[], query: string, limit = 8): number[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const hits: { i: number; score: number }[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i].toLowerCase();
    if (!words.every((w) => name.includes(w))) continue;
    hits.push({ i, score: (name.startsWith(words[0]) ? 0 : 1000) + name.length });
  }
  hits.sort((a, b) => a.score - b.score || a.i - b.i);
  return hits.slice(0, limit).map((h) => h.i);
}
