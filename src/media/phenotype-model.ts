/**
 * Growth-condition models from genome composition: optimum-ish growth temperature, oxygen
 * tolerance, salinity and pH, predicted from a genome's k-mer profile and (when given) the
 * composition of its predicted proteins. Pure TS, no tfjs: closed-form linear models.
 *
 * - temperature, salinity, pH: weighted ridge regression on standardised features. The penalty λ
 *   AND the feature subset ('dna', 'protein', 'dna+protein'; the candidates are an option) are
 *   chosen by inner leave-one-genus-out CV on the training genomes (exact leave-group-out
 *   residuals from one eigendecomposition per subset, phenotype-linalg.ts) on the weighted mean
 *   squared error, with the one-standard-error rule: the candidate with the fewest effective
 *   degrees of freedom within one standard error (over held-out genera) of the best, the plain
 *   training mean being a candidate too. A target needs labels from ≥ 10 genera (`minGenera`).
 * - oxygen: a shrinkage LDA in its least-squares form (ridge regression on the 0/1 "tolerates O2"
 *   target with class-balanced weights, which gives Fisher's discriminant direction), λ and subset
 *   chosen the same way; the score is calibrated to pTolerant by Platt scaling on the inner
 *   leave-genus-out scores. The class (aerobe / facultative / microaerophile) of a tolerant genome
 *   comes from a one-vs-rest least-squares classifier trained on the tolerant genomes
 *   (class-balanced); pTolerant < 0.5 gives 'anaerobe'.
 * - weights: each genome counts 1 / (genomes of its species), so the 27 Lactiplantibacillus
 *   plantarum strains count as one species (option `speciesWeights`).
 * - uncertainty: a calibrated residual interval, not an ensemble: low/high = value ∓ the
 *   `intervalCoverage` (default 80 %) weighted quantile of the absolute inner leave-genus-out
 *   residuals at the chosen λ and subset (a jackknife+-style interval for a new genus). Evaluate
 *   its coverage with evaluatePhenotype.
 * - the halophile rule (models with protein features): a "salt-in" proteome, (D+E)/(K+R) ≥ 1.6
 *   and ≥ 85 % of proteins with pI < 7, flags an extreme halophile and sets salinity to 20 %
 *   (15–30 %), the growth optimum of Halobacteriales (3.5–4.5 M NaCl). The shared BacDive labels
 *   hold no halophile (none above 6.5 %), so no regression can learn it; this is knowledge, not
 *   fitted: acidic, K-poor proteomes are the signature of salt-in halophiles (Lanyi 1974,
 *   Kennedy et al. 2001, Paul et al. 2008). On the 163 labelled shared genomes, Halobacterium
 *   salinarum has 1.82 and 0.90; the highest other genome 1.39 and 0.83 (Methanobrevibacter).
 * A model is plain JSON (`PhenotypeModel`), a few kB.
 */
import { AppError } from '../core/errors';
import { PROTEIN_FEATURE_NAMES } from '../core/protein-features';
import { RidgePath, type LinearFit } from './phenotype-linalg';
import { hasProteinFeatures, phenotypeFeatureNames, phenotypeFeatureVector, type PhenotypeFeatureSet, type PhenotypeInput } from './phenotype-features';
import { OXYGEN_CLASSES, type OxygenClass, type PhenotypeLabels } from './phenotype-labels';

export const PHENOTYPE_MODEL_FORMAT = 'mediaforge-phenotype-model';
export const PHENOTYPE_MODEL_VERSION = 1;

/** Feature subsets a target may use; each is a set of columns of the model's feature vector. */
export type FeatureSubset = 'gc' | 'dna' | 'protein' | 'dna+protein';
export const FEATURE_SUBSETS: readonly FeatureSubset[] = ['gc', 'dna', 'protein', 'dna+protein'];

export type RegressionTarget = 'temperatureC' | 'salinityPct' | 'pH';
export const REGRESSION_TARGETS: readonly RegressionTarget[] = ['temperatureC', 'salinityPct', 'pH'];
/** The classes of a tolerant genome (anaerobe is "not tolerant"). */
export const TOLERANT_CLASSES: readonly OxygenClass[] = ['aerobe', 'facultative', 'microaerophile'];

/** One labelled genome for training: its features' input, its labels, its genus group. */
export interface PhenotypeTrainingSample {
  input: PhenotypeInput;
  labels: PhenotypeLabels;
  /** Leave-genus-out group (phenotypeGroupOf). */
  group: string;
  /** Species name, for species weights. */
  species: string | null;
  /** bacteria | archaea | …, for the oxygen model's per-domain counts (optional). */
  domain?: string | null;
}

