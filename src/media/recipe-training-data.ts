/**
 * Training data of the recipe CVAE, pure sql.js (Node and the database worker):
 * - every BacDive strain → medium pair (strain_growth, growth = 'yes') whose medium has a recipe in
 *   the vocabulary, conditioned on that strain: temperature, oxygen tolerance, pH and salinity from
 *   strain_conditions (condition-ranking.ts strainConditions; masks where unknown), the group from
 *   strains.domain, and the genome embedding of a genome linked to the strain (strain level, else
 *   species level; the mean when several) under the active genome VAE;
 * - every medium whose organism_group_hint is fungi/yeast or microalgae/protists, as one pair with
 *   only the group known (BacDive has no fungal or algal strains).
 * Evaluation holds out whole genera (genus-split.ts: a genus's side depends on its name and the
 * seed); fungal and protist media have no strains, so whole media are held out instead.
 */
import type { Database } from 'sql.js';
import { getActiveModelId, loadEmbeddings } from '../db/models';
import { genusOf, splitByGenus } from '../ml/genus-split';
import { mixSeed } from '../ml/random';
import { strainConditions } from './condition-ranking';
import type { MediaMatrix } from './media-vectors';
import { conditionDim, encodeCondition, groupOfDomain, groupOfHint, groupOneHot, ORGANISM_GROUPS, recipeConditionOf, type OrganismGroup, type RecipeCondition } from './recipe-conditions';

export interface RecipePair {
  mediumIndex: number;
  mediumId: string;
  group: OrganismGroup | null;
  /** BacDive strain id, null for the fungal/protist media pairs. */
  strainId: number | null;
  species: string | null;
  genus: string | null;
  condition: RecipeCondition;
  /** Held out for evaluation (genus split, or the medium for group-only pairs). */
  heldOut: boolean;
}

export interface RecipeTrainingData {
  pairs: RecipePair[];
  genomeDim: number;
  genomeModelId: string | null;
  /** rows × conditionDim(genomeDim). */
  conditions: Float32Array;
  mediumIndex: Int32Array;
  heldOutGenera: string[];
  counts: RecipeDataCounts;
}

export interface GroupCount {
  pairs: number;
  train: number;
  heldOut: number;
  media: number;
  strains: number;
  genera: number;
  withGenome: number;
  withTemperature: number;
  withOxygen: number;
  withPh: number;
  withSalinity: number;
}

export interface RecipeDataCounts {
  byGroup: Record<OrganismGroup, GroupCount>;
  /** strain_growth links skipped: medium without a vocabulary recipe, unknown domain. */
  skippedNoRecipe: number;
  skippedUnknownDomain: number;
}

export interface RecipeDataOptions {
  /** Share of genera (and group-only media) held out. @default 0.15 */
  valFraction?: number;
  seed?: number;
  /** Genome VAE whose embeddings condition the model (default: the active one; null = none). */
  genomeModelId?: string | null;
  /** Genome slot size when no genome model is used. @default 32 */
  genomeDim?: number;
}

function hashUnit(s: string, seed: number): number {
  const parts = [seed, 0x6d];
  for (let i = 0; i < s.length; i++) parts.push(s.charCodeAt(i));
  return mixSeed(...parts) / 0x7fffffff;
}

/** Media with at least one vocabulary ingredient. */
export function mediaWithRecipe(matrix: MediaMatrix): Uint8Array {
  const V = matrix.vocab.length;
  const out = new Uint8Array(matrix.mediumIds.length);
  for (let i = 0; i < out.length; i++) {
    if (!matrix.hasComposition[i]) continue;
    for (let j = 0; j < V; j++)
      if (matrix.present[i * V + j]) {
        out[i] = 1;
        break;
      }
  }
  return out;
}

/** strain id → mean embedding of the genomes linked to it (strain level, else species level). */
export function strainGenomeEmbeddings(db: Database, modelId: string): { dim: number; byStrain: Map<number, Float32Array> } {
  const emb = loadEmbeddings(db, modelId);
  const row = new Map<number, number>();
  emb.genomeIds.forEach((g, i) => row.set(g, i));
  const links = db.exec("SELECT strain_id, genome_id, level FROM genome_strain_links WHERE strain_id IS NOT NULL AND level IN ('strain', 'species') ORDER BY strain_id, genome_id")[0]?.values ?? [];
  const best = new Map<number, { level: string; genomes: number[] }>();
  for (const [s, g, level] of links) {
    const sid = Number(s);
    if (!row.has(Number(g))) continue;
    const b = best.get(sid);
    if (!b || (b.level === 'species' && level === 'strain')) best.set(sid, { level: String(level), genomes: [Number(g)] });
    else if (b.level === level) b.genomes.push(Number(g));
  }
  const byStrain = new Map<number, Float32Array>();
  for (const [sid, b] of best) {
    const v = new Float32Array(emb.dim);
    for (const g of b.genomes) {
      const r = row.get(g)!;
      for (let d = 0; d < emb.dim; d++) v[d] += emb.vectors[r * emb.dim + d] / b.genomes.length;
    }
    byStrain.set(sid, v);
  }
  return { dim: emb.dim, byStrain };
}

