/**
 * The growth predictor: P(growth | genome, medium) as a logistic regression over features of the
 * (genome, medium) pair that recommend.ts computes from the evidence (see GROWTH_FEATURES), and
 * the measures it is judged by (AUROC, calibration). Pure TS, no tfjs; Node and the workers.
 *
 * Training data: for every genome with known media, the pairs (genome, candidate medium), the
 * positives being its known media; each pair's features are computed leave-genus-out (the
 * genome's genus removed from every source of evidence), so the features a model learns from look
 * like those of a genome of an unseen genus. Each genome weighs 1 in total (half on its positives,
 * half on its negatives), so genomes with many candidates or many known media do not dominate.
 *
 * Fit: L2-penalised logistic regression on standardised features (Newton / IRLS, exact).
 * Calibration: Platt scaling on out-of-fold scores of an inner leave-group-out (groups = genera;
 * `calibrationFolds` folds of whole genera), so the probability is that of an unseen genus.
 * A model is plain JSON (`GrowthModel`), well under 1 kB per feature.
 */
import { AppError } from '../core/errors';
import { fitPlatt } from './phenotype-model';

export const GROWTH_MODEL_FORMAT = 'mediaforge-growth-model';
export const GROWTH_MODEL_VERSION = 1;

/** What each base pair feature is (recommend.ts computes them; order matters). */
export const BASE_FEATURES = [
  'neighbor', // Σ similarity × confidence over the 5 nearest linked genomes, / Σ similarity
  'genus', // share of the BacDive strains (and taxon_media rows) of the nearest genera grown on it, similarity-weighted
  'recipe', // max over evidence-supported media j≠m of evidence(j) × weighted ingredient Jaccard(m, j)
  'condition_recipe', // max over the 40 media j≠m best matching the conditions of condition(j) × Jaccard(m, j)
  'condition', // mean condition match of the strains grown on it (predicted conditions), shrunk to a prior
  'traits', // recipe fit: NaCl vs salinity, anoxic vs oxygen, pH (≤ 0; 0 = fits)
  'popularity', // log1p(strains of the predicted domain grown on it)
  'domain_share', // share of the medium's strains that belong to the predicted domain
  'no_recipe', // 1 when MediaDive has no composition for it
  // Within-query ranks: 10 / (10 + rank of the medium by that feature among the candidates), 0 when the feature is 0.
  'rank_neighbor',
  'rank_genus',
  'rank_recipe',
  'rank_condition_recipe',
  'rank_condition',
  'rank_popularity',
  // Added after the rank features (so the earlier columns keep their places):
  'condition_share', // kernel share of the domain's condition-matched strains grown on it: Σ_{strains on m} K / Σ_{strains} K, / its max over the candidates
  'kmer_neighbor', // as neighbor, over the 5 nearest linked genomes by 4-mer CLR cosine (the KOMODO-style baseline's evidence)
] as const;
/** Base features whose within-query rank is a feature too (same order as the rank_ entries). */
export const RANKED_FEATURES = ['neighbor', 'genus', 'recipe', 'condition_recipe', 'condition', 'popularity'] as const;
export type BaseFeature = (typeof BASE_FEATURES)[number];
/**
 * The base features the growth predictor uses: all but the two added last (condition_share,
 * kmer_neighbor), which made its held-out AUROC lower (0.910 vs 0.916) and its ranking worse
 * (eval media, mediaforge-lr top-10 61.8 % vs 65.8 %); they serve the evidence-weight variants.
 */
export const GROWTH_MODEL_BASE_FEATURES = BASE_FEATURES.slice(0, BASE_FEATURES.indexOf('condition_share'));
/**
 * The model's features: the base features, the same × [domain used is archaea] (so archaea, whose
 * media are nearly genus-specific, get their own weights), and the archaea indicator.
 */
export const GROWTH_FEATURES: readonly string[] = [...GROWTH_MODEL_BASE_FEATURES, ...GROWTH_MODEL_BASE_FEATURES.map((f) => `${f}:archaea`), 'archaea'];