export interface PhenotypeTrainOptions {
  /**
   * Features the model reads. 'dna+protein' needs protein features at prediction time.
   * @default 'dna+protein' when every sample has protein features, else 'dna'
   */
  featureSet?: PhenotypeFeatureSet | 'auto';
  /** Subsets the inner CV chooses from (within featureSet). @default ['dna', 'protein', 'dna+protein'] (those available) */
  subsets?: FeatureSubset[];
  /** Ridge penalties tried (standardised features, weights of mean 1). @default 10^-1 … 10^4, 11 values */
  lambdas?: number[];
  /** How the inner CV picks subset and λ: 'one-se' (the simplest within one standard error of the best) or 'min'. @default 'one-se' */
  selection?: 'one-se' | 'min';
  /** Nominal coverage of the prediction intervals. @default 0.8 */
  intervalCoverage?: number;
  /** Weight each genome 1 / (genomes of its species). @default true */
  speciesWeights?: boolean;
  /** Fewest labelled genomes for a target to be modelled. @default 8 */
  minGenomes?: number;
  /**
   * Fewest genera among them. Below ~10 held-out genera the CV error and its standard error are
   * too noisy to choose a model by (pH: 14 genomes of 8 genera picked 45 DNA features at λ 0.1,
   * no better than the mean when whole genera were held out). @default 10
   */
  minGenera?: number;
  /** Apply the salt-in halophile rule (models with protein features). @default true */
  halophileRule?: boolean;
  /** Recorded in the model. */
  createdAt?: string;
  /** Recorded in the model (e.g. the data it was trained on). */
  note?: string;
}

export const PHENOTYPE_TRAIN_DEFAULTS = {
  featureSet: 'auto',
  subsets: ['dna', 'protein', 'dna+protein'],
  lambdas: [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000],
  selection: 'one-se',
  intervalCoverage: 0.8,
  speciesWeights: true,
  minGenomes: 8,
  minGenera: 10,
  halophileRule: true,
  createdAt: '',
  note: '',
} satisfies Required<PhenotypeTrainOptions>;

export function resolvePhenotypeTrainOptions(options: PhenotypeTrainOptions = {}): Required<PhenotypeTrainOptions> {
  const o = { ...PHENOTYPE_TRAIN_DEFAULTS, ...options } as Required<PhenotypeTrainOptions>;
  if (o.featureSet !== 'auto' && !['gc', 'dna', 'dna+protein'].includes(o.featureSet)) throw new AppError('BAD_OPTION', `featureSet must be auto, gc, dna or dna+protein, got '${String(o.featureSet)}'`);
  if (!o.subsets.length || o.subsets.some((s) => !FEATURE_SUBSETS.includes(s))) throw new AppError('BAD_OPTION', `subsets must be some of ${FEATURE_SUBSETS.join(', ')}, got ${o.subsets.join(', ')}`);
  if (!o.lambdas.length || o.lambdas.some((l) => !(l > 0))) throw new AppError('BAD_OPTION', 'lambdas must be positive numbers');
  if (o.selection !== 'one-se' && o.selection !== 'min') throw new AppError('BAD_OPTION', `selection must be one-se or min, got '${String(o.selection)}'`);
  if (!(o.intervalCoverage > 0 && o.intervalCoverage < 1)) throw new AppError('BAD_OPTION', `intervalCoverage must be in (0, 1), got ${o.intervalCoverage}`);
  if (!(Number.isInteger(o.minGenomes) && o.minGenomes >= 3)) throw new AppError('BAD_OPTION', `minGenomes must be an integer ≥ 3, got ${o.minGenomes}`);
  if (!(Number.isInteger(o.minGenera) && o.minGenera >= 3)) throw new AppError('BAD_OPTION', `minGenera must be an integer ≥ 3, got ${o.minGenera}`);
  return o;
}

/** Inner leave-genus-out figures of a fitted target, on its training genomes. */
export interface CvSummary {
  genomes: number;
  genera: number;
  /** Weighted mean absolute leave-genus-out error at the chosen subset and λ. */
  mae: number;
  /** The same for predicting the training mean (weighted) of the other genera. */
  baselineMae: number;
  /** Weighted mean squared errors (the selection criterion) for the choice and the mean. */
  mse: number;
  baselineMse: number;
}

export interface RegressionModel {
  /** 'mean': the CV found nothing better than the training mean (within one standard error). */
  subset: FeatureSubset | 'mean';
  /** null for 'mean'. */
  lambda: number | null;
  intercept: number;
  /** Over the model's standardised features (0 outside the subset). */
  coef: number[];
  /** Half-width of the `coverage` interval (units of the target). */
  interval: { coverage: number; halfWidth: number };
  /** Range of the training labels. */
  labelRange: [number, number];
  cv: CvSummary;
}

