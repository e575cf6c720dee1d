/**
 * Putting a trained genome VAE into a database: the model row, the embedding of every genome
 * (reference genomes and collection records alike), and the active-model pointer. Used by
 * `mediaforge db build --model` (Node) for the bundled snapshot.
 */
import type { Database } from 'sql.js';
import { ACTIVE_GENOME_VAE_KEY, getActiveModelId, getModel, saveEmbeddings, saveModel } from '../db/models';
import { fromModelRow, instantiateGenomeVae, toModelRow, type GenomeVaeModel } from './genome-vae-model';
import { embedProfiles } from './train-pipeline';

export interface EmbedTarget {
  genomeId: number;
  counts: ArrayLike<number>;
}

/** Stores the model and the embeddings of `targets`; returns the row-major vectors. */
export function storeModelWithEmbeddings(db: Database, model: GenomeVaeModel, targets: EmbedTarget[], meta?: Record<string, string>): Float32Array {
  saveModel(db, toModelRow(model));
  const vae = instantiateGenomeVae(model);
  try {
    const vectors = embedProfiles(vae, targets);
    saveEmbeddings(db, model.id, targets.map((t) => t.genomeId), vectors, model.config.latentDim);
    if (meta) meta[ACTIVE_GENOME_VAE_KEY] = model.id;
    else db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [ACTIVE_GENOME_VAE_KEY, model.id]);
    return vectors;
  } finally {
    vae.dispose();
  }
}

/** The db build hook that bundles a model: embeds every genome the build added. */
export function bundleModelHook(model: GenomeVaeModel) {
  return async (db: Database, genomes: { genomeId: number; item: { counts: ArrayLike<number> } }[], meta: Record<string, string>): Promise<void> => {
    storeModelWithEmbeddings(db, model, genomes.map((g) => ({ genomeId: g.genomeId, counts: g.item.counts })), meta);
  };
}

/** The active genome VAE of a database (or the one named), or null. */
export function readGenomeVae(db: Database, id?: string): GenomeVaeModel | null {
  const mid = id ?? getActiveModelId(db);
  if (!mid) return null;
  const row = getModel(db, mid);
  return row ? fromModelRow(row) : null;
}
