/**
 * A trained recipe CVAE as data: configuration, the vocabulary it decodes to (full entries with
 * their merged MediaDive ingredient ids, so buildMediaMatrix(db, { vocab }) maps any database onto
 * the same columns), the formulas for the validity checks, the genome VAE whose embeddings it was
 * conditioned on, provenance, history and the phase metrics. Converts to and from the database's
 * models row (kind 'recipe-cvae') and a standalone model file (`mediaforge train cvae --out`), and
 * puts a model into a database (the bundle helpers, like bundle-model.ts for the genome VAE).
 *
 * Model file: ASCII "MFCVAE1\n" | u32le JSON length | JSON (everything but the weights) | pad to 4 |
 * packed weights (weights.ts).
 */
import { decodeTaggedFile, encodeTaggedFile, hasTag } from './tagged-file';
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import { getModel, saveModel } from '../db/models';
import { bundleModelHook } from './bundle-model';
import type { GenomeVaeModel } from './genome-vae-model';
import type { VocabEntry } from '../media/ingredient-vocabulary';
import { buildRecipeCvae, importCvaeWeights, type CvaeEpochStats, type RecipeCvae } from './recipe-cvae';
import { resolveRecipeCvaeConfig, type ResolvedRecipeCvaeConfig } from './recipe-cvae-config';
import { packWeights, unpackWeights, type SerializedWeights } from './weights';

export const RECIPE_CVAE_KIND = 'recipe-cvae';
/** meta key naming the recipe CVAE that `generate` and the app use. */
export const ACTIVE_RECIPE_CVAE_KEY = 'active_recipe_cvae';

export interface RecipeCvaeProvenance {
  data: string;
  dataHash: string;
  trainRows: number;
  heldOutRows: number;
  heldOutGenera: string[];
  backend: string;
  epochs: number;
  stoppedBy: string;
  elapsedMs: number;
  createdBy: string;
}

export interface RecipeCvaeModel {
  id: string;
  kind: 'recipe-cvae';
  config: ResolvedRecipeCvaeConfig;
  /** The vocabulary the outputs are columns of (VocabEntry, members included). */
  vocab: VocabEntry[];
  /** MediaDive formula of each entry's canonical ingredient (validity checks). */
  formulas: (string | null)[];
  /** The genome VAE whose embeddings fill the condition's genome slot, or null. */
  genomeModelId: string | null;
  provenance: RecipeCvaeProvenance;
  history: CvaeEpochStats[];
  /** Per phase metrics and the final evaluation (recipe-cvae-pipeline.ts). */
  metrics: Record<string, unknown>;
  createdAt: string;
  weights: SerializedWeights;
}

const MAGIC = 'MFCVAE1\n';

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** 'recipe-cvae-' + the first 12 hex digits of sha256(weights). */
export async function recipeModelIdFor(weights: SerializedWeights): Promise<string> {
  return `recipe-cvae-${(await sha256Hex(packWeights(weights))).slice(0, 12)}`;
}

export function instantiateRecipeCvae(m: RecipeCvaeModel): RecipeCvae {
  const cvae = buildRecipeCvae(m.config);
  importCvaeWeights(cvae, m.weights, m.id);
  return cvae;
}

type ModelJson = Omit<RecipeCvaeModel, 'weights'>;

function validate(json: ModelJson, weights: SerializedWeights, what: string): RecipeCvaeModel {
  if (json.kind !== RECIPE_CVAE_KIND) throw new AppError('DATA_INVALID', `${what}: not a recipe CVAE (kind '${String(json.kind)}')`);
  const config = resolveRecipeCvaeConfig(json.config);
  if (!Array.isArray(json.vocab) || json.vocab.length !== config.vocabSize) throw new AppError('DATA_INVALID', `${what}: the vocabulary has ${json.vocab?.length} entries, the model ${config.vocabSize}`);
  return { ...json, config, formulas: json.formulas ?? json.vocab.map(() => null), weights };
}

export function encodeRecipeModelFile(m: RecipeCvaeModel): Uint8Array {
  const { weights, ...rest } = m;
  return encodeTaggedFile(MAGIC, rest, packWeights(weights));
}

export function isRecipeModelFile(bytes: Uint8Array): boolean {
  return hasTag(bytes, MAGIC);
}

export function decodeRecipeModelFile(bytes: Uint8Array, name = 'model file'): RecipeCvaeModel {
  const { head, body } = decodeTaggedFile<ModelJson>(bytes, MAGIC, name, {
    notThis: { message: 'not a MediaForge recipe CVAE model file', hint: 'give a file written by `mediaforge train cvae --out`' },
    damaged: { message: 'the model description is damaged' },
  });
  return validate(head, unpackWeights(body, name), name);
}

/** models row: config_json = {config, vocab, formulas, genomeModelId, provenance}, metrics_json = {history, metrics}. */
export function toRecipeModelRow(m: RecipeCvaeModel) {
  return {
    id: m.id,
    kind: m.kind,
    config: { config: m.config, vocabularyIds: m.vocab.map((e) => e.ingredientId), vocab: m.vocab, formulas: m.formulas, genomeModelId: m.genomeModelId, provenance: m.provenance },
    weights: packWeights(m.weights),
    metrics: { history: m.history, ...m.metrics },
    createdAt: m.createdAt,
  };
}

