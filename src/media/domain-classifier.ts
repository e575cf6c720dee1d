/**
 * Bacteria or archaea from the predicted proteome, for a query whose small-subunit rRNA genes were
 * not found (a draft or MAG whose rRNA operons did not assemble, a fragment): the domain the media
 * ranking then uses (which strains' conditions and which media's popularity count, and the
 * archaeal terms of the growth predictor). Without it the domain was the majority of the 5 nearest
 * genomes with known media: with their genus held out and no rRNA call, that is wrong for 7 of the
 * 86 reference bacteria and archaea with stored protein features, the classifier for 1
 * (tests/unit/domain-classifier.test.ts); leave-genus-out over the 163 labelled genomes it is right
 * for 161 (both misses are Corynebacterium glutamicum).
 *
 * Model: a shrinkage LDA in its least-squares form, as for oxygen (phenotype-model.ts): weighted
 * ridge regression of ±1 (archaea +1) on the standardised protein features (PROTEIN_FEATURE_NAMES:
 * amino-acid composition, charge, isoelectric points, GC3, coding density), each domain weighing
 * half, λ = DOMAIN_CLASSIFIER_LAMBDA, set once. Trained on the database's labelled genomes with
 * stored protein features (phenotype-stored-features.ts: the snapshot's 163, 33 of them archaea),
 * so it needs no shipped weights and is retrained without a held-out genus in evaluation. Archaeal
 * proteomes differ from bacterial ones in ways that do not depend on the lineage's neighbours, so
 * the genus of a query need not be near any training genome (leaveGenusOutDomainAccuracy).
 *
 * Pure: Node and the workers.
 */
import { PROTEIN_FEATURE_NAMES, usableProtein } from '../core/protein-features';
import { RidgePath } from './phenotype-linalg';

/** The ridge penalty, on standardised features (the leave-genus-out accuracy is 159–161 of 163 for λ from 0.1 to 100). */
export const DOMAIN_CLASSIFIER_LAMBDA = 10;
/** Fewer training genomes of either domain than this: no classifier. */
export const DOMAIN_CLASSIFIER_MIN_PER_DOMAIN = 5;

export interface DomainSample {
  /** PROTEIN_FEATURE_NAMES order. */
  protein: ArrayLike<number>;
  archaea: boolean;
  genus: string | null;
  name: string;
}

export interface DomainClassifier {
  mean: Float64Array;
  sd: Float64Array;
  intercept: number;
  coef: Float64Array;
  trainedOn: { bacteria: number; archaea: number; genera: number };
}

export interface DomainCallFromProteome {
  domain: 'archaea' | 'bacteria';
  /** The linear score (> 0: archaea); its size says how clear the call is. */
  score: number;
}

/** Usable protein features of this layout (PROTEIN_FEATURE_NAMES). */
const usable = (p: ArrayLike<number> | null | undefined): p is ArrayLike<number> => usableProtein(p) && p.length === PROTEIN_FEATURE_NAMES.length;

/** Trains the classifier, or null when either domain has fewer than DOMAIN_CLASSIFIER_MIN_PER_DOMAIN usable genomes. */
export function trainDomainClassifier(samples: readonly DomainSample[], lambda = DOMAIN_CLASSIFIER_LAMBDA): DomainClassifier | null {
  const rows = samples.filter((s) => usable(s.protein));
  const nA = rows.filter((s) => s.archaea).length;
  const nB = rows.length - nA;
  if (nA < DOMAIN_CLASSIFIER_MIN_PER_DOMAIN || nB < DOMAIN_CLASSIFIER_MIN_PER_DOMAIN) return null;
  const d = PROTEIN_FEATURE_NAMES.length;
  const n = rows.length;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const s of rows) for (let j = 0; j < d; j++) mean[j] += s.protein[j] / n;
  for (const s of rows) for (let j = 0; j < d; j++) sd[j] += (s.protein[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) sd[j] = sd[j] > 1e-18 ? Math.sqrt(sd[j]) : 1;
  const z = new Float64Array(n * d);
  rows.forEach((s, i) => {
    for (let j = 0; j < d; j++) z[i * d + j] = (s.protein[j] - mean[j]) / sd[j];
  });
  // Each domain weighs half: the archaea are a fifth of the labelled genomes.
  const w = Float64Array.from(rows, (s) => (s.archaea ? n / (2 * nA) : n / (2 * nB)));
  const y = Float64Array.from(rows, (s) => (s.archaea ? 1 : -1));
  const fit = new RidgePath(z, n, d, w).fit(y, lambda);
  return { mean, sd, intercept: fit.intercept, coef: fit.coef, trainedOn: { bacteria: nB, archaea: nA, genera: new Set(rows.map((s) => s.genus ?? s.name)).size } };
}

/** The domain of a proteome, or null when its protein features are missing or not finite (too few genes found). */
export function classifyDomain(model: DomainClassifier, protein: ArrayLike<number> | null | undefined): DomainCallFromProteome | null {
  if (!usable(protein)) return null;
  let score = model.intercept;
  for (let j = 0; j < model.coef.length; j++) score += model.coef[j] * ((protein[j] - model.mean[j]) / model.sd[j]);
  return { domain: score > 0 ? 'archaea' : 'bacteria', score };
}

/** Leave-genus-out accuracy: each genus's genomes classified by a model trained without that genus. */
export function leaveGenusOutDomainAccuracy(samples: readonly DomainSample[], lambda = DOMAIN_CLASSIFIER_LAMBDA): { correct: number; total: number; wrong: string[] } {
  const rows = samples.filter((s) => usable(s.protein));
  const genera = [...new Set(rows.map((s) => s.genus ?? s.name))];
  let correct = 0;
  const wrong: string[] = [];
  for (const g of genera) {
    const model = trainDomainClassifier(
      rows.filter((s) => (s.genus ?? s.name) !== g),
      lambda,
    );
    for (const s of rows.filter((r) => (r.genus ?? r.name) === g)) {
      const call = model ? classifyDomain(model, s.protein) : null;
      if (call && (call.domain === 'archaea') === s.archaea) correct++;
      else wrong.push(s.name);
    }
  }
  return { correct, total: rows.length, wrong };
}