/** The model's feature row from the base features (BASE_FEATURES order) and the domain used. */
export function expandFeatures(base: readonly number[], archaea: boolean): number[] {
  const a = archaea ? 1 : 0;
  const b = base.slice(0, GROWTH_MODEL_BASE_FEATURES.length);
  return [...b, ...b.map((v) => v * a), a];
}

export interface GrowthModel {
  format: typeof GROWTH_MODEL_FORMAT;
  version: typeof GROWTH_MODEL_VERSION;
  id: string;
  createdAt: string;
  note: string;
  features: string[];
  mean: number[];
  std: number[];
  coef: number[];
  intercept: number;
  /** P = sigmoid(a · (intercept + coef·x) + b). */
  platt: { a: number; b: number };
  lambda: number;
  objective?: 'pointwise' | 'pairwise';
  /** Tuned weights of recommend.ts's evidence score (BASE_FEATURES order; tuneEvidenceWeights), or absent. */
  evidenceWeights?: number[];
  training: { genomes: number; genera: number; pairs: number; positives: number };
}

/** One genome's pairs: a feature row per candidate medium, and which are known media. */
export interface GrowthTrainingGenome {
  group: string;
  rows: number[][];
  positive: boolean[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Solves A x = b (A symmetric positive definite, d × d, row-major) by Cholesky. */
function solveSpd(A: Float64Array, b: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) L[i * d + i] = Math.sqrt(Math.max(s, 1e-12));
      else L[i * d + j] = s / L[j * d + j];
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * d + k] * y[k];
    y[i] = s / L[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= L[k * d + i] * x[k];
    x[i] = s / L[i * d + i];
  }
  return x;
}

/**
 * Weighted L2 logistic regression by Newton's method (the intercept is not penalised).
 * X: n rows of d features (already standardised). Returns coef (d) and intercept.
 */
export function fitLogistic(X: readonly ArrayLike<number>[], y: readonly boolean[], w: ArrayLike<number>, lambda = 0.01): { coef: number[]; intercept: number } {
  const n = X.length;
  const d = n ? X[0].length : 0;
  const D = d + 1;
  let beta = new Float64Array(D); // [intercept, coef...]
  const wsum = Array.from(w).reduce((a, b) => a + b, 0) || 1;
  for (let iter = 0; iter < 50; iter++) {
    const H = new Float64Array(D * D);
    const g = new Float64Array(D);
    for (let i = 0; i < n; i++) {
      const xi = X[i];
      let z = beta[0];
      for (let j = 0; j < d; j++) z += beta[j + 1] * xi[j];
      const p = sigmoid(z);
      const wi = w[i] / wsum;
      const r = wi * (p - (y[i] ? 1 : 0));
      const h = wi * p * (1 - p);
      g[0] += r;
      H[0] += h;
      for (let j = 0; j < d; j++) {
        g[j + 1] += r * xi[j];
        H[j + 1] += h * xi[j];
        H[(j + 1) * D] += h * xi[j];
        for (let k = 0; k <= j; k++) H[(j + 1) * D + k + 1] += h * xi[j] * xi[k];
      }
    }
    for (let j = 1; j < D; j++) for (let k = 1; k < j; k++) H[k * D + j] = H[j * D + k];
    const pen = lambda; // the loss is a weighted mean (weights sum to 1): λ is per unit of loss
    for (let j = 1; j < D; j++) {
      g[j] += pen * beta[j];
      H[j * D + j] += pen;
    }
    H[0] += 1e-9;
    const step = solveSpd(H, g, D);
    let maxStep = 0;
    const next = new Float64Array(D);
    for (let j = 0; j < D; j++) {
      next[j] = beta[j] - step[j];
      maxStep = Math.max(maxStep, Math.abs(step[j]));
    }
    beta = next;
    if (maxStep < 1e-8) break;
  }
  return { intercept: beta[0], coef: Array.from(beta.subarray(1)) };
}

