/**
 * Leave-one-genus-out evaluation of the phenotype models (phenotype-model.ts): every genus (with
 * its synonyms; Shigella counts as Escherichia) is held out in turn, the models are trained on the
 * other genera only (their own λ and subset chosen by an inner leave-genus-out CV on those genera),
 * and the held-out genomes are predicted. Baselines are measured in the same run, on the same
 * folds: the training mean (majority class for oxygen), GC alone, DNA composition alone, protein
 * composition alone, DNA + protein, and 'auto' (the shipped configuration: the inner CV picks the
 * subset per target). Pure TS.
 */
import { genusVariants } from '../db/taxon-names';
import { genusOf } from '../ml/genus-split';
import type { PhenotypeInput } from './phenotype-features';
import { hasProteinFeatures } from './phenotype-features';
import type { GenomePhenotypeLabels, LabelDomain, OxygenClass, PhenotypeLabels } from './phenotype-labels';
import { countLabels, type LabelCountRow } from './phenotype-labels';
import {
  balancedAccuracy,
  predictPhenotype,
  REGRESSION_TARGETS,
  trainPhenotypeModel,
  type PhenotypePrediction,
  type PhenotypeTrainOptions,
  type RegressionTarget,
} from './phenotype-model';

/** A labelled genome with its features' input. */
export interface PhenotypeSample {
  /** 'reference/X.fna.gz' or 'collection/Y.fna.gz#record'. */
  key: string;
  genomeId: number;
  name: string;
  species: string | null;
  domain: LabelDomain;
  recordType: string;
  /** Leave-genus-out group (phenotypeGroupOf). */
  group: string;
  labels: PhenotypeLabels & Partial<Pick<GenomePhenotypeLabels, 'linkedBy'>>;
  lengthBp: number;
  input: PhenotypeInput;
}

/**
 * The leave-genus-out group of a species name: its genus, with genus synonyms merged
 * (Methanothrix/Methanosaeta, Chlamydia/Chlamydophila, Mycoplasma and its 2018 genera) and
 * Shigella folded into Escherichia (Shigella species are E. coli lineages, so holding out one
 * without the other would leak). The 2020 Lactobacillus genera stay separate genera.
 */
export function phenotypeGroupOf(species: string | null): string {
  const g = genusOf(species);
  if (!g) return `species:${species ?? '?'}`;
  const v = g.startsWith('Candidatus ') ? g.toLowerCase() : genusVariants(g)[0];
  if (v === 'shigella') return 'Escherichia';
  return v[0].toUpperCase() + v.slice(1);
}

export interface LogoFold {
  group: string;
  train: number[];
  test: number[];
}

/** One fold per group, groups in sorted order; train never holds a genome of the held-out group. */
export function logoFolds(samples: readonly Pick<PhenotypeSample, 'group'>[]): LogoFold[] {
  const groups = [...new Set(samples.map((s) => s.group))].sort();
  return groups.map((group) => ({
    group,
    train: samples.map((s, i) => (s.group !== group ? i : -1)).filter((i) => i >= 0),
    test: samples.map((s, i) => (s.group === group ? i : -1)).filter((i) => i >= 0),
  }));
}

export type EvalVariant = 'mean' | 'gc' | 'dna' | 'protein' | 'dna+protein' | 'auto';
export const EVAL_VARIANTS: readonly EvalVariant[] = ['mean', 'gc', 'dna', 'protein', 'dna+protein', 'auto'];

/**
 * The fixed-subset variants fit every target with labels from 3 genera on (to show what each
 * feature set does even where the shipped 'auto' configuration declines to model a target).
 */
const VARIANT_OPTIONS: Record<Exclude<EvalVariant, 'mean'>, PhenotypeTrainOptions> = {
  gc: { featureSet: 'gc', subsets: ['gc'], halophileRule: false, minGenera: 3 },
  dna: { featureSet: 'dna', subsets: ['dna'], halophileRule: false, minGenera: 3 },
  protein: { featureSet: 'dna+protein', subsets: ['protein'], halophileRule: false, minGenera: 3 },
  'dna+protein': { featureSet: 'dna+protein', subsets: ['dna+protein'], halophileRule: false, minGenera: 3 },
  auto: {},
};

