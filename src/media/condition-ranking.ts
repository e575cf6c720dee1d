/**
 * The condition route of the media ranking: each medium is described by the growth conditions of
 * the BacDive strains grown on it, and a genome's (predicted) conditions are matched against them.
 * This is the route that reaches archaea, whose media are nearly genus-specific, so genome
 * neighbours of other genera rarely share them.
 *
 * score(medium | q) = Σ_strains K(strain, q) / (n_strains + PRIOR_STRAINS), with
 * K = exp(−ΔT² / 2σ_T²) · oxygen match · exp(−ΔpH² / 2σ_pH²) · salinity match, each factor 1 when
 * either side does not know that condition. The division by n + prior prefers media whose strains
 * consistently match over media that are merely popular.
 */
import type { Database } from 'sql.js';
import { genusOf } from '../ml/genus-split';
import type { RankedMedium } from './media-ranking';

export interface Conditions {
  /** Typical growth temperature, °C. */
  temperatureC: number | null;
  /** Tolerates oxygen (aerobe, facultative, microaerophile) or not (anaerobe). */
  oxygenTolerant: boolean | null;
  /** Growth pH (midpoint). */
  ph: number | null;
  /** NaCl, % w/v. */
  salinityPct: number | null;
}

export interface StrainConditionRow extends Conditions {
  strainId: number;
  genus: string | null;
  mediumId: string;
}

const numbers = (s: string) => [...s.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));

/** Midpoint of "37", "25-41", "06-09"; null when no number. */
export function midpointOf(value: string): number | null {
  const n = numbers(value.replace(/(\d)\s*-\s*(\d)/g, '$1 $2'));
  if (!n.length) return null;
  return n.length >= 2 ? (n[0] + n[1]) / 2 : n[0];
}

const TOLERANT = new Set(['aerobe', 'obligate aerobe', 'facultative anaerobe', 'facultative aerobe', 'microaerophile', 'aerotolerant', 'microaerotolerant']);
const INTOLERANT = new Set(['anaerobe', 'obligate anaerobe']);

export function oxygenTolerance(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  return TOLERANT.has(v) ? true : INTOLERANT.has(v) ? false : null;
}

/** The median of numbers (null for none). */
export const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Per-strain conditions from strain_conditions rows (temperature median, oxygen majority, pH median of positive growth rows). */
export function strainConditions(db: Database): Map<number, Conditions> {
  const acc = new Map<number, { t: number[]; o: boolean[]; ph: number[]; salt: number[] }>();
  for (const [sid, cond, value, kind, result] of db.exec('SELECT strain_id, condition, value, kind, test_result FROM strain_conditions')[0]?.values ?? []) {
    const id = Number(sid);
    const a = acc.get(id) ?? { t: [], o: [], ph: [], salt: [] };
    acc.set(id, a);
    const v = String(value);
    if (cond === 'temperature_growth_C') {
      const m = midpointOf(v);
      if (m !== null && m > -20 && m < 125) a.t.push(m);
    } else if (cond === 'oxygen_tolerance') {
      const o = oxygenTolerance(v);
      if (o !== null) a.o.push(o);
    } else if (cond === 'pH' && (result === null || result === 'positive')) {
      const m = midpointOf(v);
      if (m !== null && m > 0 && m < 14) a.ph.push(m);
    } else if (cond === 'salt_concentration' && String(kind ?? '').includes('%')) {
      const m = midpointOf(v);
      if (m !== null && m >= 0 && m < 40) a.salt.push(m);
    }
  }
  const out = new Map<number, Conditions>();
  for (const [id, a] of acc) {
    const tolerant = a.o.filter(Boolean).length;
    out.set(id, {
      temperatureC: median(a.t),
      oxygenTolerant: a.o.length ? tolerant * 2 >= a.o.length : null,
      ph: median(a.ph),
      salinityPct: median(a.salt),
    });
  }
  return out;
}