export interface OxygenModel {
  tolerant: {
    subset: FeatureSubset | 'mean';
    lambda: number | null;
    intercept: number;
    coef: number[];
    /** pTolerant = 1 / (1 + exp(−(a·score + b))). */
    platt: { a: number; b: number };
    cv: {
      genomes: number;
      genera: number;
      tolerant: number;
      intolerant: number;
      balancedAccuracy: number;
      /** The training genomes per domain, tolerant and not (what the model can tell apart within a domain). */
      byDomain?: Record<string, { tolerant: number; intolerant: number }>;
    };
  };
  /** Class of a tolerant genome; null when the training genomes have one tolerant class only. */
  classes: {
    labels: OxygenClass[];
    subset: FeatureSubset | 'mean';
    lambda: number | null;
    intercepts: number[];
    coefs: number[][];
    cv: { genomes: number; balancedAccuracy: number; counts: Record<string, number> };
  } | null;
  /** The only tolerant class seen, when `classes` is null. */
  fallbackClass: OxygenClass;
}

export interface HalophileRule {
  acidBaseRatioMin: number;
  acidicProteinFractionMin: number;
  salinityPct: { value: number; low: number; high: number };
}

export const HALOPHILE_RULE: HalophileRule = { acidBaseRatioMin: 1.6, acidicProteinFractionMin: 0.85, salinityPct: { value: 20, low: 15, high: 30 } };

export interface PhenotypeModel {
  format: typeof PHENOTYPE_MODEL_FORMAT;
  version: typeof PHENOTYPE_MODEL_VERSION;
  id: string;
  createdAt: string;
  note: string;
  featureSet: PhenotypeFeatureSet;
  featureNames: string[];
  /** Training means and standard deviations of the raw features. */
  mean: number[];
  std: number[];
  targets: Partial<Record<RegressionTarget, RegressionModel>>;
  oxygen: OxygenModel | null;
  /** Targets left without a model, and why. */
  notModelled: Record<string, string>;
  halophileRule: HalophileRule | null;
  training: { genomes: number; genera: number; species: number; speciesWeights: boolean; lambdas: number[]; subsets: FeatureSubset[] };
}

export interface IntervalPrediction {
  value: number;
  low: number;
  high: number;
}

export interface PhenotypePrediction {
  model: string;
  temperatureC: IntervalPrediction | null;
  oxygen: { class: OxygenClass; pTolerant: number; tolerant: boolean } | null;
  salinityPct: (IntervalPrediction & { halophile: boolean; basis: 'ridge' | 'salt-in proteome rule' }) | null;
  pH: IntervalPrediction | null;
  /** What a reader should know: targets no better than the mean in CV, extrapolation, missing inputs. */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// Helpers

const round = (x: number, digits = 6) => (x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(digits)));

/** Column indices of a subset within the model's feature names. */
export function subsetColumns(featureNames: readonly string[], subset: FeatureSubset): number[] {
  const cols: number[] = [];
  featureNames.forEach((n, i) => {
    const isProtein = n.startsWith('protein_');
    if (subset === 'gc' ? n === 'gc' : subset === 'dna' ? !isProtein : subset === 'protein' ? isProtein : true) cols.push(i);
  });
  return cols;
}

function subsetsOf(featureSet: PhenotypeFeatureSet): FeatureSubset[] {
  return featureSet === 'gc' ? ['gc'] : featureSet === 'dna' ? ['gc', 'dna'] : [...FEATURE_SUBSETS];
}

/** Weighted quantile (weights need not sum to 1). */
export function weightedQuantile(values: readonly number[], weights: readonly number[], q: number): number {
  const idx = values.map((_, i) => i).filter((i) => Number.isFinite(values[i])).sort((a, b) => values[a] - values[b]);
  const total = idx.reduce((s, i) => s + weights[i], 0);
  let acc = 0;
  for (const i of idx) {
    acc += weights[i];
    if (acc >= q * total) return values[i];
  }
  return idx.length ? values[idx[idx.length - 1]] : NaN;
}

/** Balanced accuracy of binary predictions (mean of per-class recalls over the classes present). */
export function balancedAccuracy(truth: readonly (boolean | string)[], pred: readonly (boolean | string)[]): number {
  const classes = [...new Set(truth.map(String))];
  const recalls = classes.map((c) => {
    const idx = truth.map((t, i) => (String(t) === c ? i : -1)).filter((i) => i >= 0);
    return idx.filter((i) => String(pred[i]) === c).length / idx.length;
  });
  return recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : NaN;
}

function speciesWeightsOf(samples: readonly { species: string | null; group: string }[], on: boolean): Float64Array {
  const n = new Map<string, number>();
  const key = (s: { species: string | null; group: string }) => s.species?.trim().toLowerCase() || `group:${s.group}`;
  for (const s of samples) n.set(key(s), (n.get(key(s)) ?? 0) + 1);
  return Float64Array.from(samples, (s) => (on ? 1 / n.get(key(s))! : 1));
}

function normaliseWeights(w: Float64Array): Float64Array {
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  return w.map((x) => x / mean);
}

function groupIds(groups: readonly string[]): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(groups, (g) => {
    if (!ids.has(g)) ids.set(g, ids.size);
    return ids.get(g)!;
  });
}