export interface EvaluatePhenotypeOptions extends PhenotypeTrainOptions {
  /** @default every variant the samples allow (protein variants need protein features on all) */
  variants?: EvalVariant[];
  /** Genomes reported one by one (predicted vs true). @default hyperthermophiles (≥ 80 °C), Chlamydia, Halobacterium */
  isCase?: (s: PhenotypeSample) => boolean;
  /** Called once per fold with what it trains on and predicts (for checks and progress). */
  onFold?: (fold: { group: string; index: number; folds: number; trainKeys: string[]; testKeys: string[] }) => void;
}

export interface FitMetrics {
  n: number;
  mae: number;
  /** Pearson r of predicted vs true. */
  r: number;
}

export interface RegressionMetrics extends FitMetrics {
  /** MAE with each species weighted once (1 / its genomes). */
  speciesMae: number;
  /** Share of true values inside [low, high]. */
  coverage: number;
  byDomain: Partial<Record<LabelDomain, FitMetrics>>;
  /** temperatureC only: the genomes whose true value is ≥ 80 °C. */
  hyperthermophiles?: FitMetrics;
}

export interface OxygenMetrics {
  n: number;
  tolerant: number;
  intolerant: number;
  /** Binary tolerant / not tolerant. */
  balancedAccuracy: number;
  byDomain: Partial<Record<LabelDomain, { n: number; tolerant: number; intolerant: number; balancedAccuracy: number }>>;
  /** Four classes (aerobe, facultative, microaerophile, anaerobe), over the classes present. */
  classBalancedAccuracy: number;
}

export interface PhenotypeCase {
  name: string;
  domain: LabelDomain;
  temperatureC: { true: number | null; predicted: Partial<Record<EvalVariant, number>> };
  oxygen: { true: OxygenClass | null; predicted: Partial<Record<EvalVariant, { class: OxygenClass; pTolerant: number }>> };
  salinityPct: { true: number | null; predicted: Partial<Record<EvalVariant, { value: number; halophile: boolean }>> };
}

export interface PhenotypeEvaluation {
  genomes: number;
  genera: number;
  species: number;
  labelCounts: LabelCountRow[];
  variants: EvalVariant[];
  regression: Record<RegressionTarget, Partial<Record<EvalVariant, RegressionMetrics>>>;
  oxygen: Partial<Record<EvalVariant, OxygenMetrics>>;
  cases: PhenotypeCase[];
  /** What each variant's inner CV chose, counted over folds: variant → target → subset ('mean' = no feature helped) → folds. */
  chosen: Partial<Record<EvalVariant, Record<string, Record<string, number>>>>;
  seconds: number;
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2) return NaN;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

function fitMetrics(t: readonly number[], p: readonly number[]): FitMetrics {
  return { n: t.length, mae: t.length ? t.reduce((a, v, i) => a + Math.abs(v - p[i]), 0) / t.length : NaN, r: pearson(p, t) };
}

const isDefaultCase = (s: PhenotypeSample) =>
  (s.labels.temperatureC?.value ?? 0) >= 80 || /^(Chlamydia|Chlamydophila|Halobacterium)\b/.test(s.species ?? '');

