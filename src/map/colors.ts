/**
 * Colour scales of the latent and media maps: categorical (domain, genus top-N + other, linked
 * medium, link level, origin, complex/defined, organism group) and continuous (GC, pH). Each scale
 * writes RGBA into one Uint8Array (n × 4) for deck.gl's binary colour attribute, and returns the
 * legend (label, colour, count). Pure.
 */
import { LINK_LEVELS, ORGANISM_TYPES, type MapGenomes } from './map-data';

export type Rgb = readonly [number, number, number];

export interface LegendItem {
  label: string;
  color: Rgb;
  count: number;
}

export interface Legend {
  title: string;
  kind: 'categorical' | 'continuous';
  items: LegendItem[];
  /** Continuous scales: the value range and a few stops (for a gradient bar). */
  range?: { min: number; max: number; unit: string; stops: readonly Rgb[] };
}

/** Tableau-10-like categorical colours, then grey for "other". */
export const CATEGORY_COLORS: readonly Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [188, 189, 34], [23, 190, 207], [174, 199, 232],
  [255, 187, 120], [152, 223, 138],
];
export const OTHER_COLOR: Rgb = [170, 170, 170];
export const UNKNOWN_COLOR: Rgb = [205, 205, 205];

const DOMAIN_COLORS: Record<string, Rgb> = {
  bacteria: [31, 119, 180],
  archaea: [214, 39, 40],
  fungi: [148, 103, 189],
  protist: [140, 86, 75],
  virus: [44, 160, 44],
  plasmid: [255, 127, 14],
  metagenome: [23, 190, 207],
  unknown: UNKNOWN_COLOR,
};

/** Viridis, 9 stops. */
export const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [253, 231, 37],
];

export function rampColor(t: number, stops: readonly Rgb[] = VIRIDIS): Rgb {
  if (!Number.isFinite(t)) return UNKNOWN_COLOR;
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i], b = stops[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

function put(out: Uint8Array, i: number, c: Rgb, alpha: number): void {
  out[i * 4] = c[0];
  out[i * 4 + 1] = c[1];
  out[i * 4 + 2] = c[2];
  out[i * 4 + 3] = alpha;
}

/**
 * Colours n points by a category code per point: the `top` most frequent codes get their own
 * colour (or `fixed[label]`), the rest "other"; `missing` codes (e.g. −1) are "none".
 */
export function categoricalColors(
  codes: ArrayLike<number>,
  labelOf: (code: number) => string,
  options: { title: string; top?: number; fixed?: Record<string, Rgb>; missingLabel?: string; alpha?: number; order?: 'count' | 'code' } ,
  out: Uint8Array = new Uint8Array(codes.length * 4),
): Legend {
  const { top = 10, fixed, missingLabel = 'none', alpha = 210, order = 'count' } = options;
  const counts = new Map<number, number>();
  for (let i = 0; i < codes.length; i++) counts.set(codes[i], (counts.get(codes[i]) ?? 0) + 1);
  const ranked = [...counts.entries()].filter(([c]) => c >= 0).sort((a, b) => (order === 'code' ? a[0] - b[0] : b[1] - a[1] || a[0] - b[0]));
  const shown = ranked.slice(0, top);
  const colorOf = new Map<number, Rgb>();
  let next = 0;
  const items: LegendItem[] = shown.map(([code, count]) => {
    const label = labelOf(code);
    const color = fixed?.[label] ?? CATEGORY_COLORS[next++ % CATEGORY_COLORS.length];
    colorOf.set(code, color);
    return { label, color, count };
  });
  const otherCount = ranked.slice(top).reduce((s, [, c]) => s + c, 0);
  if (otherCount) items.push({ label: `other (${ranked.length - top})`, color: OTHER_COLOR, count: otherCount });
  const missing = [...counts.entries()].filter(([c]) => c < 0).reduce((s, [, c]) => s + c, 0);
  if (missing) items.push({ label: missingLabel, color: UNKNOWN_COLOR, count: missing });
  for (let i = 0; i < codes.length; i++) put(out, i, codes[i] < 0 ? UNKNOWN_COLOR : (colorOf.get(codes[i]) ?? OTHER_COLOR), alpha);
  return { title: options.title, kind: 'categorical', items };
}

/** Colours by a number per point on a ramp between `min` and `max` (NaN: unknown, light grey). */
export function continuousColors(values: ArrayLike<number>, options: { title: string; min: number; max: number; unit: string; scale?: number; alpha?: number }, out: Uint8Array = new Uint8Array(values.length * 4)): Legend {
  const { min, max, alpha = 210 } = options;
  let unknown = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) unknown++;
    put(out, i, rampColor((v - min) / (max - min || 1)), alpha);
  }
  const items: LegendItem[] = [];
  if (unknown) items.push({ label: 'unknown', color: UNKNOWN_COLOR, count: unknown });
  return { title: options.title, kind: 'continuous', items, range: { min, max, unit: options.unit, stops: VIRIDIS } };
}

