/**
 * A trained genome VAE as data: configuration, provenance (seed, data, backend), training
 * history, verification metrics and packed weights. Converts to and from the database's models
 * row and a standalone model file (`mediaforge train vae --out FILE`).
 *
 * Model file layout: ASCII "MFVAE1\n" | u32le JSON length | JSON (everything but the weights) |
 * padding to 4 bytes | packed weights (weights.ts).
 */
import { decodeTaggedFile, encodeTaggedFile } from './tagged-file';
import { AppError } from '../core/errors';
import { LAYOUT_NAME, LAYOUT_VERSION } from '../core/kmer-layout';
import type { EpochStats } from './train-vae';
import { resolveVaeConfig, type ResolvedVaeConfig } from './vae-config';
import { buildGenomeVae, type GenomeVae } from './vae';
import { importModelWeights, packWeights, unpackWeights, type SerializedWeights } from './weights';

export interface TrainingProvenance {
  /** What it was trained on, in words. */
  data: string;
  /** sha256 of the sorted training genome keys (or content hashes). */
  dataHash: string;
  trainRows: number;
  valRows: number;
  valGenera: string[];
  valFraction: number;
  backend: string;
  epochs: number;
  stoppedBy: string;
  elapsedMs: number;
  createdBy: string;
}

export interface GenomeVaeModel {
  id: string;
  kind: 'genome-vae';
  layout: string;
  config: ResolvedVaeConfig;
  provenance: TrainingProvenance;
  history: EpochStats[];
  /** Verification report (vae-report.ts), when computed. */
  report: Record<string, unknown> | null;
  createdAt: string;
  weights: SerializedWeights;
}

const MAGIC = 'MFVAE1\n';
export const GENOME_VAE_LAYOUT = `${LAYOUT_NAME} v${LAYOUT_VERSION}`;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Model ids name their weights: 'genome-vae-' + the first 12 hex digits of sha256(weights). */
export async function modelIdFor(weights: SerializedWeights): Promise<string> {
  return `genome-vae-${(await sha256Hex(packWeights(weights))).slice(0, 12)}`;
}

export async function hashStrings(keys: string[]): Promise<string> {
  return sha256Hex(new TextEncoder().encode([...keys].sort().join('\n')));
}

/** Builds a VAE holding the model's weights. */
export function instantiateGenomeVae(m: GenomeVaeModel): GenomeVae {
  const vae = buildGenomeVae(m.config);
  importModelWeights(vae, m.weights, m.id);
  return vae;
}

type ModelJson = Omit<GenomeVaeModel, 'weights'>;

function validate(json: ModelJson, weights: SerializedWeights, what: string): GenomeVaeModel {
  if (json.kind !== 'genome-vae') throw new AppError('DATA_INVALID', `${what}: not a genome VAE (kind '${String(json.kind)}')`);
  if (json.layout !== GENOME_VAE_LAYOUT) throw new AppError('DATA_INVALID', `${what}: trained on k-mer layout '${json.layout}', this MediaForge uses '${GENOME_VAE_LAYOUT}'`, 'train the model again');
  return { ...json, config: resolveVaeConfig(json.config), weights };
}

export function encodeModelFile(m: GenomeVaeModel): Uint8Array {
  const { weights, ...rest } = m;
  return encodeTaggedFile(MAGIC, rest, packWeights(weights));
}

export function decodeModelFile(bytes: Uint8Array, name = 'model file'): GenomeVaeModel {
  const { head, body } = decodeTaggedFile<ModelJson>(bytes, MAGIC, name, {
    notThis: { message: 'not a MediaForge genome VAE model file', hint: 'give a file written by `mediaforge train vae --out`' },
    damaged: { message: 'the model description is damaged' },
  });
  return validate(head, unpackWeights(body, name), name);
}

/** The models-table row of a genome VAE: config_json = {config, provenance, layout}, metrics_json = {history, report}. */
export function toModelRow(m: GenomeVaeModel) {
  return {
    id: m.id,
    kind: m.kind,
    config: { layout: m.layout, config: m.config, provenance: m.provenance },
    weights: packWeights(m.weights),
    metrics: { history: m.history, report: m.report },
    createdAt: m.createdAt,
  };
}

export function fromModelRow(row: { id: string; kind: string; config: Record<string, unknown>; weights: Uint8Array | null; metrics: Record<string, unknown> | null; createdAt: string }): GenomeVaeModel {
  if (!row.weights) throw new AppError('DB_INVALID', `model ${row.id} has no weights`);
  const c = row.config as { layout: string; config: ResolvedVaeConfig; provenance: TrainingProvenance };
  const metrics = (row.metrics ?? {}) as { history?: EpochStats[]; report?: Record<string, unknown> | null };
  return validate(
    { id: row.id, kind: row.kind as 'genome-vae', layout: c.layout, config: c.config, provenance: c.provenance, history: metrics.history ?? [], report: metrics.report ?? null, createdAt: row.createdAt },
    unpackWeights(row.weights, `model ${row.id}`),
    `model ${row.id}`,
  );
}