/** Exact leave-group-out predictions of the weighted mean (the baseline, λ → ∞). */
function logoMean(y: ArrayLike<number>, w: ArrayLike<number>, groups: Int32Array): Float64Array {
  let sy = 0;
  let sw = 0;
  const gy = new Map<number, number>();
  const gw = new Map<number, number>();
  for (let i = 0; i < y.length; i++) {
    sy += w[i] * y[i];
    sw += w[i];
    gy.set(groups[i], (gy.get(groups[i]) ?? 0) + w[i] * y[i]);
    gw.set(groups[i], (gw.get(groups[i]) ?? 0) + w[i]);
  }
  return Float64Array.from({ length: y.length }, (_, i) => (sy - gy.get(groups[i])!) / Math.max(1e-300, sw - gw.get(groups[i])!));
}

interface Design {
  /** Standardised rows (n × D). */
  z: Float64Array;
  n: number;
  featureNames: string[];
}

function selectColumns(design: Design, rows: readonly number[], cols: readonly number[]): Float64Array {
  const D = design.featureNames.length;
  const out = new Float64Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => (out[i * cols.length + j] = design.z[r * D + c])));
  return out;
}

interface Choice {
  /** 'mean': the weighted training mean (no features, λ = ∞). */
  subset: FeatureSubset | 'mean';
  cols: number[];
  lambda: number | null;
  path: RidgePath | null;
  /** LOGO predictions per output at this choice. */
  logo: Float64Array[];
  /** Σ over outputs of the weighted mean squared LOGO error, and its standard error over genera. */
  mse: number;
  se: number;
  /** Effective degrees of freedom Σ dₖ / (dₖ + λ) (0 for the mean). */
  df: number;
}

/** The chosen candidate's fit of one output. */
function fitChoice(c: Choice, y: Float64Array, w: Float64Array): LinearFit {
  if (c.path && c.lambda !== null) return c.path.fit(y, c.lambda);
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    s += w[i] * y[i];
    sw += w[i];
  }
  return { intercept: s / sw, coef: new Float64Array(0) };
}

/**
 * Chooses subset and λ by exact leave-group-out error (Σ over outputs of the weighted MSE), with
 * the one-standard-error rule: among the candidates (the training mean included) whose error is
 * within one standard error (over held-out genera) of the best, the one with the fewest effective
 * degrees of freedom. With a dozen labelled genera, the plain minimum over 30+ candidates mostly
 * picks noise (pH: 14 genomes, 45 features, λ = 0.1). ys: one or more outputs over the same rows.
 */
function chooseRidge(design: Design, rows: readonly number[], ys: Float64Array[], w: Float64Array, groups: Int32Array, subsets: readonly FeatureSubset[], lambdas: readonly number[], rule: 'one-se' | 'min'): Choice {
  const wSum = w.reduce((a, b) => a + b, 0);
  const G = new Set(groups).size;
  const score = (preds: Float64Array[]) => {
    const eg = new Map<number, number>();
    ys.forEach((y, o) => {
      for (let i = 0; i < y.length; i++) eg.set(groups[i], (eg.get(groups[i]) ?? 0) + (w[i] * (preds[o][i] - y[i]) ** 2) / wSum);
    });
    const e = [...eg.values()];
    const mse = e.reduce((a, b) => a + b, 0);
    const m = mse / e.length;
    const sd = e.length > 1 ? Math.sqrt(e.reduce((a, b) => a + (b - m) ** 2, 0) / (e.length - 1)) : 0;
    return { mse, se: Math.sqrt(G) * sd };
  };
  const cands: Choice[] = [];
  const meanPreds = ys.map((y) => logoMean(y, w, groups));
  cands.push({ subset: 'mean', cols: [], lambda: null, path: null, logo: meanPreds, ...score(meanPreds), df: 0 });
  for (const subset of subsets) {
    const cols = subsetColumns(design.featureNames, subset);
    if (!cols.length) continue;
    const path = new RidgePath(selectColumns(design, rows, cols), rows.length, cols.length, w);
    const preds = ys.map((y) => path.leaveGroupOut(y, groups, lambdas));
    lambdas.forEach((lambda, l) => {
      const logo = preds.map((p) => p[l]);
      const sc = score(logo);
      if (Number.isFinite(sc.mse)) cands.push({ subset, cols, lambda, path, logo, ...sc, df: path.degreesOfFreedom(lambda) });
    });
  }
  const best = cands.reduce((a, b) => (b.mse < a.mse - 1e-12 ? b : a));
  if (rule === 'min') return best;
  const ok = cands.filter((c) => c.mse <= best.mse + best.se);
  return ok.reduce((a, b) => (b.df < a.df - 1e-9 || (Math.abs(b.df - a.df) <= 1e-9 && b.mse < a.mse) ? b : a));
}

