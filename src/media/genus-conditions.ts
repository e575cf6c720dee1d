/**
 * Growth conditions of a genus from its BacDive strains (rule 13): the oxygen tolerance (the
 * majority of its labelled strains, when enough of them agree) and the pH (their median, with the
 * 10th–90th percentile as its interval). Used for a genome whose 16S rRNA identifies its genus,
 * where the phenotype model's oxygen call is close to a domain call and it gives no pH. Pure logic
 * over the database's strain_conditions; runs wherever the recommendation context is built.
 */
import type { Database } from 'sql.js';
import { genusOf } from '../ml/genus-split';
import { median, strainConditions, type Conditions } from './condition-ranking';
import { majorityClass, OXYGEN_CATEGORIES, type OxygenClass } from './phenotype-labels';

/** One BacDive strain with an oxygen label or a pH. */
export interface GenusStrain {
  strainId: number;
  /** Its oxygen class (the majority of its rows), or null. */
  oxygen: OxygenClass | null;
  /** Median of its positive pH rows' midpoints, or null. */
  ph: number | null;
}

/** A genus needs this many labelled strains to give a condition. */
export const GENUS_CONDITION_MIN_STRAINS = 3;
/** The share of its labelled strains that must agree on oxygen tolerance. */
export const GENUS_OXYGEN_AGREEMENT = 2 / 3;

/** What a genus's strains say: null where too few strains have the label (or too few agree). */
export interface GenusConditionEstimate {
  oxygen: { tolerant: boolean; class: OxygenClass; strains: number; agreeing: number } | null;
  ph: { value: number; low: number; high: number; strains: number } | null;
}

/**
 * Every BacDive strain with an oxygen label or a pH, by genus. The pH is strainConditions' (the one
 * the condition route reads); the oxygen class comes from the strain's oxygen_tolerance rows.
 */
export function genusStrainConditions(db: Database, byStrain: ReadonlyMap<number, Conditions> = strainConditions(db)): Map<string, GenusStrain[]> {
  const classes = new Map<number, OxygenClass[]>();
  for (const [sid, value] of db.exec("SELECT strain_id, value FROM strain_conditions WHERE condition = 'oxygen_tolerance'")[0]?.values ?? []) {
    const c = OXYGEN_CATEGORIES[String(value).trim().toLowerCase()];
    if (!c) continue;
    const id = Number(sid);
    const list = classes.get(id);
    if (list) list.push(c.class);
    else classes.set(id, [c.class]);
  }
  const out = new Map<string, GenusStrain[]>();
  for (const [sid, species] of db.exec('SELECT id, species FROM strains')[0]?.values ?? []) {
    const strainId = Number(sid);
    const oxygen = majorityClass(classes.get(strainId) ?? []);
    const ph = byStrain.get(strainId)?.ph ?? null;
    const genus = genusOf(species === null ? null : String(species));
    if (!genus || (oxygen === null && ph === null)) continue;
    let list = out.get(genus);
    if (!list) out.set(genus, (list = []));
    list.push({ strainId, oxygen, ph });
  }
  return out;
}

const quantile = (sorted: readonly number[], q: number) => {
  const x = q * (sorted.length - 1);
  const i = Math.floor(x);
  return i + 1 < sorted.length ? sorted[i] + (x - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
};

/** The conditions the strains of a genus give (the dropped strains left out). */
export function estimateGenusConditions(strains: readonly GenusStrain[], dropStrains: ReadonlySet<number> = new Set()): GenusConditionEstimate {
  const kept = strains.filter((s) => !dropStrains.has(s.strainId));
  const classes = kept.map((s) => s.oxygen).filter((c): c is OxygenClass => c !== null);
  const tolerant = classes.filter((c) => c !== 'anaerobe').length;
  const agreeing = Math.max(tolerant, classes.length - tolerant);
  let oxygen: GenusConditionEstimate['oxygen'] = null;
  if (classes.length >= GENUS_CONDITION_MIN_STRAINS && agreeing >= GENUS_OXYGEN_AGREEMENT * classes.length) {
    const isTolerant = tolerant * 2 >= classes.length;
    const side = classes.filter((c) => (c !== 'anaerobe') === isTolerant);
    oxygen = { tolerant: isTolerant, class: majorityClass(side)!, strains: classes.length, agreeing };
  }
  const phs = kept.map((s) => s.ph).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const ph = phs.length >= GENUS_CONDITION_MIN_STRAINS ? { value: median(phs)!, low: quantile(phs, 0.1), high: quantile(phs, 0.9), strains: phs.length } : null;
  return { oxygen, ph };
}
