/**
 * Growth-condition labels of genomes, for the phenotype models (phenotype-model.ts): the BacDive
 * conditions (strain_conditions) of the strains a genome is linked to, reduced to one value per
 * condition. Pure sql.js: Node and the database worker alike.
 *
 * Which strains (per condition):
 * - genomes with links in genome_strain_links: the strain-level strains when any of them has the
 *   condition, else the species-level strains. Genus-level links are NOT used (every strain of a
 *   genus says little about one genome's conditions).
 * - collection records that are whole chromosomes (record_type 'chromosome', stored without links):
 *   linked here, in memory, with the linking rules of src/db/link.ts (`proposeLinks` over the
 *   species name, strain text and header; strain and species level kept, genus dropped).
 * Each strain gives one value (rules below); a genome's label is the median over its strains
 * (oxygen: the majority class), with the level used and the number of strains.
 *
 * Rules per strain (BacDive as exported in strain_conditions.tsv; see /shared/data/mediadive/README.md):
 * - temperature_growth_C: the export does not say growth range or optimum. Single values are the
 *   temperatures a strain was cultivated or found optimal at (e.g. E. coli "10-41; 30; 37",
 *   Aeropyrum "70-100; 90"), while ranges are growth ranges, whose midpoint is biased by a long
 *   cold tail (E. coli 25.5). So: the median of the single values; the median of the range
 *   midpoints only when there is no single value. Open bounds ("<5") are ignored; values outside
 *   −20..125 °C are dropped.
 * - oxygen_tolerance: every BacDive category maps to a class and to "tolerates O2" (OXYGEN_CATEGORIES).
 *   A strain's class is its most frequent one; a tie between anaerobe and a class that grows with
 *   O2 is facultative (a strain listed both aerobe and anaerobe is facultative in effect), other
 *   ties go to the first of facultative, aerobe, microaerophile.
 * - pH: rows of kind 'growth' (or 'optimum', preferred when present) whose test_result is
 *   'positive' (or empty): the median of range midpoints and single values, within 0..14.
 * - salt_concentration (% w/v NaCl): units from `kind` ('unit: %', '%(w/v)', 'M' ×5.844, 'g/L'
 *   ×0.1; a row whose kind lists units of different scales, e.g. '%|M', is ambiguous and skipped;
 *   '%|%(w/v)' is not). Values above 32 % (NaCl saturates near 31.7 % w/v) are dropped, e.g. the
 *   "32-37 %" of Nitrosopumilus, which is sea-water salinity in ‰. The export lost BacDive's
 *   growth/no-growth result and whether a value is a range, an optimum or a test, so:
 *   - a strain with ranges: the single values strictly inside all its ranges, when there are one
 *     or two, are its optimum (BacDive's usual "range 0-5, optimum 1"): their median; otherwise
 *     (none inside, or three or more: a test panel) the median of the range midpoints;
 *   - a strain with single values only: one or two distinct values are taken as its optimum (their
 *     median); three or more (the 0, 2, 4, 6, 8, 10 % tolerance panels, results unknown) give no label.
 */
import type { Database } from 'sql.js';
import { proposeLinks, storedGenomeLabels, type LinkLevel } from '../db/link';
import { buildStrainIndex, type StrainIndex } from '../db/strain-index';

export type OxygenClass = 'aerobe' | 'facultative' | 'microaerophile' | 'anaerobe';
export const OXYGEN_CLASSES: readonly OxygenClass[] = ['aerobe', 'facultative', 'microaerophile', 'anaerobe'];

/**
 * Every BacDive oxygen_tolerance category (the nine of the shared export) → class and whether the
 * organism tolerates O2 (the binary target: aerobes, facultatives and microaerophiles tolerate it,
 * as in GenomeSPOT; anaerobes do not).
 * - aerotolerant (an aerotolerant anaerobe: ferments, but grows in air) → facultative, tolerant;
 * - microaerotolerant (grows under reduced O2) → microaerophile, tolerant (as condition-ranking.ts).
 */
