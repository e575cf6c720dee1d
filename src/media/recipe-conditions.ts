/**
 * The condition vector of the recipe CVAE (src/ml/recipe-cvae.ts): what the generator is told about
 * the organism. Pure (no tfjs, no database), so the CLI, both workers and the UI slider share it.
 *
 * Layout (CONDITION_FIXED_DIM = 12 fixed slots, then the genome embedding):
 * | slot | value | when unknown |
 * |---|---|---|
 * | 0, 1 | (temperature °C − 30) / 20, mask | 0, 0 |
 * | 2, 3 | oxygen: +1 tolerant … −1 anaerobe (2·p − 1), mask | 0, 0 |
 * | 4, 5 | (pH − 7) / 2, mask | 0, 0 |
 * | 6, 7 | log1p(NaCl % w/v) / 2, mask | 0, 0 |
 * | 8–11 | organism group weights: bacteria, archaea, fungi, protists (one-hot; a mix when interpolated) | all 0 |
 * | 12 … 12+G−1 | genome embedding of the active genome VAE, L2-normalised | 0 |
 * | 12+G | genome mask | 0 |
 *
 * A mask bit is 1 when the value is known; the value slot is 0 when it is not, so the network can
 * tell "unknown" from "30 °C".
 */
import { AppError } from '../core/errors';
import type { DomainCall } from '../core/rrna-markers';
import type { GrowthConditions } from './media-api-types';

export const ORGANISM_GROUPS = ['bacteria', 'archaea', 'fungi', 'protists'] as const;
export type OrganismGroup = (typeof ORGANISM_GROUPS)[number];

/** Slots before the genome embedding. */
export const CONDITION_FIXED_DIM = 12;

export const CONDITION_SCALES = { temperatureCentre: 30, temperatureScale: 20, phCentre: 7, phScale: 2, salinityLogScale: 2 } as const;

/** What the generator is conditioned on. Every field may be unknown (null). */
export interface RecipeCondition {
  temperatureC: number | null;
  /** P(oxygen tolerant) in [0, 1]: 1 aerobe/facultative/microaerophile, 0 anaerobe; in between when interpolated. */
  oxygenTolerance: number | null;
  ph: number | null;
  /** NaCl, % w/v. */
  salinityPct: number | null;
  /** Group weights (sum 1), or null when the group is unknown. */
  group: Record<OrganismGroup, number> | null;
  /** Genome embedding (raw latent mean of the active genome VAE), or null without a genome. */
  genome: Float32Array | null;
}

export const UNKNOWN_CONDITION: Readonly<RecipeCondition> = Object.freeze({ temperatureC: null, oxygenTolerance: null, ph: null, salinityPct: null, group: null, genome: null });

export function conditionDim(genomeDim: number): number {
  return CONDITION_FIXED_DIM + genomeDim + 1;
}

export function groupOneHot(g: OrganismGroup | null): Record<OrganismGroup, number> | null {
  if (g === null) return null;
  return { bacteria: g === 'bacteria' ? 1 : 0, archaea: g === 'archaea' ? 1 : 0, fungi: g === 'fungi' ? 1 : 0, protists: g === 'protists' ? 1 : 0 };
}

/** The group with the largest weight, or null. */
export function mainGroup(c: Pick<RecipeCondition, 'group'>): OrganismGroup | null {
  if (!c.group) return null;
  let best: OrganismGroup | null = null;
  for (const g of ORGANISM_GROUPS) if (c.group[g] > 0 && (best === null || c.group[g] > c.group[best])) best = g;
  return best;
}

/** 'Bacteria' / 'Archaea' (strains.domain) or a genome's rRNA call → group. */
export function groupOfDomain(domain: string | null | undefined): OrganismGroup | null {
  const d = (domain ?? '').toLowerCase();
  if (d.startsWith('bacteri')) return 'bacteria';
  if (d.startsWith('archae')) return 'archaea';
  if (d.startsWith('fung') || d.startsWith('yeast')) return 'fungi';
  if (d.startsWith('protist') || d.startsWith('microalga') || d.startsWith('alga')) return 'protists';
  return null;
}