export function loadRecipeTrainingData(db: Database, matrix: MediaMatrix, options: RecipeDataOptions = {}): RecipeTrainingData {
  const valFraction = options.valFraction ?? 0.15;
  const seed = options.seed ?? 42;
  const genomeModelId = options.genomeModelId === undefined ? getActiveModelId(db) : options.genomeModelId;
  const genomes = genomeModelId ? strainGenomeEmbeddings(db, genomeModelId) : { dim: options.genomeDim ?? 32, byStrain: new Map<number, Float32Array>() };
  const genomeDim = genomes.dim;
  const hasRecipe = mediaWithRecipe(matrix);
  const mediumRow = new Map(matrix.mediumIds.map((id, i) => [id, i]));
  const conditions = strainConditions(db);
  const pairs: RecipePair[] = [];
  let skippedNoRecipe = 0;
  let skippedUnknownDomain = 0;
  const rows = db.exec("SELECT sg.strain_id, s.species, s.domain, sg.medium_id FROM strain_growth sg JOIN strains s ON s.id = sg.strain_id WHERE sg.growth = 'yes' ORDER BY sg.strain_id, sg.medium_id")[0]?.values ?? [];
  for (const [sid, species, domain, medium] of rows) {
    const i = mediumRow.get(String(medium));
    if (i === undefined || !hasRecipe[i]) {
      skippedNoRecipe++;
      continue;
    }
    const group = groupOfDomain(domain === null ? null : String(domain));
    if (group === null) {
      skippedUnknownDomain++;
      continue;
    }
    const strainId = Number(sid);
    const sp = species === null ? null : String(species);
    const c = conditions.get(strainId) ?? { temperatureC: null, oxygenTolerant: null, ph: null, salinityPct: null };
    pairs.push({ mediumIndex: i, mediumId: String(medium), group, strainId, species: sp, genus: genusOf(sp), condition: recipeConditionOf(c, group, genomes.byStrain.get(strainId) ?? null), heldOut: false });
  }
  const split = splitByGenus(pairs.map((p) => ({ key: String(p.strainId), species: p.species })), valFraction, seed);
  for (const k of split.val) pairs[k].heldOut = true;
  // Fungal and protist media: group only.
  const hints = new Map((db.exec('SELECT id, organism_group_hint FROM media')[0]?.values ?? []).map(([id, h]) => [String(id), h === null ? null : String(h)]));
  matrix.mediumIds.forEach((id, i) => {
    const group = groupOfHint(hints.get(id));
    if (!hasRecipe[i] || (group !== 'fungi' && group !== 'protists')) return;
    pairs.push({ mediumIndex: i, mediumId: id, group, strainId: null, species: null, genus: null, condition: { ...recipeConditionOf({}, group), group: groupOneHot(group) }, heldOut: hashUnit(id, seed) < valFraction });
  });
  const C = conditionDim(genomeDim);
  const cond = new Float32Array(pairs.length * C);
  pairs.forEach((p, r) => encodeCondition(p.condition, genomeDim, cond, r * C));
  const byGroup = Object.fromEntries(ORGANISM_GROUPS.map((g) => [g, countGroup(pairs.filter((p) => p.group === g))])) as Record<OrganismGroup, GroupCount>;
  return { pairs, genomeDim, genomeModelId, conditions: cond, mediumIndex: Int32Array.from(pairs, (p) => p.mediumIndex), heldOutGenera: split.valGroups, counts: { byGroup, skippedNoRecipe, skippedUnknownDomain } };
}

function countGroup(ps: RecipePair[]): GroupCount {
  const has = (f: (p: RecipePair) => boolean) => ps.filter(f).length;
  return {
    pairs: ps.length,
    train: has((p) => !p.heldOut),
    heldOut: has((p) => p.heldOut),
    media: new Set(ps.map((p) => p.mediumIndex)).size,
    strains: new Set(ps.filter((p) => p.strainId !== null).map((p) => p.strainId)).size,
    genera: new Set(ps.map((p) => p.genus).filter((g) => g !== null)).size,
    withGenome: has((p) => p.condition.genome !== null),
    withTemperature: has((p) => p.condition.temperatureC !== null),
    withOxygen: has((p) => p.condition.oxygenTolerance !== null),
    withPh: has((p) => p.condition.ph !== null),
    withSalinity: has((p) => p.condition.salinityPct !== null),
  };
}

/** The groups each curriculum phase trains on: bacteria → + archaea → + fungi → + protists. */
export const PHASE_GROUPS: readonly (readonly OrganismGroup[])[] = [['bacteria'], ['bacteria', 'archaea'], ['bacteria', 'archaea', 'fungi'], ['bacteria', 'archaea', 'fungi', 'protists']];

/**
 * Training rows of each phase: the training pairs of the phase's groups, each group repeated
 * (whole copies, then a deterministic part) until it is at least `minGroupShare` of the phase's
 * rows, so 88 fungal media are not drowned by 13,000 bacterial pairs.
 */
export function curriculumRows(pairs: readonly RecipePair[], minGroupShare: number): { rows: Int32Array[]; repeats: Record<OrganismGroup, number>[] } {
  const rows: Int32Array[] = [];
  const repeats: Record<OrganismGroup, number>[] = [];
  for (const groups of PHASE_GROUPS) {
    const by = new Map<OrganismGroup, number[]>(groups.map((g) => [g, []]));
    pairs.forEach((p, i) => {
      if (!p.heldOut && p.group && by.has(p.group)) by.get(p.group)!.push(i);
    });
    const total = [...by.values()].reduce((n, r) => n + r.length, 0);
    const rep = Object.fromEntries(ORGANISM_GROUPS.map((g) => [g, 0])) as Record<OrganismGroup, number>;
    const out: number[] = [];
    for (const g of groups) {
      const r = by.get(g)!;
      if (!r.length) continue;
      // share = k·n / (total − n + k·n) ≥ s  ⇔  k ≥ s·(total − n) / ((1 − s)·n)
      const k = Math.max(1, (minGroupShare * (total - r.length)) / ((1 - minGroupShare) * r.length));
      const want = Math.round(k * r.length);
      for (let i = 0; i < want; i++) out.push(r[i % r.length]);
      rep[g] = want / r.length;
    }
    rows.push(Int32Array.from(out));
    repeats.push(rep);
  }
  return { rows, repeats };
}