function fullCoef(D: number, cols: readonly number[], coef: Float64Array): number[] {
  const out = new Array<number>(D).fill(0);
  cols.forEach((c, j) => (out[c] = round(coef[j])));
  return out;
}

/** Platt scaling with Platt's target smoothing, class-balanced; Newton on (a, b). */
export function fitPlatt(scores: ArrayLike<number>, truth: readonly boolean[], weights?: ArrayLike<number>): { a: number; b: number } {
  const n = truth.length;
  const nPos = truth.filter(Boolean).length;
  const nNeg = n - nPos;
  const tPos = (nPos + 1) / (nPos + 2);
  const tNeg = 1 / (nNeg + 2);
  const w = Float64Array.from({ length: n }, (_, i) => (weights ? weights[i] : 1) * (truth[i] ? 0.5 / Math.max(1, nPos) : 0.5 / Math.max(1, nNeg)));
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(a * scores[i] + b)));
      const t = truth[i] ? tPos : tNeg;
      const r = w[i] * (p - t);
      ga += r * scores[i];
      gb += r;
      const h = w[i] * p * (1 - p);
      haa += h * scores[i] * scores[i];
      hab += h * scores[i];
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** FNV-1a over a string, 12 hex digits. */
function shortHash(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x85ebca6b) >>> 0;
  }
  return (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).slice(0, 12);
}

// ---------------------------------------------------------------------------------------------
// Training

/** Trains every target that has enough labels. Deterministic: the same samples give the same model. */
export function trainPhenotypeModel(samples: readonly PhenotypeTrainingSample[], options: PhenotypeTrainOptions = {}): PhenotypeModel {
  const o = resolvePhenotypeTrainOptions(options);
  if (samples.length === 0) throw new AppError('DATA_INVALID', 'no labelled genomes to train on', 'check the --data folder and the database links');
  const allProtein = samples.every((s) => hasProteinFeatures(s.input));
  const featureSet: PhenotypeFeatureSet = o.featureSet === 'auto' ? (allProtein ? 'dna+protein' : 'dna') : o.featureSet;
  if (featureSet === 'dna+protein' && !allProtein) {
    throw new AppError('DATA_INVALID', 'featureSet dna+protein: some training genomes have no protein features', 'profile them with proteinFeatures: true');
  }
  const available = subsetsOf(featureSet);
  let subsets = o.subsets.filter((s) => available.includes(s));
  if (!subsets.length) subsets = featureSet === 'gc' ? ['gc'] : ['dna'];
  const featureNames = phenotypeFeatureNames(featureSet);
  const D = featureNames.length;
  const n = samples.length;

  // Raw features, NaN-aware means and standard deviations, standardised design.
  const raw = new Float64Array(n * D);
  samples.forEach((s, i) => raw.set(phenotypeFeatureVector(s.input, featureSet), i * D));
  const mean = new Array<number>(D).fill(0);
  const std = new Array<number>(D).fill(1);
  for (let j = 0; j < D; j++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const v = raw[i * D + j];
      if (Number.isFinite(v)) {
        s += v;
        c++;
      }
    }
    const m = c ? s / c : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = raw[i * D + j];
      if (Number.isFinite(v)) ss += (v - m) ** 2;
    }
    const sd = c > 1 ? Math.sqrt(ss / (c - 1)) : 0;
    mean[j] = round(m, 8);
    std[j] = sd > 1e-12 ? round(sd, 8) : 1;
  }
  const z = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) {
      const v = raw[i * D + j];
      z[i * D + j] = Number.isFinite(v) ? (v - mean[j]) / std[j] : 0;
    }
  }
  const design: Design = { z, n, featureNames };
  const baseWeights = speciesWeightsOf(samples, o.speciesWeights);

  const targets: Partial<Record<RegressionTarget, RegressionModel>> = {};
  const skipped: Record<string, string> = {};
  for (const t of REGRESSION_TARGETS) {
    const rows = samples.map((s, i) => (s.labels[t] ? i : -1)).filter((i) => i >= 0);
    const groupNames = rows.map((i) => samples[i].group);
    if (rows.length < o.minGenomes || new Set(groupNames).size < o.minGenera) {
      skipped[t] = `${rows.length} labelled genomes of ${new Set(groupNames).size} genera; a model needs ≥ ${o.minGenomes} genomes of ≥ ${o.minGenera} genera`;
      continue;
    }
    const y = Float64Array.from(rows, (i) => samples[i].labels[t]!.value);
    const w = normaliseWeights(Float64Array.from(rows, (i) => baseWeights[i]));
    const groups = groupIds(groupNames);
    const c = chooseRidge(design, rows, [y], w, groups, subsets, o.lambdas, o.selection);
    const fit = fitChoice(c, y, w);
    const base = logoMean(y, w, groups);
    const wSum = w.reduce((a, b) => a + b, 0);
    const absRes = Array.from(y, (v, i) => Math.abs(v - c.logo[0][i]));
    let mae = 0;
    let baseMae = 0;
    let baseMse = 0;
    for (let i = 0; i < y.length; i++) {
      mae += (w[i] * absRes[i]) / wSum;
      baseMae += (w[i] * Math.abs(y[i] - base[i])) / wSum;
      baseMse += (w[i] * (y[i] - base[i]) ** 2) / wSum;
    }
    targets[t] = {
      subset: c.subset,
      lambda: c.lambda,
      intercept: round(fit.intercept),
      coef: fullCoef(D, c.cols, fit.coef),
      interval: { coverage: o.intervalCoverage, halfWidth: round(weightedQuantile(absRes, Array.from(w), o.intervalCoverage), 4) },
      labelRange: [round(Math.min(...y), 4), round(Math.max(...y), 4)],
      cv: { genomes: rows.length, genera: new Set(groupNames).size, mae: round(mae, 4), baselineMae: round(baseMae, 4), mse: round(c.mse, 4), baselineMse: round(baseMse, 4) },
    };
  }

  const oxygen = trainOxygen(samples, design, baseWeights, subsets, o, skipped);
  const model: Omit<PhenotypeModel, 'id'> & { id: string } = {
    format: PHENOTYPE_MODEL_FORMAT,
    version: PHENOTYPE_MODEL_VERSION,
    id: '',
    createdAt: o.createdAt,
    note: o.note,
    featureSet,
    featureNames,
    mean,
    std,
    targets,
    oxygen,
    notModelled: skipped,
    halophileRule: o.halophileRule && featureSet === 'dna+protein' ? HALOPHILE_RULE : null,
    training: {
      genomes: n,
      genera: new Set(samples.map((s) => s.group)).size,
      species: new Set(samples.map((s) => s.species ?? s.group)).size,
      speciesWeights: o.speciesWeights,
      lambdas: [...o.lambdas],
      subsets,
    },
  };
  model.id = `phenotype-${shortHash(JSON.stringify({ ...model, id: '', createdAt: '' }))}`;
  return model;
}