export function fromRecipeModelRow(row: { id: string; kind: string; config: Record<string, unknown>; weights: Uint8Array | null; metrics: Record<string, unknown> | null; createdAt: string }): RecipeCvaeModel {
  if (!row.weights) throw new AppError('DB_INVALID', `model ${row.id} has no weights`);
  const c = row.config as { config: ResolvedRecipeCvaeConfig; vocab: VocabEntry[]; formulas: (string | null)[]; genomeModelId: string | null; provenance: RecipeCvaeProvenance };
  const { history, ...metrics } = (row.metrics ?? {}) as { history?: CvaeEpochStats[] } & Record<string, unknown>;
  return validate(
    { id: row.id, kind: row.kind as 'recipe-cvae', config: c.config, vocab: c.vocab, formulas: c.formulas, genomeModelId: c.genomeModelId, provenance: c.provenance, history: history ?? [], metrics, createdAt: row.createdAt },
    unpackWeights(row.weights, `model ${row.id}`),
    `model ${row.id}`,
  );
}

/** Stores the model and makes it the active recipe CVAE (in `meta`, when a db build collects meta rows). */
export function storeRecipeModel(db: Database, m: RecipeCvaeModel, meta?: Record<string, string>): void {
  saveModel(db, toRecipeModelRow(m));
  if (meta) meta[ACTIVE_RECIPE_CVAE_KEY] = m.id;
  else db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [ACTIVE_RECIPE_CVAE_KEY, m.id]);
}

export function getActiveRecipeModelId(db: Database): string | null {
  const r = db.exec('SELECT value FROM meta WHERE key = ?', [ACTIVE_RECIPE_CVAE_KEY]);
  if (r.length) return String(r[0].values[0][0]);
  const any = db.exec('SELECT id FROM models WHERE kind = ? ORDER BY created_at DESC, id LIMIT 1', [RECIPE_CVAE_KIND]);
  return any.length ? String(any[0].values[0][0]) : null;
}

/** The active recipe CVAE of a database (or the one named), or null. */
export function readRecipeCvae(db: Database, id?: string): RecipeCvaeModel | null {
  const mid = id ?? getActiveRecipeModelId(db);
  if (!mid) return null;
  const row = getModel(db, mid);
  if (!row || row.kind !== RECIPE_CVAE_KIND) return null;
  return fromRecipeModelRow(row);
}

/** The db build hook piece that bundles a recipe CVAE (runs after the genome VAE hook). */
export function bundleRecipeModelHook(model: RecipeCvaeModel) {
  return async (db: Database, _genomes: unknown[], meta: Record<string, string>): Promise<void> => {
    storeRecipeModel(db, model, meta);
  };
}

// ---- checkpoints as bytes (the ML worker hands them to the page, which stores them) ------------
// "MFCCKPT1\n" | u32le JSON length | JSON {version, kind, config, epoch, history, phaseMetrics,
// weightsBytes, optimizerBytes} | pad to 4 | packWeights(weights) | packWeights(optimizer).

const CKPT_MAGIC = 'MFCCKPT1\n';

export function packRecipeCheckpoint(c: import('./recipe-cvae').CvaeCheckpoint): Uint8Array {
  const w = packWeights(c.weights);
  const o = packWeights(c.optimizer);
  return encodeTaggedFile(CKPT_MAGIC, { version: c.version, kind: c.kind, config: c.config, epoch: c.epoch, history: c.history, phaseMetrics: c.phaseMetrics, weightsBytes: w.length, optimizerBytes: o.length }, w, o);
}

export function unpackRecipeCheckpoint(bytes: Uint8Array, what = 'checkpoint'): import('./recipe-cvae').CvaeCheckpoint {
  const { head: meta, body } = decodeTaggedFile<{ version: 1; kind: 'recipe-cvae'; config: ResolvedRecipeCvaeConfig; epoch: number; history: CvaeEpochStats[]; phaseMetrics: unknown[]; weightsBytes: number; optimizerBytes: number }>(bytes, CKPT_MAGIC, what, {
    notThis: { message: 'not a MediaForge recipe-model checkpoint', hint: 'start a new training run' },
    damaged: { message: 'the checkpoint description is damaged', hint: 'start a new training run' },
  });
  if (meta.weightsBytes + meta.optimizerBytes !== body.length) throw new AppError('DATA_INVALID', `${what}: the checkpoint is truncated`, 'start a new training run');
  return {
    version: meta.version,
    kind: 'recipe-cvae',
    config: resolveRecipeCvaeConfig(meta.config),
    epoch: meta.epoch,
    history: meta.history,
    phaseMetrics: meta.phaseMetrics,
    weights: unpackWeights(body.subarray(0, meta.weightsBytes), `${what} weights`),
    optimizer: unpackWeights(body.subarray(meta.weightsBytes), `${what} optimizer state`),
  };
}

/**
 * The db build hook that bundles the genome VAE (with the embedding of every genome) and then the
 * recipe CVAE; undefined when neither is given. `mediaforge db build` and the rebuild test use it,
 * so both store the models in the same order (the snapshot bytes depend on it).
 */
export function snapshotModelsHook(genomeVae: GenomeVaeModel | null | undefined, recipe: RecipeCvaeModel | null | undefined) {
  if (!genomeVae && !recipe) return undefined;
  const vaeHook = genomeVae ? bundleModelHook(genomeVae) : null;
  const cvaeHook = recipe ? bundleRecipeModelHook(recipe) : null;
  return async (db: Database, genomes: { genomeId: number; item: { counts: ArrayLike<number> } }[], meta: Record<string, string>): Promise<void> => {
    await vaeHook?.(db, genomes, meta);
    await cvaeHook?.(db, genomes, meta);
  };
}