/** media.organism_group_hint ('fungi/yeast (keyword heuristic)', 'microalgae/protists (CCAP collection)', ...) → group. */
export function groupOfHint(hint: string | null | undefined): OrganismGroup | null {
  const h = (hint ?? '').toLowerCase();
  if (h.startsWith('fungi') || h.startsWith('yeast')) return 'fungi';
  if (h.startsWith('microalgae') || h.startsWith('protist')) return 'protists';
  if (h.startsWith('archaea')) return 'archaea';
  if (h.startsWith('bacteria')) return 'bacteria';
  return null;
}

/** GrowthConditions (the shared API type) + group + genome → RecipeCondition. */
export function recipeConditionOf(c: Partial<GrowthConditions>, group: OrganismGroup | null = null, genome: Float32Array | null = null): RecipeCondition {
  return {
    temperatureC: c.temperatureC ?? null,
    oxygenTolerance: c.oxygenTolerant === undefined || c.oxygenTolerant === null ? null : c.oxygenTolerant ? 1 : 0,
    ph: c.ph ?? null,
    salinityPct: c.salinityPct ?? null,
    group: groupOneHot(group),
    genome,
  };
}

/**
 * The domain a query's recipes are generated and scored for: its rRNA call, or without one (a draft
 * or MAG whose rRNA genes were not found) its predicted proteome's (predicted_conditions.proteome_domain),
 * as the media ranking does.
 */
export function recipeDomainOf(domainCall: DomainCall, proteomeDomain: 'bacteria' | 'archaea' | null | undefined): DomainCall {
  return domainCall !== 'unknown' ? domainCall : (proteomeDomain ?? 'unknown');
}

/**
 * The condition of a query genome, as the CLI and the app both build it: its conditions, the group
 * from its rRNA call (a eukaryote is a fungus or a protist, which the sequence alone cannot tell
 * apart: half each) and its genome embedding.
 */
export function recipeConditionForQuery(c: Partial<GrowthConditions>, domainCall: string | null | undefined, genome: Float32Array | null): RecipeCondition {
  const condition = recipeConditionOf(c, groupOfDomain(domainCall), genome);
  if (domainCall === 'eukarya') condition.group = { bacteria: 0, archaea: 0, fungi: 0.5, protists: 0.5 };
  return condition;
}

/** RecipeCondition → GrowthConditions (for `conditions_used`). */
export function growthConditionsOf(c: RecipeCondition): GrowthConditions {
  return { temperatureC: c.temperatureC, oxygenTolerant: c.oxygenTolerance === null ? null : c.oxygenTolerance >= 0.5, salinityPct: c.salinityPct, ph: c.ph };
}

const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);

/** Writes the condition vector of `c` into `out` at `offset` (a row of a batch matrix), or returns a new one. */
export function encodeCondition(c: RecipeCondition, genomeDim: number, out?: Float32Array, offset = 0): Float32Array {
  const dim = conditionDim(genomeDim);
  const v = out ?? new Float32Array(dim);
  if (v.length < offset + dim) throw new AppError('INTERNAL', `encodeCondition: room for ${v.length - offset} values, need ${dim}`);
  v.fill(0, offset, offset + dim);
  const S = CONDITION_SCALES;
  if (finite(c.temperatureC)) {
    v[offset] = (c.temperatureC - S.temperatureCentre) / S.temperatureScale;
    v[offset + 1] = 1;
  }
  if (finite(c.oxygenTolerance)) {
    v[offset + 2] = 2 * Math.min(1, Math.max(0, c.oxygenTolerance)) - 1;
    v[offset + 3] = 1;
  }
  if (finite(c.ph)) {
    v[offset + 4] = (c.ph - S.phCentre) / S.phScale;
    v[offset + 5] = 1;
  }
  if (finite(c.salinityPct)) {
    v[offset + 6] = Math.log1p(Math.max(0, c.salinityPct)) / S.salinityLogScale;
    v[offset + 7] = 1;
  }
  if (c.group) ORGANISM_GROUPS.forEach((g, i) => (v[offset + 8 + i] = c.group![g] ?? 0));
  if (c.genome && genomeDim > 0) {
    if (c.genome.length !== genomeDim) throw new AppError('BAD_OPTION', `the genome embedding has ${c.genome.length} dimensions, the recipe model expects ${genomeDim}`, 'embed the genome with the genome VAE the recipe model was trained with');
    let n = 0;
    for (let i = 0; i < genomeDim; i++) n += c.genome[i] * c.genome[i];
    n = Math.sqrt(n);
    if (n > 0 && Number.isFinite(n)) {
      for (let i = 0; i < genomeDim; i++) v[offset + CONDITION_FIXED_DIM + i] = c.genome[i] / n;
      v[offset + CONDITION_FIXED_DIM + genomeDim] = 1;
    }
  }
  return v;
}