/** Tolerant / intolerant training genomes per domain, when the samples carry their domain. */
export function oxygenByDomain(samples: readonly Pick<PhenotypeTrainingSample, 'domain'>[], truth: readonly boolean[]): { byDomain?: Record<string, { tolerant: number; intolerant: number }> } {
  if (!samples.length || samples.some((s) => !s.domain)) return {};
  const byDomain: Record<string, { tolerant: number; intolerant: number }> = {};
  samples.forEach((s, k) => {
    const d = (byDomain[s.domain!] ??= { tolerant: 0, intolerant: 0 });
    if (truth[k]) d.tolerant++;
    else d.intolerant++;
  });
  return { byDomain };
}

function trainOxygen(samples: readonly PhenotypeTrainingSample[], design: Design, baseWeights: Float64Array, subsets: FeatureSubset[], o: Required<PhenotypeTrainOptions>, skipped: Record<string, string>): OxygenModel | null {
  const rows = samples.map((s, i) => (s.labels.oxygen ? i : -1)).filter((i) => i >= 0);
  const groupNames = rows.map((i) => samples[i].group);
  const truth = rows.map((i) => samples[i].labels.oxygen!.tolerant);
  const nPos = truth.filter(Boolean).length;
  const nNeg = truth.length - nPos;
  if (rows.length < o.minGenomes || new Set(groupNames).size < o.minGenera || nPos < 2 || nNeg < 2) {
    skipped.oxygen = `${rows.length} labelled genomes of ${new Set(groupNames).size} genera, ${nPos} tolerant and ${nNeg} not; a model needs ≥ ${o.minGenomes} genomes of ≥ ${o.minGenera} genera, ≥ 2 of each`;
    return null;
  }
  const D = design.featureNames.length;
  const groups = groupIds(groupNames);
  // Class-balanced weights: each class carries half the (species-weighted) total.
  const sw = Float64Array.from(rows, (i) => baseWeights[i]);
  const posW = sw.reduce((a, v, i) => a + (truth[i] ? v : 0), 0);
  const negW = sw.reduce((a, v, i) => a + (truth[i] ? 0 : v), 0);
  const w = normaliseWeights(sw.map((v, i) => v / (truth[i] ? posW : negW)));
  const y = Float64Array.from(truth, (t) => (t ? 1 : 0));
  const c = chooseRidge(design, rows, [y], w, groups, subsets, o.lambdas, o.selection);
  const fit = fitChoice(c, y, w);
  const scores = c.logo[0];
  const platt = fitPlatt(scores, truth);
  const ba = balancedAccuracy(truth, Array.from(scores, (s) => s >= 0.5));

  // Class among the tolerant.
  const tRows = rows.filter((_, k) => truth[k]);
  const tClass = tRows.map((i) => samples[i].labels.oxygen!.class);
  const counts: Record<string, number> = {};
  for (const cl of tClass) counts[cl] = (counts[cl] ?? 0) + 1;
  const labels = TOLERANT_CLASSES.filter((cl) => (counts[cl] ?? 0) >= 2);
  const fallbackClass: OxygenClass = (TOLERANT_CLASSES.filter((cl) => counts[cl]).sort((a, b) => counts[b] - counts[a])[0] ?? 'facultative') as OxygenClass;
  let classes: OxygenModel['classes'] = null;
  const keep = tRows.map((_, k) => labels.includes(tClass[k]));
  const cRows = tRows.filter((_, k) => keep[k]);
  const cClass = tClass.filter((_, k) => keep[k]);
  const cGroupNames = cRows.map((i) => samples[i].group);
  if (labels.length >= 2 && new Set(cGroupNames).size >= 3) {
    const cw0 = Float64Array.from(cRows, (i) => baseWeights[i]);
    const classW = new Map<OxygenClass, number>();
    cClass.forEach((cl, k) => classW.set(cl, (classW.get(cl) ?? 0) + cw0[k]));
    const cw = normaliseWeights(cw0.map((v, k) => v / classW.get(cClass[k])!));
    const ys = labels.map((cl) => Float64Array.from(cClass, (x) => (x === cl ? 1 : 0)));
    const cg = groupIds(cGroupNames);
    const cc = chooseRidge(design, cRows, ys, cw, cg, subsets, o.lambdas, o.selection);
    // With no subset better than the mean, the balanced one-hot means tie: fall back to the most frequent class.
    if (cc.subset === 'mean') return oxygenModel(null);
    const fits = ys.map((yy) => fitChoice(cc, yy, cw));
    const pred = cClass.map((_, k) => labels[argmax(cc.logo.map((p) => p[k]))]);
    classes = {
      labels,
      subset: cc.subset,
      lambda: cc.lambda,
      intercepts: fits.map((f) => round(f.intercept)),
      coefs: fits.map((f) => fullCoef(D, cc.cols, f.coef)),
      cv: { genomes: cRows.length, balancedAccuracy: round(balancedAccuracy(cClass, pred), 4), counts },
    };
  }
  return oxygenModel(classes);

  function oxygenModel(cls: OxygenModel['classes']): OxygenModel {
    return {
      tolerant: {
        subset: c.subset,
        lambda: c.lambda,
        intercept: round(fit.intercept),
        coef: fullCoef(D, c.cols, fit.coef),
        platt: { a: round(platt.a), b: round(platt.b) },
        cv: { genomes: rows.length, genera: new Set(groupNames).size, tolerant: nPos, intolerant: nNeg, balancedAccuracy: round(ba, 4), ...oxygenByDomain(rows.map((i) => samples[i]), truth) },
      },
      classes: cls,
      fallbackClass,
    };
  }
}

