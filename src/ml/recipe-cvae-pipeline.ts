/**
 * From a growth database to a trained, evaluated recipe CVAE: the media matrix and training pairs
 * (src/media/recipe-training-data.ts), the curriculum (bacteria → + archaea → + fungi → + protists),
 * metrics after each phase per group on held-out genera, and the final evaluation (validity of
 * generated recipes; how often the nearest real medium of a generated recipe is a known medium of
 * the organism's genus, against the most-popular-medium baseline). Shared by `mediaforge train cvae`
 * (Node) and the ML worker (browser: the db worker builds the input, see ml-worker-api.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Database } from 'sql.js';
import { describeGeneratedRecipes, vocabFormulas } from '../media/generate-recipes';
import { buildMediaMatrix, type MediaMatrix } from '../media/media-vectors';
import { ORGANISM_GROUPS, type OrganismGroup } from '../media/recipe-conditions';
import { curriculumRows, loadRecipeTrainingData, type RecipeTrainingData } from '../media/recipe-training-data';
import { packForTransfer, unpackFromTransfer, type PackedValue } from '../comlink/pack-for-transfer';
import { mixSeed, permutation } from './random';
import { decodeRecipeVectors, exportCvaeWeights, PHASE_NAMES, trainRecipeCvae, type CvaeTrainHooks, type CvaeTrainResult, type RecipeCvae, type RecipeTrainSet } from './recipe-cvae';
import type { ResolvedRecipeCvaeConfig } from './recipe-cvae-config';
import { recipeModelIdFor, type RecipeCvaeModel } from './recipe-cvae-model';

export interface CvaeInput {
  matrix: MediaMatrix;
  data: RecipeTrainingData;
  formulas: (string | null)[];
}

/**
 * The training input on its way from the DB worker through the page to the ML worker: packed
 * (src/comlink/pack-for-transfer.ts) so the page moves buffers only, with what the page shows.
 */
export interface PackedCvaeInput {
  packed: PackedValue;
  summary: { vocabSize: number; genomeDim: number; train: number; heldOut: number };
}

export function packCvaeInput(input: CvaeInput): PackedCvaeInput {
  const heldOut = input.data.pairs.filter((p) => p.heldOut).length;
  return { packed: packForTransfer(input), summary: { vocabSize: input.matrix.vocab.length, genomeDim: input.data.genomeDim, train: input.data.pairs.length - heldOut, heldOut } };
}

export function unpackCvaeInput(p: PackedCvaeInput): CvaeInput {
  return unpackFromTransfer<CvaeInput>(p.packed);
}

/** Everything training needs, read from a database (matrix over the default vocabulary unless given). */
export function loadCvaeInput(db: Database, options: { valFraction?: number; seed?: number; vocab?: MediaMatrix['vocab'] } = {}): CvaeInput {
  const matrix = buildMediaMatrix(db, options.vocab ? { vocab: options.vocab } : {});
  const data = loadRecipeTrainingData(db, matrix, { valFraction: options.valFraction, seed: options.seed });
  return { matrix, data, formulas: vocabFormulas(db, matrix.vocab) };
}

export function trainSetOf(input: CvaeInput): RecipeTrainSet {
  return { V: input.matrix.vocab.length, present: input.matrix.present, amount: input.matrix.amount, mediumPh: input.matrix.ph, mediumIndex: input.data.mediumIndex, conditions: input.data.conditions };
}

// ---- metrics -----------------------------------------------------------------------------------