/** The first word of a species name ("Escherichia coli" → "Escherichia"); "unknown" for none. */
export function genusOfName(species: string | null): string {
  const w = species?.trim().split(/\s+/)[0] ?? '';
  if (!w || /^(unknown|various|uncultured|candidatus)$/i.test(w) || w.startsWith('(')) return 'unknown';
  return w.replace(/^\[|\]$/g, '');
}

export type GenomeColorBy = 'domain' | 'gc' | 'genus' | 'medium' | 'link' | 'origin';
export const GENOME_COLOR_BY: { id: GenomeColorBy; label: string }[] = [
  { id: 'domain', label: 'Domain / organism type' },
  { id: 'gc', label: 'GC %' },
  { id: 'genus', label: 'Genus (top 10)' },
  { id: 'medium', label: 'Linked medium (top 10)' },
  { id: 'link', label: 'Link level' },
  { id: 'origin', label: 'Added by you / bundled' },
];

/** Genus codes per point (index into `genera`), computed once per data set. */
export function genusCodes(species: readonly (string | null)[]): { codes: Int32Array; genera: string[] } {
  const index = new Map<string, number>();
  const genera: string[] = [];
  const codes = new Int32Array(species.length);
  species.forEach((s, i) => {
    const g = genusOfName(s);
    let c = index.get(g);
    if (c === undefined) {
      c = genera.push(g) - 1;
      index.set(g, c);
    }
    codes[i] = g === 'unknown' ? -1 : c;
  });
  return { codes, genera };
}

/** Writes the colours of the genome map for one colouring into `out` (n × 4) and returns the legend. */
export function genomeColors(m: MapGenomes, by: GenomeColorBy, out: Uint8Array, genus?: { codes: Int32Array; genera: string[] }): Legend {
  switch (by) {
    case 'domain':
      return categoricalColors(m.organismType, (c) => ORGANISM_TYPES[c], { title: 'Domain / organism type', top: ORGANISM_TYPES.length, fixed: DOMAIN_COLORS }, out);
    case 'gc':
      return continuousColors(Float32Array.from(m.gcFraction, (g) => g * 100), { title: 'GC %', min: 25, max: 75, unit: '%' }, out);
    case 'genus': {
      const g = genus ?? genusCodes(m.species);
      return categoricalColors(g.codes, (c) => g.genera[c], { title: 'Genus', top: 10, missingLabel: 'unknown genus' }, out);
    }
    case 'medium':
      return categoricalColors(m.medium, (c) => `${m.mediumIds[c]}: ${m.mediumNames[c]}`, { title: 'Most confident linked medium', top: 10, missingLabel: 'no linked medium' }, out);
    case 'link':
      return categoricalColors(m.linkLevel, (c) => LINK_LEVELS[c], {
        title: 'Link level',
        top: 4,
        order: 'code',
        fixed: { none: UNKNOWN_COLOR, genus: [253, 174, 97], species: [116, 173, 209], strain: [26, 152, 80] },
      }, out);
    case 'origin':
      return categoricalColors(m.user, (c) => (c ? 'added by you' : 'bundled'), { title: 'Origin', top: 2, order: 'code', fixed: { bundled: [160, 174, 192], 'added by you': [230, 85, 13] } }, out);
  }
}