/** Area under the ROC curve (ties count one half); NaN without both classes. */
export function auroc(scores: ArrayLike<number>, truth: readonly boolean[]): number {
  const idx = Array.from({ length: truth.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (truth[idx[k]]) (rankSumPos += mid), nPos++;
    i = j + 1;
  }
  const nNeg = truth.length - nPos;
  if (!nPos || !nNeg) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Calibration table: predicted vs observed rate in bins of predicted probability. */
export function calibrationBins(p: ArrayLike<number>, truth: readonly boolean[], bins = 10): { low: number; high: number; n: number; meanPredicted: number; observed: number }[] {
  const out = Array.from({ length: bins }, (_, b) => ({ low: b / bins, high: (b + 1) / bins, n: 0, meanPredicted: 0, observed: 0 }));
  for (let i = 0; i < truth.length; i++) {
    const b = out[Math.min(bins - 1, Math.floor(p[i] * bins))];
    b.n++;
    b.meanPredicted += p[i];
    b.observed += truth[i] ? 1 : 0;
  }
  for (const b of out) if (b.n) (b.meanPredicted /= b.n), (b.observed /= b.n);
  return out.filter((b) => b.n > 0);
}

/** Brier score (mean squared error of the probability). */
export function brierScore(p: ArrayLike<number>, truth: readonly boolean[]): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (p[i] - (truth[i] ? 1 : 0)) ** 2;
  return truth.length ? s / truth.length : NaN;
}

function flatten(genomes: readonly GrowthTrainingGenome[]): { X: number[][]; y: boolean[]; w: number[]; group: string[] } {
  const X: number[][] = [];
  const y: boolean[] = [];
  const w: number[] = [];
  const group: string[] = [];
  for (const g of genomes) {
    const nPos = g.positive.filter(Boolean).length;
    const nNeg = g.positive.length - nPos;
    if (!nPos || !nNeg) continue;
    g.rows.forEach((r, i) => {
      X.push(r);
      y.push(g.positive[i]);
      w.push(g.positive[i] ? 0.5 / nPos : 0.5 / nNeg);
      group.push(g.group);
    });
  }
  return { X, y, w, group };
}

function standardise(X: number[][]): { mean: number[]; std: number[] } {
  const d = X[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of X) for (let j = 0; j < d; j++) mean[j] += r[j] / X.length;
  for (const r of X) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / X.length;
  return { mean, std: std.map((s) => (s > 1e-12 ? Math.sqrt(s) : 1)) };
}

export interface GrowthTrainOptions {
  lambda?: number;
  /**
   * 'pointwise': logistic regression on (pair, grew) with each genome's positives and negatives
   * weighted half and half. 'pairwise': logistic regression on the differences x(known medium) −
   * x(other candidate) of the same genome (RankNet-style, each genome weighing 1), which optimises
   * the within-genome ordering that the ranking needs; its score is then Platt-calibrated. @default 'pointwise'
   */
  objective?: 'pointwise' | 'pairwise';
  /** Inner folds (of whole genera) for the Platt calibration. @default 5 */
  calibrationFolds?: number;
  createdAt?: string;
  note?: string;
  features?: readonly string[];
}

function fitRaw(genomes: readonly GrowthTrainingGenome[], lambda: number, objective: 'pointwise' | 'pairwise' = 'pointwise') {
  const { X, y, w } = flatten(genomes);
  if (!X.length) throw new AppError('DATA_INVALID', 'growth predictor: no genome with both known media and other candidates to learn from', 'give genomes with known media');
  const { mean, std } = standardise(X);
  const z = (r: readonly number[]) => r.map((v, j) => (v - mean[j]) / std[j]);
  if (objective === 'pointwise') {
    const { coef, intercept } = fitLogistic(X.map(z), y, w, lambda);
    return { mean, std, coef, intercept, pairs: X.length, positives: y.filter(Boolean).length };
  }
  // Pairwise: both orientations of every (known, other) pair of a genome, so no intercept is needed.
  const D: number[][] = [];
  const Y: boolean[] = [];
  const W: number[] = [];
  for (const g of genomes) {
    const pos = g.rows.filter((_, i) => g.positive[i]).map(z);
    const neg = g.rows.filter((_, i) => !g.positive[i]).map(z);
    if (!pos.length || !neg.length) continue;
    const wt = 1 / (pos.length * neg.length * 2);
    for (const a of pos) {
      for (const b of neg) {
        const d = a.map((v, j) => v - b[j]);
        D.push(d, d.map((v) => -v));
        Y.push(true, false);
        W.push(wt, wt);
      }
    }
  }
  const { coef } = fitLogistic(D, Y, W, lambda);
  return { mean, std, coef, intercept: 0, pairs: X.length, positives: y.filter(Boolean).length };
}

const rawScore = (m: Pick<GrowthModel, 'mean' | 'std' | 'coef' | 'intercept'>, x: ArrayLike<number>) => {
  let z = m.intercept;
  for (let j = 0; j < m.coef.length; j++) z += m.coef[j] * ((x[j] - m.mean[j]) / m.std[j]);
  return z;
};

/** Deterministic fold of a group name (FNV-1a). */
function foldOf(group: string, folds: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < group.length; i++) h = Math.imul(h ^ group.charCodeAt(i), 0x01000193) >>> 0;
  return h % folds;
}