export const OXYGEN_CATEGORIES: Readonly<Record<string, { class: OxygenClass; tolerant: boolean }>> = {
  aerobe: { class: 'aerobe', tolerant: true },
  'obligate aerobe': { class: 'aerobe', tolerant: true },
  'facultative anaerobe': { class: 'facultative', tolerant: true },
  'facultative aerobe': { class: 'facultative', tolerant: true },
  aerotolerant: { class: 'facultative', tolerant: true },
  microaerophile: { class: 'microaerophile', tolerant: true },
  microaerotolerant: { class: 'microaerophile', tolerant: true },
  anaerobe: { class: 'anaerobe', tolerant: false },
  'obligate anaerobe': { class: 'anaerobe', tolerant: false },
};

/** Order in which tied oxygen votes are resolved. */
const OXYGEN_TIE_ORDER: readonly OxygenClass[] = ['facultative', 'aerobe', 'microaerophile', 'anaerobe'];

/** 1 M NaCl = 58.44 g/L = 5.844 % w/v. */
export const NACL_PCT_PER_MOLAR = 5.844;
/** NaCl saturates near 31.7 % w/v (35.9 g per 100 g water); larger values are unit mistakes. */
export const MAX_SALINITY_PCT = 32;

/** One strain_conditions row (as stored; `value` is BacDive's text, e.g. '25-41', '<2', 'aerobe'). */
export interface ConditionRow {
  condition: string;
  value: string;
  kind?: string | null;
  testResult?: string | null;
}

/** A BacDive value as a range: '25-41' → {min 25, max 41}; '37' → {37, 37}; '<2' → {null, 2}; text → null. */
export function parseConditionRange(value: string): { min: number | null; max: number | null } | null {
  const m = /^\s*([<>]=?)?\s*(-?\d+(?:\.\d+)?)\s*(?:-\s*(-?\d+(?:\.\d+)?))?\s*(?:°C|C|%)?\s*$/i.exec(value);
  if (!m) return null;
  const a = Number(m[2]);
  const b = m[3] !== undefined ? Number(m[3]) : a;
  if (m[1]?.startsWith('<')) return { min: null, max: a };
  if (m[1]?.startsWith('>')) return { min: a, max: null };
  return a <= b ? { min: a, max: b } : { min: b, max: a };
}

export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

interface Span {
  min: number;
  max: number;
}

function closedSpans(rows: readonly ConditionRow[], scale: (r: ConditionRow) => number | null = () => 1): Span[] {
  const out: Span[] = [];
  for (const r of rows) {
    const f = scale(r);
    if (f === null) continue;
    const p = parseConditionRange(r.value);
    if (!p || p.min === null || p.max === null) continue;
    out.push({ min: p.min * f, max: p.max * f });
  }
  return out;
}

const mid = (s: Span) => (s.min + s.max) / 2;

/** Typical growth temperature of one strain, °C (rule in the module comment), or null. */
export function strainTemperatureC(rows: readonly ConditionRow[]): number | null {
  const spans = closedSpans(rows.filter((r) => r.condition === 'temperature_growth_C')).filter((s) => s.min >= -20 && s.max <= 125);
  const singles = spans.filter((s) => s.min === s.max).map((s) => s.min);
  if (singles.length) return median(singles);
  return median(spans.map(mid));
}

/** Oxygen class of one strain (majority of its rows; unknown categories ignored), or null. */
export function strainOxygen(rows: readonly ConditionRow[]): { class: OxygenClass; tolerant: boolean } | null {
  const classes: OxygenClass[] = [];
  for (const r of rows) {
    if (r.condition !== 'oxygen_tolerance') continue;
    const c = OXYGEN_CATEGORIES[r.value.trim().toLowerCase()];
    if (c) classes.push(c.class);
  }
  const c = majorityClass(classes);
  return c ? { class: c, tolerant: c !== 'anaerobe' } : null;
}

