/**
 * Feature vectors for the phenotype models (phenotype-model.ts), from a genome's k-mer profile
 * and, when available, the composition of its predicted proteins (src/core/protein-features.ts,
 * GenomeSPOT-style: amino-acid frequencies, charge, thermophily indices, pI, ...).
 *
 * Feature sets (each includes the ones before it):
 * - 'gc':          GC fraction (1 feature; the baseline);
 * - 'dna':         GC + the per-k CLR (src/ml/clr.ts, pseudocount 1e-6) of the canonical 1-, 2- and
 *                  3-mer blocks (2 + 10 + 32): 45 features;
 * - 'dna+protein': 'dna' + PROTEIN_FEATURE_NAMES (43 in protein-features.ts today): 88 features.
 * Raw values here; standardisation (training means and standard deviations) lives in the model.
 * A missing protein value (NaN: no genes found) is imputed with the training mean, i.e. 0 after
 * standardisation.
 */
import { FEATURE_KMERS } from '../core/kmer-layout';
import { PROTEIN_FEATURE_NAMES, proteinFeatureVector, type ProteinFeatures } from '../core/protein-features';
import { K_BLOCKS, clrTransform } from '../ml/clr';

export type PhenotypeFeatureSet = 'gc' | 'dna' | 'dna+protein';
export const PHENOTYPE_FEATURE_SETS: readonly PhenotypeFeatureSet[] = ['gc', 'dna', 'dna+protein'];

/** Largest k whose CLR block is used. */
export const PHENOTYPE_MAX_K = 3;
/** CLR pseudocount, as for the genome VAE. */
export const PHENOTYPE_CLR_PSEUDOCOUNT = 1e-6;

const CLR_BLOCKS = K_BLOCKS.filter((b) => b.k <= PHENOTYPE_MAX_K);
const CLR_NAMES = CLR_BLOCKS.flatMap((b) => FEATURE_KMERS.slice(b.start, b.end).map((kmer) => `clr${b.k}_${kmer}`));

export const DNA_FEATURE_NAMES: readonly string[] = ['gc', ...CLR_NAMES];

/** Feature names of a set, in vector order. */
export function phenotypeFeatureNames(set: PhenotypeFeatureSet): string[] {
  if (set === 'gc') return ['gc'];
  if (set === 'dna') return [...DNA_FEATURE_NAMES];
  return [...DNA_FEATURE_NAMES, ...PROTEIN_FEATURE_NAMES.map((n) => `protein_${n}`)];
}

/** What a prediction needs of a genome: its k-mer profile and, for protein models, its protein features. */
export interface PhenotypeInput {
  /** The 2,772 canonical k-mer counts (k = 1..6, src/core/kmer-layout.ts). */
  counts: ArrayLike<number>;
  /** (G+C)/(A+C+G+T). */
  gcFraction: number;
  /** profileSource(…, {proteinFeatures: true}).protein, or the vector of proteinFeatureVector; absent for DNA-only models. */
  protein?: Pick<ProteinFeatures, 'features'> | Float32Array | null;
}

/** True when the input carries protein features. */
export function hasProteinFeatures(input: PhenotypeInput): boolean {
  return input.protein !== undefined && input.protein !== null;
}

/** The raw (unstandardised) feature vector of a genome for a feature set. */
export function phenotypeFeatureVector(input: PhenotypeInput, set: PhenotypeFeatureSet): Float64Array {
  const names = phenotypeFeatureNames(set);
  const v = new Float64Array(names.length);
  v[0] = input.gcFraction;
  if (set === 'gc') return v;
  const clr = clrTransform(input.counts, 'per-k', PHENOTYPE_CLR_PSEUDOCOUNT);
  let j = 1;
  for (const b of CLR_BLOCKS) for (let i = b.start; i < b.end; i++) v[j++] = clr[i];
  if (set === 'dna') return v;
  const p = input.protein;
  const pv = p instanceof Float32Array ? p : p ? proteinFeatureVector(p) : null;
  if (!pv || pv.length !== PROTEIN_FEATURE_NAMES.length) {
    throw new Error(`phenotypeFeatureVector: the 'dna+protein' set needs ${PROTEIN_FEATURE_NAMES.length} protein features (profile with proteinFeatures: true)`);
  }
  for (let i = 0; i < pv.length; i++) v[j++] = pv[i];
  return v;
}