/** Trains the growth predictor on the genomes' pairs (see the header). Deterministic. */
export function trainGrowthModel(genomes: readonly GrowthTrainingGenome[], o: GrowthTrainOptions = {}): GrowthModel {
  const lambda = o.lambda ?? 0.01;
  const folds = o.calibrationFolds ?? 5;
  const objective = o.objective ?? 'pointwise';
  const raw = fitRaw(genomes, lambda, objective);
  // Platt on out-of-fold raw scores: each fold's genera are scored by a model fitted without them.
  const scores: number[] = [];
  const truth: boolean[] = [];
  const weights: number[] = [];
  const groups = [...new Set(genomes.map((g) => g.group))];
  const usedFolds = Math.min(folds, groups.length);
  for (let f = 0; f < usedFolds && usedFolds >= 2; f++) {
    const train = genomes.filter((g) => foldOf(g.group, usedFolds) !== f);
    const test = genomes.filter((g) => foldOf(g.group, usedFolds) === f);
    if (!test.length || !train.length) continue;
    let m;
    try {
      m = fitRaw(train, lambda, objective);
    } catch {
      continue;
    }
    const t = flatten(test);
    t.X.forEach((x, i) => {
      scores.push(rawScore(m, x));
      truth.push(t.y[i]);
      weights.push(t.w[i]);
    });
  }
  // Calibrated to the pair base rate (unweighted), since P(growth) is a statement about one pair.
  // Without inner folds, the training scores themselves (optimistic, but keeps P on the right scale).
  if (!scores.length) {
    const t = flatten(genomes);
    t.X.forEach((x, i) => {
      scores.push(rawScore(raw, x));
      truth.push(t.y[i]);
    });
  }
  const platt = scores.length && truth.some(Boolean) && truth.some((t) => !t) ? fitPlattPlain(scores, truth) : { a: 1, b: 0 };
  void weights;
  const r6 = (x: number) => Number(x.toPrecision(6));
  const created = o.createdAt ?? new Date().toISOString();
  const body = { mean: raw.mean.map(r6), std: raw.std.map(r6), coef: raw.coef.map(r6), intercept: r6(raw.intercept), platt: { a: r6(platt.a), b: r6(platt.b) } };
  return {
    format: GROWTH_MODEL_FORMAT,
    version: GROWTH_MODEL_VERSION,
    id: `growth-lr-${hash(JSON.stringify(body))}`,
    createdAt: created,
    note: o.note ?? '',
    features: [...(o.features ?? GROWTH_FEATURES)],
    ...body,
    lambda,
    objective,
    training: { genomes: genomes.length, genera: groups.length, pairs: raw.pairs, positives: raw.positives },
  };
}

/** Platt scaling without class balancing: P matches the observed pair frequency. */
function fitPlattPlain(scores: number[], truth: boolean[]): { a: number; b: number } {
  // fitPlatt balances the classes; undo it by weighting each class by its count.
  const nPos = truth.filter(Boolean).length;
  const nNeg = truth.length - nPos;
  const w = truth.map((t) => (t ? nPos : nNeg));
  return fitPlatt(scores, truth, w);
}

function hash(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x85ebca6b) >>> 0;
  }
  return (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).slice(0, 12);
}

/** The uncalibrated linear score (the ranking score). */
export function growthScore(m: GrowthModel, x: ArrayLike<number>): number {
  return rawScore(m, x);
}