/** The most frequent class, ties resolved in OXYGEN_TIE_ORDER; null for none. */
export function majorityClass(classes: readonly OxygenClass[]): OxygenClass | null {
  if (!classes.length) return null;
  const n = new Map<OxygenClass, number>();
  for (const c of classes) n.set(c, (n.get(c) ?? 0) + 1);
  const top = Math.max(...n.values());
  const tied = OXYGEN_TIE_ORDER.filter((c) => n.get(c) === top);
  // Tied between growing with O2 and without it: facultative in effect.
  if (tied.length > 1 && tied.includes('anaerobe')) return 'facultative';
  return tied[0];
}

/** Growth pH of one strain (midpoint of positive growth ranges; optimum rows preferred), or null. */
export function strainPh(rows: readonly ConditionRow[]): number | null {
  const positive = rows.filter((r) => r.condition === 'pH' && (!r.testResult || r.testResult.trim().toLowerCase() === 'positive'));
  const kind = (r: ConditionRow) => (r.kind ?? '').trim().toLowerCase();
  const optimum = positive.filter((r) => kind(r) === 'optimum');
  const use = optimum.length ? optimum : positive.filter((r) => kind(r) === '' || kind(r) === 'growth');
  const spans = closedSpans(use).filter((s) => s.min >= 0 && s.max <= 14);
  return median(spans.map(mid));
}

/**
 * Factor from a salt_concentration row's unit (`kind`, e.g. 'unit: %(w/v)', 'unit: M') to % w/v
 * NaCl; null when the unit is unknown or ambiguous ('unit: %|M': the values mix scales).
 */
export function salinityUnitFactor(kind: string | null | undefined): number | null {
  const units = (kind ?? '')
    .replace(/^\s*unit:\s*/i, '')
    .split('|')
    .map((u) => u.trim().toLowerCase().replace(/\s+/g, ''))
    .filter(Boolean);
  if (!units.length) return null;
  const factors = new Set<number>();
  for (const u of units) {
    if (u === '%' || u === '%(w/v)' || u === '%w/v') factors.add(1);
    else if (u === 'm' || u === 'mol/l') factors.add(NACL_PCT_PER_MOLAR);
    else if (u === 'g/l') factors.add(0.1);
    else return null;
  }
  return factors.size === 1 ? [...factors][0] : null;
}

/** NaCl % w/v of one strain (rule in the module comment), or null. */
export function strainSalinityPct(rows: readonly ConditionRow[]): number | null {
  const salt = rows.filter((r) => r.condition === 'salt_concentration');
  const spans = closedSpans(salt, (r) => salinityUnitFactor(r.kind)).filter((s) => s.min >= 0 && s.max <= MAX_SALINITY_PCT);
  const ranges = spans.filter((s) => s.max > s.min);
  const singles = [...new Set(spans.filter((s) => s.max === s.min).map((s) => s.min))];
  if (ranges.length) {
    const lo = Math.max(...ranges.map((s) => s.min));
    const hi = Math.min(...ranges.map((s) => s.max));
    const inside = singles.filter((v) => v > lo && v < hi);
    if (inside.length >= 1 && inside.length <= 2) return median(inside);
    return median(ranges.map(mid));
  }
  if (singles.length >= 1 && singles.length <= 2) return median(singles);
  return null;
}

export interface StrainPhenotype {
  temperatureC: number | null;
  oxygen: { class: OxygenClass; tolerant: boolean } | null;
  salinityPct: number | null;
  pH: number | null;
}

export function strainPhenotype(rows: readonly ConditionRow[]): StrainPhenotype {
  return { temperatureC: strainTemperatureC(rows), oxygen: strainOxygen(rows), salinityPct: strainSalinityPct(rows), pH: strainPh(rows) };
}

/** Which strains a label comes from. */
export type LabelLevel = Extract<LinkLevel, 'strain' | 'species'>;

export interface NumericLabel {
  value: number;
  level: LabelLevel;
  /** Strains with a value for this condition at that level. */
  strains: number;
}

export interface OxygenLabel {
  class: OxygenClass;
  tolerant: boolean;
  level: LabelLevel;
  strains: number;
}

export interface GenomeLinksForLabels {
  strain: readonly number[];
  species: readonly number[];
}

