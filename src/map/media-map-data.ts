/**
 * The media map's data: every MediaDive medium as its ingredient vector (buildMediaMatrix: presence
 * and log1p amount per vocabulary entry, side by side), with what the map colours it by. Built in
 * the database worker; projected in the map worker. Pure sql.js.
 */
import type { Database } from 'sql.js';
import { buildMediaMatrix } from '../media/media-vectors';
import { categoricalColors, continuousColors, type Legend, type Rgb } from './colors';

export interface MediaMapData {
  mediumIds: string[];
  names: string[];
  /** 1 complex, 0 chemically defined, −1 unknown (media.is_complex). */
  complex: Int8Array;
  /** Middle of the pH range, NaN unknown. */
  ph: Float32Array;
  /** Index into groups (media.organism_group_hint, a keyword heuristic), −1 none. */
  group: Int32Array;
  groups: string[];
  /** 1 = has composition rows (a recipe). */
  hasComposition: Uint8Array;
  /** n × featureDim: presence (0/1) then log1p(g/L), per vocabulary entry. */
  features: Float32Array;
  featureDim: number;
  /** Vocabulary entries. */
  vocabulary: number;
}

export function mediaMapFromDb(db: Database): MediaMapData {
  const m = buildMediaMatrix(db);
  const n = m.mediumIds.length;
  const V = m.vocab.length;
  const features = new Float32Array(n * 2 * V);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < V; j++) {
      features[i * 2 * V + j] = m.present[i * V + j];
      features[i * 2 * V + V + j] = m.amount[i * V + j];
    }
  }
  const meta = new Map<string, [number, string | null]>();
  for (const [id, cx, hint] of db.exec('SELECT id, is_complex, organism_group_hint FROM media')[0]?.values ?? []) {
    meta.set(String(id), [cx === null ? -1 : Number(cx), hint === null ? null : String(hint)]);
  }
  const groups: string[] = [];
  const gIndex = new Map<string, number>();
  const complex = new Int8Array(n);
  const group = new Int32Array(n).fill(-1);
  m.mediumIds.forEach((id, i) => {
    const [cx, hint] = meta.get(id) ?? [-1, null];
    complex[i] = cx;
    if (hint) {
      // "bacteria (default; keyword heuristic)" → "bacteria"
      const g = hint.replace(/\s*\(.*\)\s*$/, '').trim() || hint;
      let gi = gIndex.get(g);
      if (gi === undefined) {
        gi = groups.push(g) - 1;
        gIndex.set(g, gi);
      }
      group[i] = gi;
    }
  });
  return { mediumIds: m.mediumIds, names: m.names, complex, ph: Float32Array.from(m.ph), group, groups, hasComposition: Uint8Array.from(m.hasComposition), features, featureDim: 2 * V, vocabulary: V };
}

export type MediaColorBy = 'complex' | 'group' | 'ph';
export const MEDIA_COLOR_BY: { id: MediaColorBy; label: string }[] = [
  { id: 'complex', label: 'Complex / defined' },
  { id: 'group', label: 'Organism group (keyword hint)' },
  { id: 'ph', label: 'pH' },
];

const COMPLEX_COLORS: Record<string, Rgb> = { complex: [140, 86, 75], 'chemically defined': [31, 119, 180] };

export function mediaColors(d: MediaMapData, by: MediaColorBy, out: Uint8Array): Legend {
  switch (by) {
    case 'complex':
      return categoricalColors(d.complex, (c) => (c === 1 ? 'complex' : 'chemically defined'), { title: 'Medium type', top: 2, order: 'code', fixed: COMPLEX_COLORS, missingLabel: 'type unknown' }, out);
    case 'group':
      return categoricalColors(d.group, (c) => d.groups[c], { title: 'Organism group (keyword hint)', top: 10, missingLabel: 'no hint' }, out);
    case 'ph':
      return continuousColors(d.ph, { title: 'pH', min: 2, max: 11, unit: '' }, out);
  }
}

/** Buffers of a MediaMapData (to transfer). */
export function mediaMapBuffers(d: MediaMapData): ArrayBuffer[] {
  return [d.complex, d.ph, d.group, d.hasComposition, d.features].map((a) => a.buffer as ArrayBuffer);
}