/** Calibrated P(growth | genome, medium). */
export function growthProbability(m: GrowthModel, x: ArrayLike<number>): number {
  return sigmoid(m.platt.a * rawScore(m, x) + m.platt.b);
}

export function serializeGrowthModel(m: GrowthModel): string {
  return `${JSON.stringify(m, null, 1)}\n`;
}

/** Parses and checks a growth model; throws DATA_INVALID naming `name`. */
export function parseGrowthModel(text: string | object, name = 'growth model'): GrowthModel {
  let m: GrowthModel;
  try {
    m = (typeof text === 'string' ? JSON.parse(text) : text) as GrowthModel;
  } catch (e) {
    throw new AppError('DATA_INVALID', `${name}: not JSON (${(e as Error).message})`, 'give a file written by `mediaforge eval media --growth-model-out`');
  }
  const bad = (why: string) => new AppError('DATA_INVALID', `${name}: not a growth model (${why})`, 'give a file written by `mediaforge eval media --growth-model-out`');
  if (!m || m.format !== GROWTH_MODEL_FORMAT) throw bad('format');
  if (m.version !== GROWTH_MODEL_VERSION) throw bad(`version ${String(m.version)}`);
  const d = m.features?.length ?? 0;
  for (const k of ['mean', 'std', 'coef'] as const) {
    if (!Array.isArray(m[k]) || m[k].length !== d || m[k].some((x) => !Number.isFinite(x))) throw bad(`${k} must be ${d} finite numbers`);
  }
  if (!Number.isFinite(m.intercept) || !Number.isFinite(m.platt?.a) || !Number.isFinite(m.platt?.b)) throw bad('intercept or Platt scaling');
  return m;
}

/** One genome's shortlist for tuning the evidence weights: base feature rows, known media, domain. */
export interface WeightTuningGenome {
  rows: readonly (readonly number[])[];
  positive: readonly boolean[];
  archaea: boolean;
}

/**
 * The hit-rate objective of evidence weights `w` on training shortlists: the mean over the two
 * domains of the mean over their genomes (with a known medium) of (hit in top 10 + hit in top 1) / 2.
 */
export function evidenceObjective(genomes: readonly WeightTuningGenome[], w: readonly number[]): number {
  const acc = { a: [0, 0], b: [0, 0] };
  for (const g of genomes) {
    if (!g.positive.some(Boolean)) continue;
    const scores = g.rows.map((r) => r.reduce((s, v, j) => s + (w[j] ?? 0) * v, 0));
    const order = scores.map((_, i) => i).sort((x, y) => scores[y] - scores[x] || x - y);
    const top1 = g.positive[order[0]] ? 1 : 0;
    const top10 = order.slice(0, 10).some((i) => g.positive[i]) ? 1 : 0;
    const d = g.archaea ? acc.a : acc.b;
    d[0] += (top1 + top10) / 2;
    d[1] += 1;
  }
  const parts = [acc.a, acc.b].filter((d) => d[1] > 0).map((d) => d[0] / d[1]);
  return parts.reduce((a, b) => a + b, 0) / Math.max(1, parts.length);
}

/**
 * Tunes the weights of the linear evidence score (recommend.ts) for the hit rate itself: coordinate
 * ascent from `start`, each weight tried ×0.5, ×2 and 0 (two passes), keeping a change only when it
 * raises the objective = mean over the two domains of the mean over their genomes of
 * (hit in top 10 + hit in top 1) / 2. Only the training genomes' shortlists are used, so in a
 * nested evaluation the held-out genus never influences the weights. Deterministic.
 */
export function tuneEvidenceWeights(genomes: readonly WeightTuningGenome[], start: readonly number[], passes = 2): number[] {
  const objective = (w: readonly number[]) => evidenceObjective(genomes, w);
  const w = [...start];
  let best = objective(w);
  for (let p = 0; p < passes; p++) {
    for (let j = 0; j < w.length; j++) {
      if (!w[j]) continue;
      const orig = w[j];
      let bestV = orig;
      for (const v of [orig * 0.5, orig * 2, 0]) {
        w[j] = v;
        const o = objective(w);
        if (o > best + 1e-9) {
          best = o;
          bestV = v;
        }
      }
      w[j] = bestV;
    }
  }
  return w;
}