/** Area under the ROC curve of scores against 0/1 labels (ties share their average rank); NaN without both classes. */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]] > 0.5) {
      pos++;
      rankSum += rank;
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (!pos || !neg) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface GroupMetrics {
  group: OrganismGroup;
  /** Held-out pairs evaluated (whole genera; whole media for fungi and protists). */
  rows: number;
  /** Presence from the condition alone (z = 0, the prior mean), pooled over rows and ingredients. */
  presenceAuroc: number | null;
  presenceF1: number | null;
  precision: number | null;
  recall: number | null;
  /** |log1p(g/L) error| on the ingredients that have a final amount in the real medium. */
  amountMaeLog1p: number | null;
  phMae: number | null;
  /** Share of sampled recipes (z ~ N(0, I), one per row) passing every check. */
  validShare: number | null;
  note: string | null;
}

export interface PhaseMetrics {
  phase: number;
  name: string;
  /** Training rows of the phase (repeats of small groups included) and epochs so far. */
  trainRows: number;
  epochs: number;
  groups: GroupMetrics[];
}

const MIN_ROWS_FOR_METRICS = 20;

function heldOutRows(input: CvaeInput, group: OrganismGroup, max: number, seed: number): number[] {
  const rows = input.data.pairs.flatMap((p, i) => (p.heldOut && p.group === group ? [i] : []));
  if (rows.length <= max) return rows;
  const perm = permutation(rows.length, mixSeed(seed, 77));
  return Array.from(perm.subarray(0, max), (k) => rows[k]).sort((a, b) => a - b);
}

function conditionsOf(input: CvaeInput, rows: number[], C: number): Float32Array {
  const c = new Float32Array(rows.length * C);
  rows.forEach((r, i) => c.set(input.data.conditions.subarray(r * C, (r + 1) * C), i * C));
  return c;
}

/** Metrics of every group on its held-out rows (the phase's model). */
export function evaluateRecipeCvae(cvae: RecipeCvae, input: CvaeInput, options: { maxRows?: number; seed?: number } = {}): GroupMetrics[] {
  const maxRows = options.maxRows ?? 600;
  const seed = options.seed ?? cvae.config.seed;
  const V = cvae.config.vocabSize;
  const C = cvae.conditionDim;
  const th = cvae.config.presenceThreshold;
  const out: GroupMetrics[] = [];
  for (const group of ORGANISM_GROUPS) {
    const rows = heldOutRows(input, group, maxRows, seed);
    const n = rows.length;
    const empty: GroupMetrics = { group, rows: n, presenceAuroc: null, presenceF1: null, precision: null, recall: null, amountMaeLog1p: null, phMae: null, validShare: null, note: null };
    if (!n) {
      out.push({ ...empty, note: 'no held-out rows' });
      continue;
    }
    const cond = conditionsOf(input, rows, C);
    const prior = decodeRecipeVectors(cvae, new Float32Array(n * cvae.config.latentDim), cond, n);
    const labels = new Uint8Array(n * V);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let amountErr = 0;
    let amountN = 0;
    let phErr = 0;
    let phN = 0;
    rows.forEach((r, i) => {
      const m = input.data.pairs[r].mediumIndex;
      for (let j = 0; j < V; j++) {
        const y = input.matrix.present[m * V + j];
        labels[i * V + j] = y;
        const yhat = prior.presence[i * V + j] > th ? 1 : 0;
        if (y && yhat) tp++;
        else if (yhat) fp++;
        else if (y) fn++;
        const a = input.matrix.amount[m * V + j];
        if (y && a > 0) {
          amountErr += Math.abs(prior.amount[i * V + j] - a);
          amountN++;
        }
      }
      const ph = input.matrix.ph[m];
      if (Number.isFinite(ph)) {
        phErr += Math.abs(prior.ph[i] - ph);
        phN++;
      }
    });
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    // Validity of sampled recipes: one per held-out row (at most 200 rows).
    const vr = Math.min(n, 200);
    const z = tf.tidy(() => tf.randomNormal([vr, cvae.config.latentDim], 0, 1, 'float32', mixSeed(seed, 91, ORGANISM_GROUPS.indexOf(group))).dataSync() as Float32Array);
    const sampled = decodeRecipeVectors(cvae, z, cond.subarray(0, vr * C), vr);
    const recipes = describeGeneratedRecipes(input.matrix, sampled, { formulas: input.formulas, presenceThreshold: th });
    const note =
      n < MIN_ROWS_FOR_METRICS
        ? `only ${n} held-out ${group === 'fungi' || group === 'protists' ? 'media' : 'pairs'}: too few for reliable numbers`
        : group === 'fungi' || group === 'protists'
          ? `${group}: media with only the group known (no strains, no conditions): the metrics say how well the group alone predicts unseen ${group} media`
          : null;
    out.push({
      group,
      rows: n,
      presenceAuroc: round(auroc(prior.presence, labels)),
      presenceF1: round(precision + recall ? (2 * precision * recall) / (precision + recall) : 0),
      precision: round(precision),
      recall: round(recall),
      amountMaeLog1p: amountN ? round(amountErr / amountN) : null,
      phMae: phN ? round(phErr / phN) : null,
      validShare: round(recipes.filter((x) => x.valid).length / recipes.length),
      note,
    });
  }
  return out;
}

const round = (x: number, d = 4) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

export interface NearestInGenusMetrics {
  /** Held-out strains (whole genera) with a generated recipe: at most maxRows per group. */
  strains: number;
  genera: number;
  /** Share of generated recipes passing every check. */
  validShare: number;
  /** Nearest real medium of the generated recipe is a known medium of the strain's genus. */
  generatedHit: number;
  /** The most popular training medium of the strain's group is a known medium of its genus. */
  baselineHit: number;
  /** The same, averaged per genus (each genus weighs the same). */
  generatedHitPerGenus: number;
  baselineHitPerGenus: number;
  baselinePick: Record<string, string>;
  byGroup: Record<string, { strains: number; generatedHit: number; baselineHit: number; validShare: number }>;
}

/**
 * Held-out genera: for each strain (at most maxRows, a seeded subset), one recipe sampled under its
 * condition; a hit when the nearest real medium (weighted Jaccard) is grown on by a strain of the
 * same genus. Baseline: the medium with most training pairs in the strain's group.
 */
export function evaluateNearestInGenus(cvae: RecipeCvae, input: CvaeInput, options: { maxRows?: number; seed?: number; scale?: number; withConditionOnly?: boolean } = {}): NearestInGenusMetrics {
  const maxRows = options.maxRows ?? 1000;
  const scale = options.scale ?? cvae.config.sampleScale;
  const seed = options.seed ?? cvae.config.seed;
  const C = cvae.conditionDim;
  const pairs = input.data.pairs;
  const genusMedia = new Map<string, Set<string>>();
  for (const p of pairs) if (p.genus && p.heldOut) (genusMedia.get(p.genus) ?? genusMedia.set(p.genus, new Set()).get(p.genus)!).add(p.mediumId);
  const popular: Record<string, string> = {};
  for (const g of ['bacteria', 'archaea'] as const) {
    const count = new Map<string, number>();
    for (const p of pairs) if (!p.heldOut && p.group === g) count.set(p.mediumId, (count.get(p.mediumId) ?? 0) + 1);
    const best = [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (best) popular[g] = best[0];
  }
  const known = (p: (typeof pairs)[number]) => p.condition.temperatureC !== null || p.condition.oxygenTolerance !== null || p.condition.ph !== null || p.condition.salinityPct !== null || p.condition.genome !== null;
  // Every group on its own: at most maxRows held-out strains of each (a seeded subset), so the
  // 36 held-out archaea are not a sample of 15 among 2,700 bacteria.
  const rows: number[] = [];
  for (const g of ['bacteria', 'archaea'] as const) {
    const of = pairs.flatMap((p, i) => (p.heldOut && p.genus && p.group === g && (!options.withConditionOnly || known(p)) ? [i] : []));
    if (of.length <= maxRows) rows.push(...of);
    else {
      const perm = permutation(of.length, mixSeed(seed, 78, g === 'bacteria' ? 0 : 1));
      rows.push(...Array.from(perm.subarray(0, maxRows), (k) => of[k]).sort((a, b) => a - b));
    }
  }
  const n = rows.length;
  const empty = { strains: 0, genera: 0, validShare: NaN, generatedHit: NaN, baselineHit: NaN, generatedHitPerGenus: NaN, baselineHitPerGenus: NaN, baselinePick: popular, byGroup: {} };
  if (!n) return empty;
  const th = cvae.config.presenceThreshold;
  const byGenus = new Map<string, { n: number; gen: number; base: number }>();
  const byGroup: NearestInGenusMetrics['byGroup'] = {};
  let valid = 0;
  let gen = 0;
  let base = 0;
  const chunk = 256;
  for (let s = 0; s < n; s += chunk) {
    const part = rows.slice(s, s + chunk);
    const z = tf.tidy(() => tf.randomNormal([part.length, cvae.config.latentDim], 0, 1, 'float32', mixSeed(seed, 93, s)).mul(scale).dataSync() as Float32Array);
    const vec = decodeRecipeVectors(cvae, z, conditionsOf(input, part, C), part.length);
    const recipes = describeGeneratedRecipes(input.matrix, vec, { formulas: input.formulas, presenceThreshold: th });
    part.forEach((r, i) => {
      const p = pairs[r];
      const known = genusMedia.get(p.genus!)!;
      const ok = recipes[i].valid;
      const hit = recipes[i].nearest_medium_id !== null && known.has(recipes[i].nearest_medium_id!);
      const bhit = popular[p.group!] !== undefined && known.has(popular[p.group!]);
      valid += ok ? 1 : 0;
      gen += hit ? 1 : 0;
      base += bhit ? 1 : 0;
      const g = byGenus.get(p.genus!) ?? { n: 0, gen: 0, base: 0 };
      byGenus.set(p.genus!, { n: g.n + 1, gen: g.gen + (hit ? 1 : 0), base: g.base + (bhit ? 1 : 0) });
      const q = (byGroup[p.group!] ??= { strains: 0, generatedHit: 0, baselineHit: 0, validShare: 0 });
      q.strains++;
      q.generatedHit += hit ? 1 : 0;
      q.baselineHit += bhit ? 1 : 0;
      q.validShare += ok ? 1 : 0;
    });
  }
  for (const q of Object.values(byGroup)) {
    q.generatedHit = round(q.generatedHit / q.strains)!;
    q.baselineHit = round(q.baselineHit / q.strains)!;
    q.validShare = round(q.validShare / q.strains)!;
  }
  const gs = [...byGenus.values()];
  return {
    strains: n,
    genera: gs.length,
    validShare: round(valid / n)!,
    generatedHit: round(gen / n)!,
    baselineHit: round(base / n)!,
    generatedHitPerGenus: round(gs.reduce((a, g) => a + g.gen / g.n, 0) / gs.length)!,
    baselineHitPerGenus: round(gs.reduce((a, g) => a + g.base / g.n, 0) / gs.length)!,
    baselinePick: popular,
    byGroup,
  };
}

// ---- training ----------------------------------------------------------------------------------

export interface TrainRecipeOptions extends Omit<CvaeTrainHooks, 'onPhaseEnd'> {
  dataDescription: string;
  createdBy: string;
  createdAt?: string;
  /** Called with each phase's metrics. */
  onPhaseMetrics?: (m: PhaseMetrics) => void;
  /** Rows of the final nearest-medium evaluation. @default 1000 */
  evalRows?: number;
  /** Skip the final evaluation (tests). */
  skipFinalEvaluation?: boolean;
}

export interface TrainedRecipeModel {
  model: RecipeCvaeModel;
  result: CvaeTrainResult;
}

async function hashStrings(keys: string[]): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode([...keys].sort().join('\n')));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function trainRecipeModel(input: CvaeInput, config: ResolvedRecipeCvaeConfig, o: TrainRecipeOptions): Promise<TrainedRecipeModel> {
  const t0 = performance.now();
  const { rows, repeats } = curriculumRows(input.data.pairs, config.minGroupShare);
  const set = trainSetOf(input);
  const epochsUpTo = (p: number) => config.epochsPerPhase.slice(0, p + 1).reduce((a, b) => a + b, 0);
  const result = await trainRecipeCvae(config, set, rows, {
    ...o,
    onPhaseEnd: (phase, cvae) => {
      const m: PhaseMetrics = { phase, name: PHASE_NAMES[phase], trainRows: rows[phase].length, epochs: epochsUpTo(phase), groups: evaluateRecipeCvae(cvae, input) };
      o.onPhaseMetrics?.(m);
      return m;
    },
  });
  const evaluation = o.skipFinalEvaluation || result.stoppedBy === 'cancelled' ? null : evaluateNearestInGenus(result.cvae, input, { maxRows: o.evalRows });
  const weights = await exportCvaeWeights(result.cvae);
  const pairs = input.data.pairs;
  const model: RecipeCvaeModel = {
    id: await recipeModelIdFor(weights),
    kind: 'recipe-cvae',
    config,
    vocab: input.matrix.vocab,
    formulas: input.formulas,
    genomeModelId: input.data.genomeModelId,
    provenance: {
      data: o.dataDescription,
      dataHash: await hashStrings(pairs.map((p) => `${p.strainId ?? 'medium'}:${p.mediumId}`)),
      trainRows: pairs.filter((p) => !p.heldOut).length,
      heldOutRows: pairs.filter((p) => p.heldOut).length,
      heldOutGenera: input.data.heldOutGenera,
      backend: tf.getBackend(),
      epochs: result.epochs,
      stoppedBy: result.stoppedBy,
      elapsedMs: Math.round(performance.now() - t0),
      createdBy: o.createdBy,
    },
    history: result.history,
    metrics: { counts: input.data.counts, repeats, phases: result.phaseMetrics, evaluation },
    createdAt: o.createdAt ?? new Date().toISOString(),
    weights,
  };
  return { model, result };
}