/** Leave-one-genus-out evaluation of every variant on the same folds. */
export function evaluatePhenotype(samples: readonly PhenotypeSample[], options: EvaluatePhenotypeOptions = {}): PhenotypeEvaluation {
  const t0 = Date.now();
  const allProtein = samples.length > 0 && samples.every((s) => hasProteinFeatures(s.input));
  const variants = (options.variants ?? [...EVAL_VARIANTS]).filter((v) => allProtein || (v !== 'protein' && v !== 'dna+protein'));
  const isCase = options.isCase ?? isDefaultCase;
  const n = samples.length;
  const preds = new Map<EvalVariant, (PhenotypePrediction | null)[]>(variants.map((v) => [v, new Array(n).fill(null)]));
  const chosen: PhenotypeEvaluation['chosen'] = {};
  const folds = logoFolds(samples);
  const { variants: _v, isCase: _c, onFold, ...trainOptions } = options;

  folds.forEach((fold, index) => {
    onFold?.({ group: fold.group, index, folds: folds.length, trainKeys: fold.train.map((i) => samples[i].key), testKeys: fold.test.map((i) => samples[i].key) });
    const train = fold.train.map((i) => samples[i]);
    for (const v of variants) {
      const out = preds.get(v)!;
      if (v === 'mean') {
        const p = meanPrediction(train);
        for (const i of fold.test) out[i] = p;
        continue;
      }
      const model = trainPhenotypeModel(train, { ...trainOptions, ...VARIANT_OPTIONS[v] });
      const c = (chosen[v] ??= {});
      const note = (t: string, sub: string) => ((c[t] ??= {})[sub] = (c[t][sub] ?? 0) + 1);
      for (const [t, m] of Object.entries(model.targets)) note(t, m.subset);
      if (model.oxygen) note('oxygen', model.oxygen.tolerant.subset);
      for (const i of fold.test) out[i] = predictPhenotype(model, samples[i].input);
    }
  });

  const speciesN = new Map<string, number>();
  for (const s of samples) speciesN.set(s.species ?? s.group, (speciesN.get(s.species ?? s.group) ?? 0) + 1);
  const regression = {} as PhenotypeEvaluation['regression'];
  for (const t of REGRESSION_TARGETS) {
    regression[t] = {};
    const idx = samples.map((s, i) => (s.labels[t] ? i : -1)).filter((i) => i >= 0);
    for (const v of variants) {
      const p = preds.get(v)!;
      const have = idx.filter((i) => p[i]?.[t]);
      if (!have.length) continue;
      const truth = have.map((i) => samples[i].labels[t]!.value);
      const value = have.map((i) => p[i]![t]!.value);
      const w = have.map((i) => 1 / speciesN.get(samples[i].species ?? samples[i].group)!);
      const wSum = w.reduce((a, b) => a + b, 0);
      const byDomain: RegressionMetrics['byDomain'] = {};
      for (const d of ['bacteria', 'archaea'] as const) {
        const k = have.map((i, j) => (samples[i].domain === d ? j : -1)).filter((j) => j >= 0);
        if (k.length) byDomain[d] = fitMetrics(k.map((j) => truth[j]), k.map((j) => value[j]));
      }
      regression[t][v] = {
        ...fitMetrics(truth, value),
        speciesMae: truth.reduce((a, y, j) => a + w[j] * Math.abs(y - value[j]), 0) / wSum,
        coverage: have.filter((i, j) => truth[j] >= p[i]![t]!.low && truth[j] <= p[i]![t]!.high).length / have.length,
        byDomain,
      };
      if (t === 'temperatureC') {
        const k = truth.map((y, j) => (y >= 80 ? j : -1)).filter((j) => j >= 0);
        if (k.length) regression[t][v]!.hyperthermophiles = fitMetrics(k.map((j) => truth[j]), k.map((j) => value[j]));
      }
    }
  }

  const oxygen: PhenotypeEvaluation['oxygen'] = {};
  const oIdx = samples.map((s, i) => (s.labels.oxygen ? i : -1)).filter((i) => i >= 0);
  for (const v of variants) {
    const p = preds.get(v)!;
    const have = oIdx.filter((i) => p[i]?.oxygen);
    if (!have.length) continue;
    const tol = have.map((i) => samples[i].labels.oxygen!.tolerant);
    const ptol = have.map((i) => p[i]!.oxygen!.tolerant);
    const byDomain: OxygenMetrics['byDomain'] = {};
    for (const d of ['bacteria', 'archaea'] as const) {
      const k = have.map((i, j) => (samples[i].domain === d ? j : -1)).filter((j) => j >= 0);
      if (k.length) {
        byDomain[d] = {
          n: k.length,
          tolerant: k.filter((j) => tol[j]).length,
          intolerant: k.filter((j) => !tol[j]).length,
          balancedAccuracy: balancedAccuracy(k.map((j) => tol[j]), k.map((j) => ptol[j])),
        };
      }
    }
    oxygen[v] = {
      n: have.length,
      tolerant: tol.filter(Boolean).length,
      intolerant: tol.filter((x) => !x).length,
      balancedAccuracy: balancedAccuracy(tol, ptol),
      byDomain,
      classBalancedAccuracy: balancedAccuracy(have.map((i) => samples[i].labels.oxygen!.class), have.map((i) => p[i]!.oxygen!.class)),
    };
  }

  const cases: PhenotypeCase[] = samples
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => isCase(s))
    .map(({ s, i }) => {
      const c: PhenotypeCase = {
        name: s.name,
        domain: s.domain,
        temperatureC: { true: s.labels.temperatureC?.value ?? null, predicted: {} },
        oxygen: { true: s.labels.oxygen?.class ?? null, predicted: {} },
        salinityPct: { true: s.labels.salinityPct?.value ?? null, predicted: {} },
      };
      for (const v of variants) {
        const p = preds.get(v)![i];
        if (p?.temperatureC) c.temperatureC.predicted[v] = p.temperatureC.value;
        if (p?.oxygen) c.oxygen.predicted[v] = { class: p.oxygen.class, pTolerant: p.oxygen.pTolerant };
        if (p?.salinityPct) c.salinityPct.predicted[v] = { value: p.salinityPct.value, halophile: p.salinityPct.halophile };
      }
      return c;
    });

  return {
    genomes: n,
    genera: folds.length,
    species: speciesN.size,
    labelCounts: countLabels(samples.map((s) => ({ domain: s.domain, ...s.labels }))),
    variants,
    regression,
    oxygen,
    cases,
    chosen,
    seconds: (Date.now() - t0) / 1000,
  };
}