/** The inverse of encodeCondition (a masked slot → null); the genome comes back L2-normalised. */
export function decodeCondition(v: ArrayLike<number>, genomeDim: number, offset = 0): RecipeCondition {
  const S = CONDITION_SCALES;
  const at = (i: number) => v[offset + i];
  const groupSum = ORGANISM_GROUPS.reduce((s, _, i) => s + at(8 + i), 0);
  return {
    temperatureC: at(1) > 0.5 ? at(0) * S.temperatureScale + S.temperatureCentre : null,
    oxygenTolerance: at(3) > 0.5 ? (at(2) + 1) / 2 : null,
    ph: at(5) > 0.5 ? at(4) * S.phScale + S.phCentre : null,
    salinityPct: at(7) > 0.5 ? Math.expm1(at(6) * S.salinityLogScale) : null,
    group: groupSum > 0 ? (Object.fromEntries(ORGANISM_GROUPS.map((g, i) => [g, at(8 + i)])) as Record<OrganismGroup, number>) : null,
    genome: genomeDim > 0 && at(CONDITION_FIXED_DIM + genomeDim) > 0.5 ? Float32Array.from({ length: genomeDim }, (_, i) => at(CONDITION_FIXED_DIM + i)) : null,
  };
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

/**
 * The condition a fraction t of the way from a to b (the app's interpolation slider; t is clamped
 * to [0, 1]). Each field known on both sides moves linearly (the oxygen tolerance as a probability,
 * the group as a mix of weights, the genome embedding element-wise, then re-normalised by
 * encodeCondition). A field known on one side only keeps that side's value for every t: the other
 * side has no opinion, and a fade to "unknown" would make the middle of the slider mean nothing.
 * Unknown on both sides stays unknown. t = 0 gives a, t = 1 gives b (where b knows the field).
 */
export function interpolateConditions(a: RecipeCondition, b: RecipeCondition, t: number): RecipeCondition {
  if (!Number.isFinite(t)) throw new AppError('BAD_OPTION', `interpolation t must be a number from 0 to 1, got ${t}`);
  const u = Math.min(1, Math.max(0, t));
  const num = (x: number | null, y: number | null): number | null => (finite(x) && finite(y) ? lerp(x, y, u) : finite(x) ? x : finite(y) ? y : null);
  let group: RecipeCondition['group'] = null;
  if (a.group && b.group) group = Object.fromEntries(ORGANISM_GROUPS.map((g) => [g, lerp(a.group![g], b.group![g], u)])) as Record<OrganismGroup, number>;
  else group = a.group ? { ...a.group } : b.group ? { ...b.group } : null;
  let genome: Float32Array | null = null;
  if (a.genome && b.genome) {
    if (a.genome.length !== b.genome.length) throw new AppError('BAD_OPTION', 'the two genome embeddings have different sizes');
    genome = Float32Array.from(a.genome, (x, i) => lerp(x, b.genome![i], u));
  } else genome = a.genome ? a.genome.slice() : b.genome ? b.genome.slice() : null;
  return {
    temperatureC: num(a.temperatureC, b.temperatureC),
    oxygenTolerance: num(a.oxygenTolerance, b.oxygenTolerance),
    ph: num(a.ph, b.ph),
    salinityPct: num(a.salinityPct, b.salinityPct),
    group,
    genome,
  };
}