function argmax(xs: readonly number[]): number {
  let b = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[b]) b = i;
  return b;
}

// ---------------------------------------------------------------------------------------------
// Prediction

/** The model's standardised feature vector of a genome. */
export function standardisedFeatures(model: PhenotypeModel, input: PhenotypeInput): Float64Array {
  const v = phenotypeFeatureVector(input, model.featureSet);
  return v.map((x, j) => (Number.isFinite(x) ? (x - model.mean[j]) / model.std[j] : 0));
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

function proteinFeature(input: PhenotypeInput, name: (typeof PROTEIN_FEATURE_NAMES)[number]): number {
  const p = input.protein;
  if (!p) return NaN;
  if (p instanceof Float32Array) return p[PROTEIN_FEATURE_NAMES.indexOf(name)];
  return p.features[name];
}

/** Predicts every modelled condition of a genome. Throws when the model needs protein features the input lacks. */
export function predictPhenotype(model: PhenotypeModel, input: PhenotypeInput): PhenotypePrediction {
  if (model.featureSet === 'dna+protein' && !hasProteinFeatures(input)) {
    throw new AppError('BAD_OPTION', `phenotype model ${model.id} needs protein features`, 'profile the genome with proteinFeatures: true, or use a DNA-only model');
  }
  const x = standardisedFeatures(model, input);
  const notes: string[] = [];
  const reg = (t: RegressionTarget, floor = -Infinity): IntervalPrediction | null => {
    const m = model.targets[t];
    if (!m) return null;
    const value = m.intercept + dot(m.coef, x);
    if (m.cv.mse >= m.cv.baselineMse) notes.push(`${t}: no better than the training mean in leave-genus-out CV (MAE ${m.cv.mae} vs ${m.cv.baselineMae}); trained on ${m.cv.genomes} genomes of ${m.cv.genera} genera`);
    if (value < m.labelRange[0] - m.interval.halfWidth || value > m.labelRange[1] + m.interval.halfWidth) notes.push(`${t}: ${value.toFixed(2)} is outside the training labels (${m.labelRange[0]}–${m.labelRange[1]}): extrapolated`);
    return { value: Math.max(floor, value), low: Math.max(floor, value - m.interval.halfWidth), high: Math.max(floor, value + m.interval.halfWidth) };
  };
  for (const [t, why] of Object.entries(model.notModelled ?? {})) notes.push(`${t}: not modelled (${why})`);
  const temperatureC = reg('temperatureC');
  const pH = reg('pH', 0);
  const salt = reg('salinityPct', 0);
  let salinityPct: PhenotypePrediction['salinityPct'] = salt ? { ...salt, halophile: false, basis: 'ridge' } : null;
  const rule = model.halophileRule;
  if (rule) {
    const ratio = proteinFeature(input, 'acid_base_ratio');
    const acidic = proteinFeature(input, 'pi_acidic_fraction');
    if (ratio >= rule.acidBaseRatioMin && acidic >= rule.acidicProteinFractionMin) {
      salinityPct = { ...rule.salinityPct, halophile: true, basis: 'salt-in proteome rule' };
      notes.push(`salinityPct: salt-in proteome ((D+E)/(K+R) ${ratio.toFixed(2)} ≥ ${rule.acidBaseRatioMin}, ${(100 * acidic).toFixed(0)} % acidic proteins): extreme halophile`);
    }
  }
  let oxygen: PhenotypePrediction['oxygen'] = null;
  if (model.oxygen) {
    const t = model.oxygen.tolerant;
    const score = t.intercept + dot(t.coef, x);
    const pTolerant = sigmoid(t.platt.a * score + t.platt.b);
    const tolerant = pTolerant >= 0.5;
    let cls: OxygenClass = 'anaerobe';
    if (tolerant) {
      const c = model.oxygen.classes;
      cls = c ? c.labels[argmax(c.coefs.map((coef, k) => c.intercepts[k] + dot(coef, x)))] : model.oxygen.fallbackClass;
    }
    oxygen = { class: cls, pTolerant, tolerant };
  }
  return { model: model.id, temperatureC, oxygen, salinityPct, pH, notes };
}

// ---------------------------------------------------------------------------------------------
// Serialisation

export function serializePhenotypeModel(model: PhenotypeModel): string {
  return `${JSON.stringify(model)}\n`;
}

/** Parses and checks a model file; throws DATA_INVALID naming `name` when it is not one. */
export function parsePhenotypeModel(text: string, name = 'model'): PhenotypeModel {
  let m: PhenotypeModel;
  try {
    m = JSON.parse(text) as PhenotypeModel;
  } catch (e) {
    throw new AppError('DATA_INVALID', `${name}: not JSON (${(e as Error).message})`, 'give a file written by `mediaforge phenotype train`');
  }
  const bad = (why: string) => new AppError('DATA_INVALID', `${name}: not a phenotype model (${why})`, 'give a file written by `mediaforge phenotype train`');
  if (!m || m.format !== PHENOTYPE_MODEL_FORMAT) throw bad(`format is ${JSON.stringify((m as { format?: unknown })?.format)}`);
  if (m.version !== PHENOTYPE_MODEL_VERSION) throw bad(`version ${String(m.version)}, this MediaForge reads ${PHENOTYPE_MODEL_VERSION}`);
  if (!['gc', 'dna', 'dna+protein'].includes(m.featureSet)) throw bad(`featureSet ${String(m.featureSet)}`);
  const names = phenotypeFeatureNames(m.featureSet);
  const D = names.length;
  if (!Array.isArray(m.featureNames) || m.featureNames.join() !== names.join()) throw bad('its features differ from this version’s');
  const vec = (v: unknown, what: string) => {
    if (!Array.isArray(v) || v.length !== D || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw bad(`${what} must be ${D} finite numbers`);
  };
  vec(m.mean, 'mean');
  vec(m.std, 'std');
  for (const [t, r] of Object.entries(m.targets ?? {})) {
    if (!REGRESSION_TARGETS.includes(t as RegressionTarget)) throw bad(`unknown target ${t}`);
    vec(r.coef, `${t}.coef`);
    if (!Number.isFinite(r.intercept) || !(r.interval?.halfWidth >= 0)) throw bad(`${t}: intercept or interval`);
  }
  if (m.oxygen) {
    vec(m.oxygen.tolerant.coef, 'oxygen.tolerant.coef');
    if (!Number.isFinite(m.oxygen.tolerant.platt?.a) || !Number.isFinite(m.oxygen.tolerant.platt?.b)) throw bad('oxygen Platt scaling');
    if (m.oxygen.classes) {
      m.oxygen.classes.coefs.forEach((c, k) => vec(c, `oxygen.classes.coefs[${k}]`));
      if (m.oxygen.classes.labels.some((l) => !OXYGEN_CLASSES.includes(l))) throw bad('oxygen class labels');
    }
  }
  return m;
}