/** The 'mean' baseline: species-weighted training means, the majority oxygen class. */
function meanPrediction(train: readonly PhenotypeSample[]): PhenotypePrediction {
  const speciesN = new Map<string, number>();
  for (const s of train) speciesN.set(s.species ?? s.group, (speciesN.get(s.species ?? s.group) ?? 0) + 1);
  const w = (s: PhenotypeSample) => 1 / speciesN.get(s.species ?? s.group)!;
  const mean = (t: RegressionTarget) => {
    const l = train.filter((s) => s.labels[t]);
    if (!l.length) return null;
    const value = l.reduce((a, s) => a + w(s) * s.labels[t]!.value, 0) / l.reduce((a, s) => a + w(s), 0);
    return { value, low: value, high: value };
  };
  const ox = train.filter((s) => s.labels.oxygen);
  const tolW = ox.reduce((a, s) => a + (s.labels.oxygen!.tolerant ? w(s) : 0), 0);
  const allW = ox.reduce((a, s) => a + w(s), 0);
  const classW = new Map<OxygenClass, number>();
  for (const s of ox) classW.set(s.labels.oxygen!.class, (classW.get(s.labels.oxygen!.class) ?? 0) + w(s));
  const top = [...classW].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'facultative';
  const sal = mean('salinityPct');
  return {
    model: 'mean',
    temperatureC: mean('temperatureC'),
    pH: mean('pH'),
    salinityPct: sal ? { ...sal, halophile: false, basis: 'ridge' } : null,
    oxygen: ox.length ? { class: top, pTolerant: tolW / allW, tolerant: top !== 'anaerobe' } : null,
    notes: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Text report

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

/** The evaluation as text tables (what `mediaforge phenotype eval` prints). */
export function formatPhenotypeEvaluation(e: PhenotypeEvaluation): string {
  const L: string[] = [];
  L.push(`Leave-one-genus-out: ${e.genomes} labelled genomes, ${e.species} species, ${e.genera} genera (${e.seconds.toFixed(1)} s)`);
  L.push('');
  L.push('Labels (genomes with each label; levels counted over all labels):');
  L.push('  domain      genomes  temperature  oxygen  salinity  pH   strain-level  species-level');
  for (const r of e.labelCounts) {
    L.push(`  ${r.domain.padEnd(10)} ${String(r.genomes).padStart(8)} ${String(r.temperatureC).padStart(12)} ${String(r.oxygen).padStart(7)} ${String(r.salinityPct).padStart(9)} ${String(r.pH).padStart(4)} ${String(r.strainLevel).padStart(13)} ${String(r.speciesLevel).padStart(14)}`);
  }
  const units: Record<RegressionTarget, string> = { temperatureC: '°C', salinityPct: '% NaCl', pH: 'pH' };
  for (const t of REGRESSION_TARGETS) {
    const rows = e.regression[t];
    if (!Object.keys(rows).length) continue;
    L.push('');
    L.push(`${t} (${units[t]}):  variant       n     MAE   r      MAE/species  80%-interval cover  bacteria MAE (r, n)   archaea MAE (r, n)`);
    for (const v of e.variants) {
      const m = rows[v];
      if (!m) continue;
      const dom = (d: LabelDomain) => {
        const x = m.byDomain[d];
        return x ? `${f(x.mae)} (${f(x.r)}, ${x.n})` : '–';
      };
      const hyper = m.hyperthermophiles ? `   ≥ 80 °C: ${f(m.hyperthermophiles.mae)} (n ${m.hyperthermophiles.n})` : '';
      L.push(`  ${v.padEnd(22)} ${String(m.n).padStart(4)}  ${f(m.mae).padStart(6)}  ${f(m.r, 3).padStart(6)}  ${f(m.speciesMae).padStart(11)}  ${v === 'mean' ? '     –' : f(m.coverage, 2).padStart(6)}              ${dom('bacteria').padEnd(21)} ${dom('archaea').padEnd(18)}${hyper}`);
    }
    const missing = e.variants.filter((v) => !rows[v]);
    if (missing.length) L.push(`  not modelled by: ${missing.join(', ')} (too few labelled genera; see the model's notModelled)`);
  }
  if (Object.keys(e.oxygen).length) {
    L.push('');
    L.push('oxygen (tolerates O2):  variant   n   balanced acc.  bacteria (tol/intol)   archaea (tol/intol)   4-class balanced acc.');
    for (const v of e.variants) {
      const m = e.oxygen[v];
      if (!m) continue;
      const dom = (d: LabelDomain) => {
        const x = m.byDomain[d];
        return x ? `${f(x.balancedAccuracy, 3)} (${x.tolerant}/${x.intolerant})` : '–';
      };
      L.push(`  ${v.padEnd(22)} ${String(m.n).padStart(4)}  ${f(m.balancedAccuracy, 3).padStart(6)}         ${dom('bacteria').padEnd(20)}  ${dom('archaea').padEnd(20)}  ${f(m.classBalancedAccuracy, 3)}`);
    }
  }
  const chosen = Object.entries(e.chosen);
  if (chosen.length) {
    L.push('');
    L.push(`Subsets the inner CV chose (× folds; 'mean': no feature beat the training mean within one standard error):`);
    for (const [v, byTarget] of chosen) {
      L.push(`  ${v.padEnd(12)} ${Object.entries(byTarget).map(([t, c]) => `${t} ${Object.entries(c).map(([sub, k]) => `${sub}×${k}`).join(' ')}`).join('; ')}`);
    }
  }
  if (e.cases.length) {
    const vs = e.variants.filter((v) => v !== 'mean');
    L.push('');
    L.push(`Cases (held out with their genus): temperature °C true → ${vs.join(' / ')}; oxygen; salinity`);
    for (const c of e.cases) {
      const temp = `${f(c.temperatureC.true ?? undefined, 1)} → ${vs.map((v) => f(c.temperatureC.predicted[v], 1)).join(' / ')}`;
      const ox = c.oxygen.predicted.auto ?? c.oxygen.predicted[vs[vs.length - 1]];
      const sal = c.salinityPct.predicted.auto;
      L.push(`  ${c.name.slice(0, 48).padEnd(48)} ${temp}; O2 ${c.oxygen.true ?? '?'} → ${ox ? `${ox.class} (p ${ox.pTolerant.toFixed(2)})` : '–'}; salt ${f(c.salinityPct.true ?? undefined, 1)} → ${sal ? `${sal.value.toFixed(1)} %${sal.halophile ? ' (halophile)' : ''}` : '–'}`);
    }
  }
  return `${L.join('\n')}\n`;
}