/** strain → medium links with the strain's conditions (strains without any condition are skipped). */
export function loadStrainMediumConditions(db: Database, byStrain = strainConditions(db)): StrainConditionRow[] {
  const out: StrainConditionRow[] = [];
  for (const [sid, species, medium] of db.exec("SELECT sg.strain_id, s.species, sg.medium_id FROM strain_growth sg JOIN strains s ON s.id = sg.strain_id WHERE sg.growth = 'yes'")[0]?.values ?? []) {
    const c = byStrain.get(Number(sid));
    if (!c) continue;
    out.push({ strainId: Number(sid), genus: genusOf(species === null ? null : String(species)), mediumId: String(medium), ...c });
  }
  return out;
}

export interface ConditionKernel {
  sigmaTemperatureC: number;
  sigmaPh: number;
  /** Factor for a strain of the other oxygen class. */
  oxygenMismatch: number;
  /** Salinity: strains more than this apart (% NaCl, log scale) get `salinityMismatch`. */
  sigmaLogSalinity: number;
  priorStrains: number;
}

export const CONDITION_KERNEL: ConditionKernel = { sigmaTemperatureC: 6, sigmaPh: 1, oxygenMismatch: 0.1, sigmaLogSalinity: 0.8, priorStrains: 2 };

export function conditionMatch(s: Conditions, q: Conditions, k: ConditionKernel = CONDITION_KERNEL): number {
  let w = 1;
  if (s.temperatureC !== null && q.temperatureC !== null) w *= Math.exp(-((s.temperatureC - q.temperatureC) ** 2) / (2 * k.sigmaTemperatureC ** 2));
  if (s.oxygenTolerant !== null && q.oxygenTolerant !== null && s.oxygenTolerant !== q.oxygenTolerant) w *= k.oxygenMismatch;
  if (s.ph !== null && q.ph !== null) w *= Math.exp(-((s.ph - q.ph) ** 2) / (2 * k.sigmaPh ** 2));
  if (s.salinityPct !== null && q.salinityPct !== null) {
    const d = Math.log1p(s.salinityPct) - Math.log1p(q.salinityPct);
    w *= Math.exp(-(d * d) / (2 * k.sigmaLogSalinity ** 2));
  }
  return w;
}

/** Media ranked by how well their strains' conditions match `q` (strains of `excludeGenus` left out). */
export function rankByConditions(rows: StrainConditionRow[], q: Conditions, excludeGenus: string | null, k: ConditionKernel = CONDITION_KERNEL): RankedMedium[] {
  const sum = new Map<string, number>();
  const n = new Map<string, number>();
  for (const r of rows) {
    if (excludeGenus && r.genus === excludeGenus) continue;
    sum.set(r.mediumId, (sum.get(r.mediumId) ?? 0) + conditionMatch(r, q, k));
    n.set(r.mediumId, (n.get(r.mediumId) ?? 0) + 1);
  }
  return [...sum]
    .map(([mediumId, s]) => ({ mediumId, score: s / (n.get(mediumId)! + k.priorStrains) }))
    .sort((a, b) => b.score - a.score || (a.mediumId < b.mediumId ? -1 : a.mediumId > b.mediumId ? 1 : 0));
}

/** The conditions of a genome's linked strains (strain level first, else species level), or null. */
export function genomeConditions(db: Database, genomeId: number, byStrain: Map<number, Conditions>): Conditions | null {
  const links = db.exec("SELECT strain_id, level FROM genome_strain_links WHERE genome_id = ? AND strain_id IS NOT NULL ORDER BY CASE level WHEN 'strain' THEN 0 WHEN 'species' THEN 1 ELSE 2 END", [genomeId])[0]?.values ?? [];
  const best = links.filter(([, l]) => l === links[0]?.[1]).map(([s]) => byStrain.get(Number(s))).filter((c): c is Conditions => !!c);
  if (!best.length) return null;
  const pick = <K extends keyof Conditions>(key: K) => best.map((c) => c[key]).filter((x) => x !== null) as NonNullable<Conditions[K]>[];
  const t = pick('temperatureC') as number[];
  const o = pick('oxygenTolerant') as boolean[];
  const ph = pick('ph') as number[];
  const salt = pick('salinityPct') as number[];
  return { temperatureC: median(t), oxygenTolerant: o.length ? o.filter(Boolean).length * 2 >= o.length : null, ph: median(ph), salinityPct: median(salt) };
}