export interface PhenotypeLabels {
  temperatureC: NumericLabel | null;
  oxygen: OxygenLabel | null;
  salinityPct: NumericLabel | null;
  pH: NumericLabel | null;
}

/** A genome's labels from its strains' phenotypes (strain level when any has the condition, else species level). */
export function combineStrainPhenotypes(byLevel: { strain: readonly StrainPhenotype[]; species: readonly StrainPhenotype[] }): PhenotypeLabels {
  const numeric = (pick: (p: StrainPhenotype) => number | null): NumericLabel | null => {
    for (const level of ['strain', 'species'] as const) {
      const vs = byLevel[level].map(pick).filter((v): v is number => v !== null);
      if (vs.length) return { value: median(vs)!, level, strains: vs.length };
    }
    return null;
  };
  let oxygen: OxygenLabel | null = null;
  for (const level of ['strain', 'species'] as const) {
    const cs = byLevel[level].map((p) => p.oxygen?.class).filter((c): c is OxygenClass => !!c);
    const c = majorityClass(cs);
    if (c) {
      oxygen = { class: c, tolerant: c !== 'anaerobe', level, strains: cs.length };
      break;
    }
  }
  return {
    temperatureC: numeric((p) => p.temperatureC),
    oxygen,
    salinityPct: numeric((p) => p.salinityPct),
    pH: numeric((p) => p.pH),
  };
}

export type LabelDomain = 'bacteria' | 'archaea';

export interface GenomePhenotypeLabels extends PhenotypeLabels {
  genomeId: number;
  name: string;
  species: string | null;
  domain: LabelDomain;
  /** 'genome' (a whole file) or the collection record type ('chromosome'). */
  recordType: string;
  contentHash: string;
  /** 'database links' (genome_strain_links) or 'species name' (linked here, collection chromosomes). */
  linkedBy: 'database links' | 'species name';
}

export interface PhenotypeLabelOptions {
  /** Also label collection records that are whole chromosomes, linked by name here. @default true */
  collectionChromosomes?: boolean;
}

const CONDITIONS = ['temperature_growth_C', 'oxygen_tolerance', 'pH', 'salt_concentration'];

/** Rows of strain_conditions for the four conditions, by strain. */
function conditionRows(db: Database, strainIds: Iterable<number>): Map<number, ConditionRow[]> {
  const out = new Map<number, ConditionRow[]>();
  const stmt = db.prepare(
    `SELECT condition, value, kind, test_result FROM strain_conditions WHERE strain_id = ? AND condition IN (${CONDITIONS.map(() => '?').join(',')}) ORDER BY id`,
  );
  try {
    for (const id of strainIds) {
      if (out.has(id)) continue;
      const rows: ConditionRow[] = [];
      stmt.bind([id, ...CONDITIONS]);
      while (stmt.step()) {
        const [condition, value, kind, testResult] = stmt.get() as [string, string, string | null, string | null];
        rows.push({ condition, value, kind, testResult });
      }
      stmt.reset();
      out.set(id, rows);
    }
  } finally {
    stmt.free();
  }
  return out;
}

function hasAny(l: PhenotypeLabels): boolean {
  return !!(l.temperatureC || l.oxygen || l.salinityPct || l.pH);
}

/**
 * Labels of every bacterial or archaeal genome of the database that has at least one: genomes with
 * strain- or species-level links, and (by default) collection chromosome records linked by name.
 * Sorted by genome id.
 */
