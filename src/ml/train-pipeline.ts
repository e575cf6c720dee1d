/**
 * From labelled k-mer profiles to a trained GenomeVaeModel: CLR, genus split, training, model
 * record. Shared by `mediaforge train vae` (Node) and the training worker (browser).
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from '../core/kmer-layout';
import { clrTransform } from './clr';
import { GENOME_VAE_LAYOUT, hashStrings, modelIdFor, type GenomeVaeModel } from './genome-vae-model';
import { splitByGenus, type GenusSplit } from './genus-split';
import { encodeMeans, trainGenomeVae, type TrainHooks, type TrainResult } from './train-vae';
import type { ResolvedVaeConfig } from './vae-config';
import { exportModelWeights } from './weights';

export interface LabelledProfile {
  key: string;
  species: string | null;
  organismType: string;
  counts: ArrayLike<number>;
}

export interface PreparedData {
  split: GenusSplit;
  train: Float32Array;
  val: Float32Array;
}

/** CLR rows for the given indices, into one row-major matrix. */
export function clrRows(items: { counts: ArrayLike<number> }[], indices: number[], config: Pick<ResolvedVaeConfig, 'clrMode' | 'pseudocount'>): Float32Array {
  const m = new Float32Array(indices.length * FEATURE_COUNT);
  indices.forEach((idx, r) => clrTransform(items[idx].counts, config.clrMode, config.pseudocount, m, r * FEATURE_COUNT));
  return m;
}

export function prepareTrainingData(items: LabelledProfile[], config: ResolvedVaeConfig, valFraction: number): PreparedData {
  const split = splitByGenus(items, valFraction, config.seed);
  return { split, train: clrRows(items, split.train, config), val: clrRows(items, split.val, config) };
}

export interface TrainModelOptions extends TrainHooks {
  valFraction?: number;
  /** What the data is, for the provenance record. */
  dataDescription: string;
  createdBy: string;
  /** ISO date for the model; default now. Fixed for reproducible bundled models. */
  createdAt?: string;
}

export interface TrainedModel {
  model: GenomeVaeModel;
  result: TrainResult;
  prepared: PreparedData;
}

export async function trainModel(items: LabelledProfile[], config: ResolvedVaeConfig, o: TrainModelOptions): Promise<TrainedModel> {
  const t0 = performance.now();
  const valFraction = o.valFraction ?? 0.15;
  const prepared = prepareTrainingData(items, config, valFraction);
  const result = await trainGenomeVae(config, { train: prepared.train, trainRows: prepared.split.train.length, val: prepared.val, valRows: prepared.split.val.length }, o);
  const weights = await exportModelWeights(result.vae);
  const model: GenomeVaeModel = {
    id: await modelIdFor(weights),
    kind: 'genome-vae',
    layout: GENOME_VAE_LAYOUT,
    config,
    provenance: {
      data: o.dataDescription,
      dataHash: await hashStrings(items.map((i) => i.key)),
      trainRows: prepared.split.train.length,
      valRows: prepared.split.val.length,
      valGenera: prepared.split.valGroups,
      valFraction,
      backend: tf.getBackend(),
      epochs: result.epochs,
      stoppedBy: result.stoppedBy,
      elapsedMs: Math.round(performance.now() - t0),
      createdBy: o.createdBy,
    },
    history: result.history,
    report: null,
    createdAt: o.createdAt ?? new Date().toISOString(),
    weights,
  };
  return { model, result, prepared };
}

/** Latent means of any profiles under a model's CLR settings. */
export function embedProfiles(vae: TrainResult['vae'], items: { counts: ArrayLike<number> }[], batch = 512): Float32Array {
  const out = new Float32Array(items.length * vae.config.latentDim);
  for (let s = 0; s < items.length; s += batch) {
    const idx = Array.from({ length: Math.min(batch, items.length - s) }, (_, i) => s + i);
    out.set(encodeMeans(vae, clrRows(items, idx, vae.config), idx.length), s * vae.config.latentDim);
  }
  return out;
}