export function loadPhenotypeLabels(db: Database, options: PhenotypeLabelOptions = {}): GenomePhenotypeLabels[] {
  const withChromosomes = options.collectionChromosomes ?? true;
  const links = new Map<number, { strain: number[]; species: number[] }>();
  for (const [gid, sid, level] of db.exec("SELECT genome_id, strain_id, level FROM genome_strain_links WHERE level IN ('strain', 'species') ORDER BY genome_id, strain_id")[0]?.values ?? []) {
    const l = links.get(Number(gid)) ?? { strain: [], species: [] };
    l[level as LabelLevel].push(Number(sid));
    links.set(Number(gid), l);
  }
  const linkedBy = new Map<number, GenomePhenotypeLabels['linkedBy']>();
  for (const id of links.keys()) linkedBy.set(id, 'database links');

  if (withChromosomes) {
    let index: StrainIndex | null = null;
    const hasLinkRows = new Set((db.exec('SELECT DISTINCT genome_id FROM genome_strain_links')[0]?.values ?? []).map((r) => Number(r[0])));
    for (const [gid] of db.exec("SELECT id FROM genomes WHERE record_type = 'chromosome' AND record_id IS NOT NULL AND organism_type IN ('bacteria', 'archaea') ORDER BY id")[0]?.values ?? []) {
      const id = Number(gid);
      if (hasLinkRows.has(id)) continue; // its own links decide (used above; genus or a user's "none": no label)
      index ??= buildStrainIndex(db);
      const p = proposeLinks(index, storedGenomeLabels(db, id));
      const l = { strain: [] as number[], species: [] as number[] };
      for (const x of p.links) if (x.level === 'strain' || x.level === 'species') l[x.level].push(x.strainId);
      if (l.strain.length || l.species.length) {
        links.set(id, l);
        linkedBy.set(id, 'species name');
      }
    }
  }

  const allStrains = new Set<number>();
  for (const l of links.values()) for (const id of [...l.strain, ...l.species]) allStrains.add(id);
  const rows = conditionRows(db, [...allStrains].sort((a, b) => a - b));
  const phenotypes = new Map<number, StrainPhenotype>();
  for (const [id, r] of rows) phenotypes.set(id, strainPhenotype(r));

  const out: GenomePhenotypeLabels[] = [];
  const meta = db.prepare('SELECT name, species, organism_type, record_type, content_hash FROM genomes WHERE id = ?');
  try {
    for (const id of [...links.keys()].sort((a, b) => a - b)) {
      meta.bind([id]);
      if (!meta.step()) {
        meta.reset();
        continue;
      }
      const [name, species, type, recordType, hash] = meta.get() as [string, string | null, string, string, string];
      meta.reset();
      if (type !== 'bacteria' && type !== 'archaea') continue;
      const l = links.get(id)!;
      const labels = combineStrainPhenotypes({
        strain: l.strain.map((s) => phenotypes.get(s)!),
        species: l.species.map((s) => phenotypes.get(s)!),
      });
      if (!hasAny(labels)) continue;
      out.push({ genomeId: id, name, species, domain: type, recordType, contentHash: hash, linkedBy: linkedBy.get(id)!, ...labels });
    }
  } finally {
    meta.free();
  }
  return out;
}

export interface LabelCountRow {
  domain: LabelDomain | 'all';
  genomes: number;
  temperatureC: number;
  oxygen: number;
  salinityPct: number;
  pH: number;
  /** Labels (any condition) taken from strain-level links / species-level links. */
  strainLevel: number;
  speciesLevel: number;
}

/** How many genomes have each label, per domain and in all. */
export function countLabels(labels: readonly Pick<GenomePhenotypeLabels, 'domain' | 'temperatureC' | 'oxygen' | 'salinityPct' | 'pH'>[]): LabelCountRow[] {
  const rows: LabelCountRow[] = [];
  for (const domain of ['bacteria', 'archaea', 'all'] as const) {
    const ls = labels.filter((l) => domain === 'all' || l.domain === domain);
    const lv = (lvl: LabelLevel) => ls.reduce((n, l) => n + [l.temperatureC, l.oxygen, l.salinityPct, l.pH].filter((x) => x?.level === lvl).length, 0);
    rows.push({
      domain,
      genomes: ls.length,
      temperatureC: ls.filter((l) => l.temperatureC).length,
      oxygen: ls.filter((l) => l.oxygen).length,
      salinityPct: ls.filter((l) => l.salinityPct).length,
      pH: ls.filter((l) => l.pH).length,
      strainLevel: lv('strain'),
      speciesLevel: lv('species'),
    });
  }
  return rows;
}
